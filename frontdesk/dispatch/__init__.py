"""The station side of panic alerts: the outbox, the one long-lived link to the console, the school's state.

The CAP 1.2 message itself is the shared wire format in ``frontdesk.wire.cap``; the console that receives
it is the district server (``district/``), which the desk never imports. The protocol between the two is
written down in ``docs/dispatch-protocol.md``.
"""
