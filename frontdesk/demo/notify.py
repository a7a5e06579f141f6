"""Demo mode's email and text notifications: synthetic recipients, and a recording fake instead of a server.

Nothing leaves the machine: every channel is :class:`~frontdesk.notifications.channels.RecordingChannel`
(one address is refused by it, so the administrator's screen shows what a refusal looks like).
"""

from __future__ import annotations

import random

from frontdesk.context import Services
from frontdesk.notifications.channels import Channels, RecordingChannel

REFUSED = "old.office@maple-grove.example"


def seed_notify(services: Services, rng: random.Random) -> None:
    """Recipients (the district's rules and the school's), the fake channels, and a test already sent."""
    fake = RecordingChannel(refuse=(REFUSED,))
    channels = Channels(fake, fake, fake)
    services.sender.use_channels(lambda: channels)
    # The district's rules (what the hub's district settings would carry): its security office, locked, and
    # every principal (their accounts' email), which a school may narrow.
    services.outbound.set_district_rules(
        [
            {
                "to": "security@district.example",
                "events": "match,panic,desk-offline",
                "name": "District security (demo)",
                "locked": True,
            },
            {"to": "role:principal", "events": "match,watch,release-refused,panic,daily-log"},
        ]
    )
    services.accounts.set_contact("principal", email="principal@maple-grove.example")
    out = services.outbound
    out.add("sro.diaz@maple-grove.example", "match,panic", name="Officer Diaz, SRO")
    out.add("+15550100123", "match,panic", name="Officer Diaz (cell)", sms=True)
    out.add("5550100456@vtext.example", "panic", name="Assistant principal (text)", sms=True)
    out.add(REFUSED, "daily-log", name="Old office mailbox")
    out.queue_test()
    services.sender.drain()
