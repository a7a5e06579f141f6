"""A real SMTP server on loopback (aiosmtpd, in the test process) and a recording fake of Twilio's HTTP API.

The SMTP server offers STARTTLS (required before anything else) or implicit TLS, with a throw-away
certificate for 127.0.0.1 made with ``cryptography``, and AUTH PLAIN/LOGIN against one user and password;
it keeps every message it accepted and refuses (550) the addresses it is told to.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.dispatch_station_support import self_signed_certificate

SMTP_USER = "frontdesk@maple.example"
SMTP_PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    """One accepted message: the envelope's recipients and the parsed message."""

    rcpt: list[str]
    message: EmailMessage
    authenticated: bool
    tls: bool


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's
        if address.lower() in self.server.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        tls = server.transport.get_extra_info("ssl_object") is not None  # STARTTLS or implicit TLS
        with self.server.lock:
            self.server.received.append(Received(list(envelope.rcpt_tos), message, session.authenticated, tls))
        if self.server.on_message is not None:  # a test's step while the sender waits for this answer
            self.server.on_message(message)
        return "250 Message accepted for delivery"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode() == SMTP_USER and auth_data.password.decode() == SMTP_PASSWORD
    )
    return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535 itself


@dataclass
class SmtpServer:
    """A running aiosmtpd server; ``address`` is ``127.0.0.1:PORT``; ``ca_file`` verifies its certificate."""

    mode: str
    folder: Path
    refuse: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    on_message: Callable[[EmailMessage], None] | None = None  # called with each accepted message, before the 250

    def start(self) -> SmtpServer:
        cert, key = self_signed_certificate(self.folder)
        self.ca_file = cert
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        self.port = free_port()
        kwargs: dict = {"authenticator": _authenticator, "auth_require_tls": True}
        if self.mode == "tls":
            # aiosmtpd offers AUTH "only after TLS" by its STARTTLS state, which implicit TLS never sets:
            # the whole connection is encrypted here, so AUTH is offered from the start.
            self.controller = Controller(
                _Handler(self),
                hostname="127.0.0.1",
                port=self.port,
                ssl_context=context,
                authenticator=_authenticator,
                auth_require_tls=False,
            )
        elif self.mode == "starttls":
            self.controller = Controller(
                _Handler(self),
                hostname="127.0.0.1",
                port=self.port,
                tls_context=context,
                require_starttls=True,
                **kwargs,
            )
        else:  # no encryption: only a loopback server may be used so (AUTH is not offered without TLS)
            self.controller = Controller(
                _Handler(self),
                hostname="127.0.0.1",
                port=self.port,
                auth_require_tls=False,
                authenticator=_authenticator,
            )
        self.controller.start()
        return self

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.controller.stop()

    def messages_to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [r.message for r in self.received if address in r.rcpt]


# --- Twilio's REST API, recorded ----------------------------------------------------------------------------
@dataclass
class Recorded:
    """One HTTP request as the fake received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class FakeTwilio:
    """Answers ``POST /2010-04-01/Accounts/{sid}/Messages.json`` like Twilio (201 and a message resource);
    numbers in ``invalid`` get Twilio's 400 / 21211. Every request is recorded, in order."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.invalid: set[str] = set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                fake.requests.append(Recorded("POST", self.path, dict(self.headers.items()), body))
                from urllib.parse import parse_qs

                form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                if form.get("To") in fake.invalid:
                    status, payload = (
                        400,
                        {
                            "code": 21211,
                            "message": f"The 'To' number {form.get('To')} is not a valid phone number.",
                            "more_info": "https://www.twilio.com/docs/errors/21211",
                            "status": 400,
                        },
                    )
                else:
                    status, payload = (
                        201,
                        {
                            "sid": f"SM{len(fake.requests):032d}",
                            "account_sid": self.path.split("/")[3],
                            "to": form.get("To"),
                            "from": form.get("From"),
                            "body": form.get("Body"),
                            "status": "queued",
                            "num_segments": "1",
                            "direction": "outbound-api",
                            "api_version": "2010-04-01",
                            "uri": self.path,
                        },
                    )
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> FakeTwilio:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)
