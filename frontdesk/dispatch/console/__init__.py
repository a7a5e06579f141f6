"""The district dispatch console: receives CAP alerts from stations, shows them live, sends Acks back.

``service`` holds the verbs over the database (``db``, ``schema``), ``auth`` the credentials, ``app`` the
HTTP service and ``server`` runs it with uvicorn. The live screen is plain HTML/CSS/JS in ``static/``.
"""
