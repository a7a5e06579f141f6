"""The wire format the desk shares with the district server: CAP 1.2 (``cap``) and its OASIS schema.

This is the only part of the core the district package imports; it depends on nothing but ``frontdesk.errors``.
"""
