"""The audit trail: an append-only, hash-chained record of who did what and when.

Services record through :class:`AuditTrail`; ``frontdesk audit verify`` checks the chain. See ``trail.py``.
"""

from frontdesk.audit.trail import GENESIS, AuditRecord, AuditTrail, record_hash

# VerifyResult is frontdesk.audit.verify_result's, loaded with the first verify (not with the desk's start).
__all__ = ["GENESIS", "AuditRecord", "AuditTrail", "record_hash"]
