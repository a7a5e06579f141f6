"""The district dispatch console: receives CAP alerts from stations, shows them live, sends Acks back.

``service`` holds the verbs over the database (``db``, ``schema``), with the read side in ``views`` and
forwarding onward in ``forward``; ``auth`` the credentials, ``app`` the HTTP service and ``server`` runs it
with uvicorn; ``demo`` serves one on this machine for demo mode. The live screen is plain HTML/CSS/JS in
``static/``.
"""
