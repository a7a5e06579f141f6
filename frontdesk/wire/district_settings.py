"""Which settings a district may set for its desks, on both sides: never a desk's own link.

A district setting is applied at every desk of a school, as a layer under the desk's own. The desk's link
settings are not the district's to set: ``dispatch.*`` (the console's address and CA certificate, the station's
id, the panic button) and ``sync.*`` (more hub addresses, each of which is sent the station's credential). A
district value there, set by mistake or served by a compromised hub, could send the panic link or the station's
credential elsewhere. The hub refuses to store them and never serves them; the desk ignores them if they come
anyway, and says so (``frontdesk dispatch connect`` and the desk's own settings set them).
"""

from __future__ import annotations

LINK_PREFIXES = ("dispatch.", "sync.")
# Whether this PC is a self-service kiosk is the PC's own too: a district value (a template made from a kiosk's
# settings, a bad hub) opened every front desk as a kiosk, with no desk window and no panic button (session 22).
STATION_KEYS = frozenset({"kiosk.enabled"})


def is_link_setting(key: str) -> bool:
    """True for a desk's own setting (its link: ``dispatch.*``, ``sync.*``; whether it is a kiosk): never a
    district's."""
    key = key.strip()
    return key.startswith(LINK_PREFIXES) or key in STATION_KEYS
