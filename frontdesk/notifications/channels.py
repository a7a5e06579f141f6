"""How an email or a text leaves the desk: one small interface, a few implementations, a recording fake.

A :class:`Channel` sends one :class:`Envelope` or raises: :class:`Refused` when the server or provider said
no for good (a bad address; retrying will not help), :class:`~frontdesk.errors.DeliveryError` for anything
that may pass (the network, a busy server, a password not set yet). Construction never connects; each
``send`` opens its own connection, so a channel is safe to keep for the life of the sender.

- :class:`SmtpChannel`: email over SMTP with STARTTLS or TLS and sign-in; ``none`` (no encryption) only to
  a server on this machine (a local relay), never across the network.
- Texts to a carrier's email-to-SMS gateway address (``5551234567@vtext.com``) are emails with no subject
  and a short plain body, through the same :class:`SmtpChannel`.
- :class:`TwilioChannel`: texts to a phone number through Twilio's HTTP API with Twilio's own client.
- :class:`RecordingChannel`: keeps what it was given (demo mode and tests).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from frontdesk.errors import DeliveryError

# The SMTP side lives in the wire package, shared with the district hub's desk-offline notice.
from frontdesk.wire.smtp import (
    SECURITY,
    TIMEOUT_S,
    Channel,
    Envelope,
    Refused,
    SmtpChannel,
    SmtpConfig,
    build_email,
    is_loopback,
    parse_server,
)

__all__ = [
    "SECURITY",
    "TIMEOUT_S",
    "Channel",
    "Channels",
    "Envelope",
    "RecordingChannel",
    "Refused",
    "SmtpChannel",
    "SmtpConfig",
    "TwilioChannel",
    "TwilioConfig",
    "build_email",
    "is_loopback",
    "parse_server",
    "twilio_missing",
]

FROZEN_NO_TWILIO = (
    "This installed FrontDesk has no Twilio client (it is left out of the installer to keep it small), so "
    "texts to phone numbers cannot be sent from it: give each texting recipient their carrier's "
    "email-to-SMS address (5551234567@vtext.com) instead, or send through a desk installed with pip "
    "install 'frontdesk[sms]'"
)


def twilio_missing() -> str | None:
    """Why Twilio cannot be used here, in the office's words (None when its client can be imported).

    The frozen desk (the installer's bundle) leaves Twilio's client out to stay under 250 MB; it says so
    plainly instead of failing on an import.
    """
    try:
        import twilio.rest  # noqa: F401 - only asking whether it is there
    except ImportError:
        if getattr(sys, "frozen", False):
            return FROZEN_NO_TWILIO
        return "Texts through Twilio need its client: pip install 'frontdesk[sms]'"
    return None


@dataclass(frozen=True)
class TwilioConfig:
    """A Twilio account, the number texts come from, and (tests only) another API address."""

    account: str
    sender: str
    token: Callable[[], str | None] = field(default=lambda: None, compare=False)
    api: str = ""
    # Each request's: Twilio's client has none, and one stalled answer held every message behind it.
    timeout: float = TIMEOUT_S


class TwilioChannel:
    """Texts to phone numbers through Twilio's REST API, with Twilio's official client (``frontdesk[sms]``)."""

    def __init__(self, config: TwilioConfig):
        self.config = config

    def send(self, envelope: Envelope) -> None:
        """Ask Twilio to send the text; a 4xx answer (a bad number) is a refusal, the rest may pass."""
        missing = twilio_missing()
        if missing is not None:
            raise DeliveryError(missing, code="sms_client")
        from twilio.base.exceptions import TwilioRestException
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        config = self.config
        token = config.token()
        if not config.account or not config.sender or not token:
            raise DeliveryError(
                "Twilio is not set up: set notify.twilio_account and notify.twilio_from, and "
                "echo TOKEN | frontdesk notify set-password --twilio",
                code="sms_setup",
            )
        # A timeout of our own: without one, a provider (or a proxy on the way) that takes the request and never
        # answers held the sender's one thread for ever, and every email and text behind it, a panic's too.
        client = Client(config.account, token, http_client=TwilioHttpClient(timeout=config.timeout))
        if config.api:
            client.api.base_url = config.api.rstrip("/")
        try:
            client.messages.create(to=envelope.to, from_=config.sender, body=envelope.body)
        except TwilioRestException as exc:
            if 400 <= exc.status < 500 and exc.status not in (401, 403, 429):
                raise Refused(f"Twilio refused the text to {envelope.to}: {exc.code} {exc.msg}") from None
            raise DeliveryError(f"Twilio answered {exc.status}: {exc.msg}") from None
        except Exception as exc:  # the client's transport errors (requests) have no common base of ours
            raise DeliveryError(f"Twilio could not be reached: {exc}") from None


class RecordingChannel:
    """Keeps every envelope it is given (demo mode, tests); addresses in ``refuse`` are refused for good."""

    def __init__(self, refuse: tuple[str, ...] = ()):
        self.sent: list[Envelope] = []
        self.refuse = {a.lower() for a in refuse}

    def send(self, envelope: Envelope) -> None:
        """Record it (or refuse it)."""
        if envelope.to.lower() in self.refuse:
            raise Refused(f"The fake server refused {envelope.to}")
        self.sent.append(envelope)


@dataclass
class Channels:
    """The channel for each kind of address: email, a gateway text (an address), a provider text (a number)."""

    email: Channel
    sms_gateway: Channel
    sms_provider: Channel | None = None

    def for_envelope(self, envelope: Envelope) -> Channel:
        """Email, gateway or provider, by what the envelope is and where it goes."""
        if not envelope.sms or "@" in envelope.to:
            return self.email if not envelope.sms else self.sms_gateway
        if self.sms_provider is None:
            raise DeliveryError(
                f"{envelope.to} is a phone number, and no text provider is set (notify.sms_provider); "
                "use the carrier's email-to-SMS address instead, or set up Twilio",
                code="sms_setup",
            )
        return self.sms_provider

    @classmethod
    def recording(cls) -> Channels:
        """One recording fake for every kind (demo mode)."""
        fake = RecordingChannel()
        return cls(fake, fake, fake)
