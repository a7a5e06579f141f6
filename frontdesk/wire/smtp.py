"""Email on the wire, shared by the desk and the district hub: the plain-text message and one SMTP sender.

The desk's notifications (:mod:`frontdesk.notifications.channels`) and the hub's desk-offline notice
(:mod:`district.hub.notify`) both build their messages with :func:`build_email` and send them with
:class:`SmtpChannel`, so there is one SMTP implementation (STARTTLS or TLS, sign-in, ``none`` only to a
loopback server) and one message format (plain text; a gateway text has no subject). The addresses' checks
and the notices' words are :mod:`frontdesk.wire.mail`.

Like the rest of :mod:`frontdesk.wire` it depends on nothing of the desk but :mod:`frontdesk.errors`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from frontdesk.errors import DeliveryError, InputError

if TYPE_CHECKING:  # smtplib, ssl and email load when a message is sent
    import smtplib
    import ssl
    from email.message import EmailMessage

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
    from email.message import EmailMessage
    from email.utils import formatdate

    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = envelope.to
    if not envelope.sms:
        # One line: a school or station name holding a line separator (U+2028, NEL: not control characters to
        # the fields' checks) made the header refused (ValueError) and every message of this desk unsendable.
        msg["Subject"] = " ".join(envelope.subject.splitlines())
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
        import ssl

        return ssl.create_default_context(cafile=self.config.ca_file or None)

    def _connect(self) -> smtplib.SMTP:
        import smtplib

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
        import smtplib
        import ssl

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
