"""The district's server: the dispatch console (``district.console``) and, in time, the hub of its desks.

It shares only the wire format with the desk (``frontdesk.wire``: CAP 1.2) and the desk never imports it
(an import-linter contract holds both). Its own dependencies (starlette, uvicorn, psycopg) are the
``district`` install extra; the desk's frozen bundle leaves them out. ``python -m district`` or
``frontdesk-district`` runs its command line; ``frontdesk dispatch serve …`` reaches the same commands when
this package is installed.
"""
