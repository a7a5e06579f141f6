"""The outcome of :meth:`AuditTrail.verify <frontdesk.audit.trail.AuditTrail.verify>`.

Its own module, imported by ``verify``: the desk's first screen never verifies the chain (``frontdesk audit
verify``, the review window and the daily checks do), and creating a frozen dataclass costs about 5 M
instructions on Python 3.11 (each generated method is parsed and compiled from source), which the desk's start
need not pay (issue 13).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of :meth:`AuditTrail.verify`: intact, or the first record found wrong and how."""

    intact: bool
    checked: int
    head_seq: int
    head_hash: str
    problem: str | None = None  # "changed", "deleted", "reordered", "truncated", "anchor"
    seq: int | None = None  # the first record that is wrong (or where the cut is)
    message: str = "intact"
    outside: tuple[str, ...] = ()  # rows deleted, changed or added outside the application (problem "records")
