"""The audit trail: an append-only, hash-chained record of who did what and when.

Services record through :class:`AuditTrail`; ``frontdesk audit verify`` checks the chain. See ``trail.py``.
"""

from frontdesk.audit.trail import GENESIS, AuditRecord, AuditTrail, VerifyResult, record_hash

__all__ = ["GENESIS", "AuditRecord", "AuditTrail", "VerifyResult", "record_hash"]
