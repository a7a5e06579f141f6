"""Email on the wire, shared by the desk and the district hub: the plain-text message and one SMTP sender.

The desk's notifications (:mod:`frontdesk.notifications.channels`) and the hub's desk-offline notice
(:mod:`district.hub.notify`) both build their messages with :func:`build_email` and send them with
:class:`SmtpChannel`, so there is one SMTP implementation (STARTTLS or TLS, sign-in, ``none`` only to a
loopback server) and one message format (plain text; a gateway text has no subject). Addresses are
checked with :func:`check_email` and :func:`check_phone` (an account's email and mobile, a recipient's).

Like the rest of :mod:`frontdesk.wire` it depends on nothing of the desk but :mod:`frontdesk.errors`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Protocol

from frontdesk.errors import DeliveryError, InputError

if TYPE_CHECKING:  # smtplib, ssl and email load when a message is sent, not with the rules' checks (start-up)
    import smtplib
    import ssl
    from email.message import EmailMessage

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+[1-9]\d{7,14}$")


def check_email(text: str) -> str:
    """An email address, trimmed (InputError when it is not one)."""
    address = text.strip()
    if not _EMAIL.match(address):
        raise InputError(f"{text!r} is not an email address")
    return address


def is_email(text: str) -> bool:
    """True when ``text`` looks like an email address."""
    return bool(_EMAIL.match(text.strip()))


def check_phone(text: str) -> str:
    """A mobile number in international form, ``+15551234567`` (spaces, dots, dashes and brackets dropped)."""
    digits = re.sub(r"[\s().-]", "", text)
    if not _PHONE.match(digits):
        raise InputError(f"{text!r} is not a phone number in +15551234567 form")
    return digits


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


def desk_offline_words(desk: str, since: datetime, tz: tzinfo | None = None, link: str = "") -> tuple[str, str]:
    """``(subject, text)`` of the desk-offline notice, the same from a desk (its own dispatch link) and from
    the hub (its stations' last contact). ``tz``: the time zone the reader lives in (default: this
    machine's). ``link`` (a web address) ends the email on a line of its own."""
    local = since.astimezone(tz)
    text = (
        f"{desk} has not reached the district since {local:%H:%M} ({local:%m/%d}). "
        "Check its network and that FrontDesk is open."
    )
    if link:
        text += f"\n\nOpen on the district hub: {link}"
    return f"{desk} is offline", text


def parse_rules(value: object) -> list[dict]:
    """The district's notification rules (the ``notify.rules`` district setting) as a list of rule mappings.

    ``value`` is either a list of ``{"to", "events", "sms", "name", "locked"}`` mappings, or the same written
    as one line of text, which the hub's district settings can carry as a plain value::

        !security@district.example=panic,desk-offline; role:principal=match,daily-log; role:principal/sms=panic

    Rules are separated by ``;`` (or new lines); each is ``TARGET=EVENT[,EVENT...]``; ``!`` before the
    target locks the rule (a school may not override it); ``/sms`` after it sends texts. Events and targets
    are checked by the desk that applies them; this only reads the shape (InputError names the bad rule).
    """
    if isinstance(value, list):
        if not all(isinstance(rule, dict) for rule in value):
            raise InputError("District notification rules must each be an object with 'to' and 'events'")
        return list(value)
    if not isinstance(value, str):
        raise InputError("District notification rules are a list or a line of text (TARGET=EVENTS; ...)")
    rules = []
    for part in re.split(r"[;\n]", value):
        part = part.strip()
        if not part:
            continue
        target, sep, events = part.partition("=")
        if not sep or not target.strip():
            raise InputError(f"District notification rule {len(rules) + 1}: write TARGET=EVENTS, not {part!r}")
        target = target.strip()
        locked = target.startswith("!")
        target = target.lstrip("!").strip()
        sms = target.lower().endswith("/sms")
        if sms:
            target = target[: -len("/sms")].strip()
        rules.append(
            {
                "to": target,
                "events": [e.strip() for e in events.split(",") if e.strip()],
                "sms": sms,
                "locked": locked,
            }
        )
    return rules
