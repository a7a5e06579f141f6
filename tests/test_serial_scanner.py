"""Serial scanners through pyserial's loop:// port: whole scans by silence, reconnect after an unplug."""

from __future__ import annotations

import threading
import time

import serial

from frontdesk.errors import DeviceError
from scanners.aamva import parse_id
from scanners.serial_scanner import SerialScanner, run_scanner
from scanners.source import FakeScanner
from tests.id_corpus import US, card_payload

PAYLOAD = card_payload(US)


def _send_in_pieces(port, data: bytes, piece: int = 64, pause: float = 0.02) -> None:
    for i in range(0, len(data), piece):
        port.write(data[i : i + piece])
        time.sleep(pause)


def test_a_scan_sent_in_pieces_with_crlf_inside_is_read_whole():
    scanner = SerialScanner("loop://", 115200, silence=0.1)
    scanner.open()
    try:
        sender = threading.Thread(target=_send_in_pieces, args=(scanner.port, PAYLOAD))
        sender.start()
        data = scanner.read_scan(timeout=2.0)
        sender.join()
        assert data == PAYLOAD
        assert parse_id(data).last_name == "TESTWOOD"
        assert scanner.read_scan(timeout=0.05) is None
    finally:
        scanner.close()
        scanner.close()


def test_two_scans_separated_by_silence_are_two_scans():
    scanner = SerialScanner("loop://", silence=0.08)
    scanner.open()
    try:
        scanner.port.write(b"first\r\n")
        assert scanner.read_scan(1.0) == b"first\r\n"
        scanner.port.write(b"second\r")
        assert scanner.read_scan(1.0) == b"second\r"
    finally:
        scanner.close()


def test_a_missing_port_is_a_device_error_in_plain_words():
    scanner = SerialScanner("/dev/frontdesk-no-such-port")
    try:
        scanner.open()
    except DeviceError as exc:
        assert "not connected" in exc.message and exc.code == "scanner_missing"
    else:
        raise AssertionError("expected DeviceError")


def test_worker_reconnects_after_unplug_and_replug():
    ports: list[serial.SerialBase] = []
    plugged = threading.Event()

    def opener(url, **kwargs):
        if not plugged.is_set():
            raise serial.SerialException("could not open port /dev/ttyACM0")
        port = serial.serial_for_url("loop://", **kwargs)
        ports.append(port)
        return port

    scans: list[bytes] = []
    states: list[tuple[str, str]] = []
    stop = threading.Event()
    source = SerialScanner("/dev/ttyACM0", opener=opener, silence=0.05)
    worker = threading.Thread(
        target=run_scanner,
        args=(source, scans.append, lambda s, t: states.append((s, t)), stop),
        kwargs={"retry": 0.05, "poll": 0.05},
    )
    worker.start()
    try:
        _wait(lambda: states and states[-1][0] == "error")
        plugged.set()
        _wait(lambda: ports and states[-1][0] == "ok")
        ports[-1].write(PAYLOAD)
        _wait(lambda: scans == [PAYLOAD])
        plugged.clear()
        ports[-1].close()  # unplugged mid-session
        _wait(
            lambda: (
                states[-1][0] == "error" and "disconnected" in states[-1][1] or "not connected" in states[-1][1]
            )
        )
        plugged.set()
        _wait(lambda: len(ports) == 2 and states[-1][0] == "ok")
        ports[-1].write(b"second scan")
        _wait(lambda: scans[-1] == b"second scan")
    finally:
        stop.set()
        worker.join(5)
    assert not worker.is_alive()


def test_fake_scanner_replays_recorded_bytes():
    fake = FakeScanner([PAYLOAD])
    fake.open()
    assert fake.read_scan(0.1) == PAYLOAD and fake.read_scan(0.01) is None
    fake.push(b"again")
    assert fake.read_scan(0.1) == b"again"
    fake.close()


def _wait(condition, timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError("condition not met in time")


def test_a_scanner_that_never_stops_sending_is_reported_not_read_for_ever():
    """Found in session 23, on a real pseudo-terminal: a scanner that sends without a pause (a presentation
    scanner re-reading a card left on it faster than the 100 ms that ends a scan, a wrong baud rate's noise) was
    read as one scan that never ended: nothing reached the desk, the status bar said "ready", the scan grew without
    bound, and the reader could not be stopped. Now a scan longer than any ID is a plain error in the status bar
    (and the event log), and the scanner is read again once it is quiet."""
    import os
    import tty

    master, slave = os.openpty()
    tty.setraw(slave)
    scans: list[bytes] = []
    states: list[tuple[str, str]] = []
    stop, flooding = threading.Event(), threading.Event()

    def flood() -> None:
        os.set_blocking(master, False)
        while flooding.is_set():
            try:
                os.write(master, PAYLOAD)  # the same card, again and again, with no pause between
            except BlockingIOError:  # the line is full: the reader is behind (or closed the port)
                time.sleep(0.001)
        os.set_blocking(master, True)

    source = SerialScanner(os.ttyname(slave), silence=0.1)
    reader = threading.Thread(
        target=run_scanner,
        args=(source, scans.append, lambda s, t: states.append((s, t)), stop),
        kwargs={"retry": 0.05, "poll": 0.05},
    )
    reader.start()
    flooding.set()
    writer = threading.Thread(target=flood, daemon=True)
    try:
        _wait(lambda: states and states[-1][0] == "ok")
        writer.start()
        _wait(lambda: any("without a pause" in t for s, t in states if s == "error"), timeout=20)
        assert scans == []  # nothing half-read went to the desk
        flooding.clear()
        writer.join(5)
        _wait(lambda: states[-1][0] == "ok")  # quiet again: read as before
        assert scans == []
        os.write(master, PAYLOAD)
        _wait(lambda: scans == [PAYLOAD])
    finally:
        flooding.clear()
        stop.set()
        reader.join(5)
        os.close(master)
        os.close(slave)
    assert not reader.is_alive()
