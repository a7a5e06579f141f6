"""Helpers for the station-side dispatch tests: a file keyring, a real console on loopback, a lossy proxy.

The console is the real one (``district.console``) served by uvicorn on 127.0.0.1; the proxy is a
real TCP relay that can swallow the console's answers to chosen requests, as a flaky network does.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from district.console.server import running
from district.console.service import ConsoleService
from frontdesk import clock
from frontdesk import settings as s
from frontdesk.context import Services
from frontdesk.dispatch.link import DispatchLink, LinkListener, LinkTimings
from frontdesk.wire import cap
from tests.dispatch_keyring import KEYRING_FILE_ENV, FileKeyring  # noqa: F401 - re-exported for the tests
from tests.printer_listeners import stop_listening

# Link timings shortened for tests (the real ones are seconds).
FAST = LinkTimings(
    attempt_timeout=1.0,
    backoff_first=0.02,
    backoff_cap=0.2,
    heartbeat=0.5,
    heartbeat_down=0.2,
    heartbeat_confirm=0.2,
    probe=0.1,
    inbox_wait=1,
    inbox_retry_first=0.02,
    not_delivered_after=0.6,
)


@contextmanager
def link_running(
    services: Services, timings: LinkTimings = FAST, listener: LinkListener | None = None, **kw
) -> Iterator[DispatchLink]:
    """The station's dispatch link running on its own thread, stopped (and joined) afterwards."""
    link = services.station.link(timings=timings, listener=listener)
    thread = threading.Thread(target=link.run, kwargs=kw, daemon=True)
    thread.start()
    link.wait_started()
    try:
        yield link
    finally:
        link.stop()
        thread.join(5)
        assert not thread.is_alive()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Console:
    """A real console: its service (to ack, push states, read what it stored) and where it listens."""

    service: ConsoleService
    port: int
    credential: str
    school: str
    cert: Path | None = None
    key: Path | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.cert else 'http'}://127.0.0.1:{self.port}"

    @contextmanager
    def up(self) -> Iterator[str]:
        """Serve until the block ends (call again to restart on the same port)."""
        with running(self.service, port=self.port, cert=self.cert, key=self.key) as url:
            yield url

    def clearer(self, role: str = "principal") -> str:
        """Enrol a principal of this school who may sign an all clear; returns their all-clear code."""
        return self.service.clearers.add("Pat Principal", role, self.school)[1]

    def identifiers(self) -> list[str]:
        """Every message the console stored, in the order it stored them."""
        rows = self.service.db.read().all("SELECT identifier FROM alerts ORDER BY seq")
        return [r[0] for r in rows]


@contextmanager
def console_at(folder: Path, school: str = "Maple Grove Elementary") -> Iterator[Console]:
    """A console database with one enrolled station (not serving yet: use ``console.up()``)."""
    folder.mkdir(parents=True, exist_ok=True)
    service = ConsoleService.open(f"sqlite:///{folder / 'console.db'}")
    warm_up_schema()
    try:
        enrolment = service.auth.enroll(
            school,
            "Main office desk",
            "Room 101",
            building="A",
            floor="1",
            house_number="100",
            street="Example Lane",
            city="Springfield",
            phone="555-0100",
        )
        yield Console(service, free_port(), enrolment.credential, school)
    finally:
        service.close()


def warm_up_schema() -> None:
    """Load the CAP schema once per process (about a second) so no test's first alert pays for it."""
    message = cap.CapMessage(identifier="fd-warm", sender=cap.station_sender("warm"), sent=clock.now())
    cap.validate(cap.build(message))


def set_up_station(services: Services, school: str = "Maple Grove Elementary") -> None:
    """The school and desk settings a station sends with every alert."""
    st = services.settings
    st.set(s.SCHOOL_NAME, school)
    st.set(s.SCHOOL_ADDRESS, "100 Example Lane, Springfield")
    st.set(s.SCHOOL_PHONE, "555-0100")
    st.set(s.STATION_NAME, "Main office desk")
    st.set(s.STATION_ROOM, "Room 101")
    st.set(s.STATION_BUILDING, "A")
    st.set(s.STATION_FLOOR, "1")
    st.set(s.STAFF_NAME, "Pat Example")
    st.set(s.EMERGENCY_NUMBERS, "911, district police 555-0199")


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A throw-away certificate for 127.0.0.1 (it is its own CA) and its key, as PEM files."""
    import ipaddress
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


POISONED = (
    b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: 27\r\n"
    b'Connection: close\r\n\r\n{"error": "failed on this"}'
)


def _whole_request(client: socket.socket, chunk: bytes) -> bytes:
    """``chunk`` (the start of an HTTP request) read on to the end of its body (its Content-Length)."""
    while b"\r\n\r\n" not in chunk:
        chunk += client.recv(65536)
    head, _, body = chunk.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = next((int(h.split(b":", 1)[1]) for h in lines if h.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        body += client.recv(65536)
    return head + b"\r\n\r\n" + body


class LossyProxy:
    """A TCP relay to ``upstream_port`` that swallows the answers to the next ``drop`` alert POSTs.

    The request reaches the console (which commits and answers); the answer is read and thrown away and the
    station's connection is closed, so the station cannot know the console has the alert.

    With ``answer`` (raw HTTP response bytes), those requests never reach the console: the relay answers
    them itself and closes the connection, as a load shedder in front of a console does. With ``stall``,
    the next ``stall`` such requests are held: never sent on, never answered, the connection left open until
    the station gives up on it (a console too busy to answer in time). With ``late``, the next ``late`` such
    requests (before any held ones) are sent on ``late_by`` seconds after they came (a console that answers
    past the station's attempt timeout). With ``trickle``, the next ``trickle`` such requests are never sent on:
    the relay answers a status line and then one byte of a header every 0.2 s, never ending the headers, until
    the station closes its side (a middlebox or a console that answers, but never finishes). With ``poison``
    (bytes), every such request whose body holds them is answered ``500`` by the relay and never sent on, for
    as long as ``poison`` is set (a console that fails on one message, every time, and stores the others).
    """

    def __init__(
        self,
        upstream_port: int,
        drop: int = 0,
        request: bytes = b"POST /api/v1/alerts",
        answer: bytes = b"",
        stall: int = 0,
        late: int = 0,
        late_by: float = 0.0,
        trickle: int = 0,
        poison: bytes = b"",
    ):
        self.poison = poison
        self.poisoned = 0  # requests the relay answered 500 for holding ``poison``
        self.request = request  # the requests whose answers are swallowed (by their first bytes)
        self.answer = answer
        self.answered_at: list[float] = []  # when the relay answered a request itself (``answer``), monotonic
        self.upstream_port = upstream_port
        self.drop = drop
        self.dropped = 0
        self.stall = stall
        self.stalled = 0  # requests held unanswered so far
        self.late, self.late_by = late, late_by
        self.delayed = 0  # requests sent on late so far
        self.trickle = trickle
        self.trickled = 0  # requests answered a byte at a time so far
        self.accepted = 0  # connections the station opened through the relay
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._closing = True
        stop_listening(self._server)  # a thread blocked in accept() returns (close() alone leaves it blocked)

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            self.accepted += 1
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)  # the timeout was for connecting: an idle kept-alive connection stays open
        swallow = threading.Event()

        def back() -> None:
            try:
                while chunk := upstream.recv(65536):
                    if swallow.is_set():
                        break  # the answer was read by the relay only: the station never sees it
                    client.sendall(chunk)
            except OSError:
                pass
            finally:
                for sock in (client, upstream):
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    sock.close()

        threading.Thread(target=back, daemon=True).start()
        try:
            while chunk := client.recv(65536):
                if chunk.startswith(self.request) and self.poison:
                    chunk = _whole_request(client, chunk)
                    if self.poison in chunk:
                        with self._lock:
                            self.poisoned += 1
                        swallow.set()
                        client.sendall(POISONED)
                        upstream.shutdown(socket.SHUT_RDWR)  # the relay's other half then closes both
                        break
                if chunk.startswith(self.request) and self.delayed < self.late:
                    with self._lock:
                        self.delayed += 1
                    time.sleep(self.late_by)
                    upstream.sendall(chunk)
                    continue
                if chunk.startswith(self.request) and self.trickled < self.trickle:
                    with self._lock:
                        self.trickled += 1
                    client.sendall(b"HTTP/1.1 200 OK\r\n")
                    client.settimeout(0.2)
                    while True:  # a byte of a header name every 0.2 s until the station hangs up
                        client.sendall(b"X")
                        try:
                            if not client.recv(65536):
                                break
                        except TimeoutError:
                            continue
                    upstream.shutdown(socket.SHUT_RDWR)
                    break
                if chunk.startswith(self.request) and self.stalled < self.stall:
                    with self._lock:
                        self.stalled += 1
                    while client.recv(65536):  # held until the station closes its side
                        pass
                    upstream.shutdown(socket.SHUT_RDWR)
                    break
                if chunk.startswith(self.request) and self.answer:
                    with self._lock:
                        self.answered_at.append(time.monotonic())
                    swallow.set()
                    client.sendall(self.answer)
                    upstream.shutdown(socket.SHUT_RDWR)  # the relay's other half then closes both
                    break
                if chunk.startswith(self.request):
                    with self._lock:
                        if self.dropped < self.drop:
                            self.dropped += 1
                            swallow.set()
                upstream.sendall(chunk)
        except OSError:
            pass
