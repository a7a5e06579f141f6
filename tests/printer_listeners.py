"""TCP listeners on 127.0.0.1 that stand in for network printers: they capture what is sent, answer
status requests like a ready (or empty) printer, refuse, stay silent, or reset the connection mid-job."""

from __future__ import annotations

import socket
import struct
import threading
import time

READY = 0x12  # an ESC/POS real-time status byte with no problem bit set
PAPER_OUT = 0x12 | 0x60


class Listener:
    """A fake network printer. ``mode`` is ``capture``, ``mute`` (reads everything, never answers status),
    ``silent`` (accepts, never reads or answers),
    ``reset`` (reads ``reset_after`` bytes, then resets), or ``brother`` (captures, answers QL status)."""

    def __init__(
        self,
        mode: str = "capture",
        *,
        status: int = READY,
        reset_after: int = 8192,
        brother_reply: bytes | None = None,
    ):
        self.mode = mode
        self.status = status
        self.reset_after = reset_after
        self.brother_reply = brother_reply
        self.connections: list[bytearray] = []
        self.done = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if mode in ("silent", "reset"):
            # A small window, like a printer's own buffer: the job cannot all sit in the kernel unread.
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self.port = self._sock.getsockname()[1]
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def data(self) -> bytes:
        """Everything received on all connections, in order."""
        return b"".join(bytes(c) for c in self.connections)

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        received = bytearray()
        self.connections.append(received)
        if self.mode == "silent":
            self._held.append(conn)  # keep it open, read nothing, answer nothing
            return
        conn.settimeout(5)
        try:
            while True:
                chunk = conn.recv(1024 if self.mode == "reset" else 65536)
                if not chunk:
                    break
                received += chunk
                if self.mode == "reset" and len(received) >= self.reset_after:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    conn.close()
                    return
                tail = bytes(received[-3:])
                if self.mode == "mute":
                    continue
                if self.mode == "brother" and bytes(received).endswith(b"\x1b\x69\x53"):
                    if self.brother_reply:
                        conn.sendall(self.brother_reply)
                elif tail in (b"\x10\x04\x02", b"\x10\x04\x04", b"\x10\x04\x01"):
                    conn.sendall(bytes([self.status]))
        except OSError:
            pass
        finally:
            conn.close()
            self.done.set()

    def close(self) -> None:
        """Stop listening and drop held connections."""
        stop_listening(self._sock)
        self._thread.join(timeout=5)
        for conn in self._held:
            conn.close()


def stop_listening(sock: socket.socket) -> None:
    """Close a listening socket so that a thread blocked in its ``accept()`` returns: on Linux ``close()`` alone
    leaves that thread blocked, and the port listening, for the rest of the test process."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # not connected (macOS) or already shut
        pass
    sock.close()


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening (connections are refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(predicate, timeout: float = 3.0) -> bool:
    """Poll ``predicate`` until true or ``timeout`` (for data arriving on a listener thread)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()
