"""Panic alerts to district dispatch: the CAP 1.2 message (``cap``) and the district console (``console``).

``frontdesk.dispatch.cap`` is pure (no Qt, no network) and shared by both ends: the station builds and
sends CAP alerts with it, the console parses, validates and acknowledges them. The wire protocol between
the two is written down in ``docs/dispatch-protocol.md``.
"""
