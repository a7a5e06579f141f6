"""The wire format the desk shares with the district server: CAP 1.2 (``cap``) and its OASIS schema.

This is the only part of the core the district package imports; of the core it depends on nothing but
``frontdesk.errors`` and ``frontdesk.limits``. ``names`` and ``keys`` are the blocking keys of list entries
(the hub computes them once per entry and sends them in its snapshots).
"""
