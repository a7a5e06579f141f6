"""An ID shown at the desk: parsed by ``scanners``, and recorded in the audit trail as it is shown.

The desk keeps no more of an ID than a visit stores (name, date of birth, document, issuer, expiry, the last
four of the number); the audit record of a view says whose ID was read and which document, never the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from frontdesk.audit import AuditTrail
    from scanners.idcard import IdRecord


class IdReader:
    """Every door that reads an ID (a wedge or serial scanner, a photo) reads it through :meth:`read`."""

    def __init__(self, audit: AuditTrail):
        self._audit = audit

    def read(self, data: bytes | str) -> IdRecord:
        """The ID in ``data`` (raises ``UnreadableIdError``), recorded as viewed by the person at the desk."""
        from scanners.aamva import parse_id  # the parsers load with the first ID read, not at start-up

        record = parse_id(data)
        visitor = record.to_visitor()
        self._audit.record(
            None,
            "id.view",
            visitor.full_name,
            {"document": record.document, "issuer": record.jurisdiction, "last4": record.id_last4},
        )
        return record
