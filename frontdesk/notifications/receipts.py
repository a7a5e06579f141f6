"""Who a notification went to and when each acknowledged it (:class:`Receipt`), read by
:meth:`Notifications.receipts` (the admission workflow's "told" line).

Its own module, imported by that read: the desk's first screen shows notifications, never their receipts, and
creating a frozen dataclass costs about 3 M instructions on Python 3.11 (each generated method is parsed and
compiled from source), which the desk's start need not pay (issue 13; as :mod:`frontdesk.badges.attempts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Receipt:
    """One recipient of a notification and when they acknowledged it (None: not yet)."""

    username: str
    display_name: str
    read_at: datetime | None
