"""Services: the verbs of the domain. They take and return frozen dataclasses; views call only these."""
