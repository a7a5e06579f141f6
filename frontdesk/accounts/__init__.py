"""Staff accounts, roles and who is signed in. The permission table lives in ``roles.py``."""
