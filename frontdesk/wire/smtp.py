"""Email on the wire, shared by the desk and the district hub: the plain-text message and one SMTP sender.

The desk's notifications (:mod:`frontdesk.notifications.channels`) and the hub's desk-offline notice
(:mod:`district.hub.notify`) both build their messages with :func:`build_email` and send them with
:class:`SmtpChannel`, so there is one SMTP implementation (STARTTLS or TLS, sign-in, ``none`` only to a
loopback server) and one message format (plain text; a gateway text has no subject). The addresses' checks
and the notices' words are :mod:`frontdesk.wire.mail`.

Like the rest of :mod:`frontdesk.wire` it depends on nothing of the desk but :mod:`frontdesk.errors`.
"""

from __future__ import annotations

import functools
import ipaddress
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from frontdesk.errors import DeliveryError, InputError

if TYPE_CHECKING:  # smtplib, ssl and email load when a message is sent
    import smtplib
    import ssl
    from email.message import EmailMessage

SECURITY = ("starttls", "tls", "none")
TIMEOUT_S = 20.0  # each step (a connection, one answer): a server that stops answering is given up
# One message, every step together. TIMEOUT_S is per step: a server (or a tarpit, or a proxy on the way) that
# answers each step just inside it, or dribbles a greeting one continuation line at a time, held the sender's
# one thread for minutes, and a panic's email queued meanwhile waited behind it.
SEND_DEADLINE_S = 60.0


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
    deadline: float = SEND_DEADLINE_S  # seconds for one message, all steps (see SEND_DEADLINE_S)

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

    def _connect(self, deadline: _Deadline) -> smtplib.SMTP:
        import smtplib

        host, port = self.config.check()
        # Watched from before its connection: the greeting is read while it is made.
        if self.config.security == "tls":
            return _watched(smtplib.SMTP_SSL)(deadline, host, port, timeout=TIMEOUT_S, context=self._context())
        smtp = _watched(smtplib.SMTP)(deadline, host, port, timeout=TIMEOUT_S)
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
        deadline = _Deadline(config.deadline)
        try:
            with deadline, self._connect(deadline) as smtp:
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
            if deadline.expired:
                raise DeliveryError(
                    f"The mail server {config.server} took more than {config.deadline:g} s to take one message "
                    "(it answers, but slowly): tried again later; ask IT to check the mail server",
                    code="smtp_slow",
                ) from None
            raise DeliveryError(f"The mail server {config.server} could not be reached: {exc}") from None


@functools.cache
def _watched(base: type[smtplib.SMTP]) -> type[smtplib.SMTP]:
    """``base`` (smtplib's SMTP or SMTP_SSL) that a :class:`_Deadline` watches from its first step."""

    class Watched(base):  # type: ignore[misc, valid-type]
        def __init__(self, deadline: _Deadline, *args, **kwargs):
            deadline.watch(self)
            super().__init__(*args, **kwargs)

    return Watched


class _Deadline:
    """Ends one message's connection when it runs past ``seconds``, whatever step it is in: the socket of the
    SMTP object it watches is shut down from a timer thread, so the step waiting on it returns at once."""

    def __init__(self, seconds: float):
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._lock = threading.Lock()
        self._watched: smtplib.SMTP | None = None
        self.expired = False

    def watch(self, smtp: smtplib.SMTP) -> None:
        with self._lock:
            self._watched = smtp

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        import socket

        with self._lock:
            self.expired = True
            sock = getattr(self._watched, "sock", None)  # the current one (STARTTLS replaces it)
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def _refusal(code: int, reply: bytes | str, to: str) -> DeliveryError:
    if 500 <= code < 600:
        return Refused(f"The mail server refused {to}: {code} {_text(reply)}")
    return DeliveryError(f"The mail server put off {to}: {code} {_text(reply)}")
