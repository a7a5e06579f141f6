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

import ipaddress
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

from frontdesk.errors import DeliveryError, InputError

SECURITY = ("starttls", "tls", "none")
TIMEOUT_S = 20.0


class Refused(DeliveryError):
    """The server or provider refused the message for good (retrying will not help)."""

    code = "refused"


@dataclass(frozen=True)
class Envelope:
    """One message to one address. ``sms``: a text (short, plain; no subject on a gateway)."""

    to: str
    subject: str
    body: str
    sms: bool = False
    message_id: str = ""
    attachment_name: str | None = None
    attachment: bytes | None = None


class Channel(Protocol):
    """Sends one envelope, or raises :class:`Refused` / :class:`DeliveryError`."""

    def send(self, envelope: Envelope) -> None:
        """Deliver ``envelope`` (the server accepted it when this returns)."""


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and 127.0.0.0/8 or ::1 (the only place an unencrypted server is allowed)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_server(text: str) -> tuple[str, int]:
    """``host:port`` (or ``host``: port 587) as a pair; InputError when malformed."""
    text = text.strip()
    if not text:
        raise InputError("No mail server is set: frontdesk config set notify.smtp_server HOST:PORT")
    host, sep, port = text.rpartition(":")
    if not sep:
        return text, 587
    if not port.isdigit() or not host:
        raise InputError(f"The mail server must be written host:port, not {text!r}")
    return host.strip("[]"), int(port)


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send email; the password is read when sending (from the keyring)."""

    server: str
    security: str = "starttls"
    user: str = ""
    sender: str = ""
    password: Callable[[], str | None] = field(default=lambda: None, compare=False)
    ca_file: str = ""

    def check(self) -> tuple[str, int]:
        """The server's host and port, after checking the settings make sense together."""
        host, port = parse_server(self.server)
        if self.security not in SECURITY:
            raise InputError(f"notify.smtp_security must be one of {', '.join(SECURITY)}, not {self.security!r}")
        if self.security == "none" and not is_loopback(host):
            raise InputError(
                f"notify.smtp_security none sends passwords and messages unencrypted: it is allowed only to a "
                f"mail server on this machine, not {host}. Use starttls or tls."
            )
        if not self.sender:
            raise InputError("Set who notifications come from: frontdesk config set notify.from ADDRESS")
        return host, port


def build_email(envelope: Envelope, sender: str) -> EmailMessage:
    """The message as sent: plain text; a gateway text has no subject; the attachment (a PDF) if any."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = envelope.to
    if not envelope.sms:
        msg["Subject"] = envelope.subject
    msg["Date"] = formatdate(localtime=True)
    if envelope.message_id:
        msg["Message-ID"] = envelope.message_id
    msg.set_content(envelope.body)
    if envelope.attachment is not None:
        msg.add_attachment(
            envelope.attachment,
            maintype="application",
            subtype="pdf",
            filename=envelope.attachment_name or "log.pdf",
        )
    return msg


class SmtpChannel:
    """Email (and gateway texts) through one SMTP server."""

    def __init__(self, config: SmtpConfig):
        self.config = config

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.config.ca_file or None)

    def _connect(self) -> smtplib.SMTP:
        host, port = self.config.check()
        if self.config.security == "tls":
            return smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_S, context=self._context())
        smtp = smtplib.SMTP(host, port, timeout=TIMEOUT_S)
        if self.config.security == "starttls":
            try:
                smtp.starttls(context=self._context())
            except smtplib.SMTPNotSupportedError:
                smtp.close()
                raise DeliveryError(
                    f"The mail server {host} does not offer STARTTLS: use notify.smtp_security tls, or ask IT",
                    code="smtp_tls",
                ) from None
        return smtp

    def send(self, envelope: Envelope) -> None:
        """Connect, sign in, send, quit. Refused for an address the server will never accept."""
        config = self.config
        try:
            with self._connect() as smtp:
                if config.user:
                    password = config.password()
                    if not password:
                        raise DeliveryError(
                            "The mail server password is not set: echo PASSWORD | frontdesk notify set-password",
                            code="smtp_password",
                        )
                    smtp.login(config.user, password)
                smtp.send_message(build_email(envelope, config.sender))
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            raise _refusal(code, reply, envelope.to) from None
        except smtplib.SMTPDataError as exc:
            raise _refusal(exc.smtp_code, exc.smtp_error, envelope.to) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                f"The mail server refused the sign-in for {config.user} ({exc.smtp_code})", code="smtp_auth"
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"The mail server answered {exc.smtp_code}: {_text(exc.smtp_error)}") from None
        except (smtplib.SMTPException, ssl.SSLError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"The mail server {config.server} could not be reached: {exc}") from None


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def _refusal(code: int, reply: bytes | str, to: str) -> DeliveryError:
    if 500 <= code < 600:
        return Refused(f"The mail server refused {to}: {code} {_text(reply)}")
    return DeliveryError(f"The mail server put off {to}: {code} {_text(reply)}")


@dataclass(frozen=True)
class TwilioConfig:
    """A Twilio account, the number texts come from, and (tests only) another API address."""

    account: str
    sender: str
    token: Callable[[], str | None] = field(default=lambda: None, compare=False)
    api: str = ""


class TwilioChannel:
    """Texts to phone numbers through Twilio's REST API, with Twilio's official client (``frontdesk[sms]``)."""

    def __init__(self, config: TwilioConfig):
        self.config = config

    def send(self, envelope: Envelope) -> None:
        """Ask Twilio to send the text; a 4xx answer (a bad number) is a refusal, the rest may pass."""
        try:
            from twilio.base.exceptions import TwilioRestException
            from twilio.rest import Client
        except ImportError:
            raise DeliveryError(
                "Texts through Twilio need its client: pip install 'frontdesk[sms]'", code="sms_client"
            ) from None
        config = self.config
        token = config.token()
        if not config.account or not config.sender or not token:
            raise DeliveryError(
                "Twilio is not set up: set notify.twilio_account and notify.twilio_from, and "
                "echo TOKEN | frontdesk notify set-password --twilio",
                code="sms_setup",
            )
        client = Client(config.account, token)
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
