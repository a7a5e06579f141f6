"""``frontdesk --self-test``: prove that this installation (above all a frozen bundle) has every part it loads.

Each step uses the real code path on synthetic data in a throw-away folder, and nothing on the machine is
touched: secrets go to an in-memory keyring. The steps load what PyInstaller cannot see by itself (the
SQLCipher driver, keyring's backends, the barcode reader, both printer encoders, the USB library the USB
printers print through, the CAP schema), so a
bundle that lost one of them fails here rather than at a school. Exit 0 when every step passed, 1 if not.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

# A synthetic licence (the demo's first card: an invented person).
from scanners.samples import DEMO_SCANS

Step = Callable[[dict], str]


def _open(state: dict) -> str:
    import keyring

    from frontdesk.context import Services
    from frontdesk.secrets import MemoryKeyring, SecretStore
    from frontdesk.store import cipher

    keyring.get_keyring()  # keyring's own backend discovery (entry points) must work in a bundle too
    state["services"] = Services.open(
        state["folder"], secrets=SecretStore(MemoryKeyring()), encrypt=cipher.available()
    )
    store = state["services"].store
    return f"database at {store.path} ({'encrypted, SQLCipher ' + cipher.version() if store.key else 'plain'})"


def _parse(state: dict) -> str:
    from scanners.aamva import parse_id

    record = parse_id(DEMO_SCANS[0])
    state["visitor"] = record.to_visitor()
    return f"synthetic ID read: {record.first_name} {record.last_name}"


def _screen(state: dict) -> str:
    from frontdesk.checkin.workflow import CheckInRequest, Cleared, NeedsDecision
    from frontdesk.models import Visitor
    from frontdesk.screening.dates import parse_dob
    from frontdesk.screening.models import Kind, NewEntry

    services = state["services"]
    visitor = state["visitor"]
    outcome = services.checkin.start(CheckInRequest(visitor))
    if not isinstance(outcome, Cleared):
        raise AssertionError(f"a clean visitor was not cleared: {outcome}")
    state["visit"] = services.checkin.commit(outcome).visit
    # The same kind of person on the barred list must be flagged.
    dob = parse_dob("1975-04-02")
    services.lists.add("Self-test", NewEntry("Robert", "Selftestbarred", dob=dob, kind=Kind.BARRED))

    flagged = services.checkin.start(
        CheckInRequest(Visitor(first_name="Robert", last_name="Selftestbarred", dob=dob.day))
    )
    if not isinstance(flagged, NeedsDecision) or not flagged.candidates:
        raise AssertionError(f"a barred visitor was not flagged: {flagged}")
    return f"screened: clean visitor admitted (badge {state['visit'].badge_code}), barred visitor flagged"


def _badge(state: dict) -> str:
    import zxingcpp

    from printers.decode import brother_raster, escpos_raster
    from printers.uri import printer_for

    services = state["services"]
    visit = state["visit"]
    sizes = []
    # Jobs are only built, never sent (port 9 is discard): both printer languages, read back from the raster.
    for uri, media_key, decode in (
        ("escpos+tcp://127.0.0.1:9?profile=TM-T20II&timeout=1", "80mm", escpos_raster),
        ("brother+tcp://127.0.0.1:9?model=QL-820NWB&timeout=1", "brother-62x100", lambda j: brother_raster(j)[0]),
    ):
        job = printer_for(uri).build_job(services.badges.render(visit, media_key))
        codes = [r.text for r in zxingcpp.read_barcodes(decode(job).convert("L"))]
        if visit.badge_code not in codes:
            raise AssertionError(f"the {media_key} badge's QR reads {codes}, not {visit.badge_code}")
        sizes.append(f"{media_key} {len(job)} bytes")
    return f"badge rendered and encoded ({', '.join(sizes)}), QR read back"


def _usb(state: dict) -> str:
    # A Brother QL or an ESC/POS printer on USB prints through pyusb, which loads libusb-1.0 when the first job
    # opens the printer. PyInstaller's pyusb hook looks for it only inside the bundle: a bundle built on a
    # machine without libusb would fail there, at a school, with the badge not printed.
    import usb.backend.libusb1

    backend = usb.backend.libusb1.get_backend()
    if backend is None:
        raise AssertionError(
            "libusb-1.0 cannot be loaded: a printer on USB could not print (install libusb-1.0-0 on the build "
            "machine, or libusb-1.0.dll beside the program on Windows, and build again)"
        )
    return f"libusb-1.0 loads ({Path(backend.lib._name).name})"


def _cap(state: dict) -> str:
    from frontdesk.wire import cap

    msg = cap.CapMessage(
        identifier=cap.new_identifier(),
        sender=cap.station_sender("self-test"),
        sent=datetime.now(UTC),
        school="Self-test School",
        address="1 Example Way",
        room="Front office",
        station="Self-test desk",
        staff="Self Test",
        roster=(cap.RosterEntry("Avery Testwood", "visitor", "Room 12", None),),
        status="Test",
        action="LOCKDOWN",
    )
    xml = cap.build(msg)
    cap.validate(xml)
    back = cap.parse(xml)
    if back.identifier != msg.identifier:
        raise AssertionError("the CAP alert did not read back")
    return f"CAP alert built and schema-valid ({len(xml)} bytes)"


def _mrz(state: dict) -> str:
    import sys

    from scanners.mrz import parse_mrz
    from scanners.mrz_image import bundled_tesseract, find_mrz_text, specimen_page, tesseract_ready

    if not tesseract_ready():
        if getattr(sys, "frozen", False):
            raise AssertionError("Tesseract is not in this bundle: 'id decode' cannot read a passport photo")
        return "skipped: no Tesseract program on this machine (Debian package tesseract-ocr)"
    lines, page = specimen_page()
    record = parse_mrz(find_mrz_text(page))
    if (record.last_name, record.first_name) != ("TESTWOOD", "AVERY"):
        raise AssertionError(f"the synthetic passport read as {record.last_name}, {record.first_name}")
    where = "the bundle's" if bundled_tesseract() else "the system's"
    return f"synthetic passport photo read by {where} Tesseract: {record.last_name} {record.first_name}"


def _escrow(state: dict) -> str:
    import secrets

    from frontdesk.secrets.escrow import open_escrow, seal_escrow

    keys = {"frontdesk.db": secrets.token_hex(32)}
    phrase = "self-test passphrase " + secrets.token_hex(4)
    sealed = seal_escrow(keys, phrase)
    if keys["frontdesk.db"].encode() in sealed or open_escrow(sealed, phrase).keys != keys:
        raise AssertionError("a key escrow file did not seal and open again")
    return f"key escrow sealed and opened (scrypt + AES-256-GCM, {len(sealed)} bytes)"


def _at_rest(state: dict) -> str:
    services = state["services"]
    if not services.store.key:
        return "encryption skipped: no SQLCipher driver in this installation"
    services.store.checkpoint()
    raw = b"".join(p.read_bytes() for p in services.store.files())
    for name in (state["visitor"].last_name, "Selftestbarred"):
        if name.encode() in raw or name.upper().encode() in raw:
            raise AssertionError(f"{name!r} is readable in the database file")
    return "no visitor's name readable in the database files"


STEPS: list[tuple[str, Step]] = [
    ("open a temporary database", _open),
    ("parse a synthetic ID", _parse),
    ("screen it", _screen),
    ("render and encode a badge", _badge),
    ("load the USB printers' library", _usb),
    ("build and validate a CAP alert", _cap),
    ("read a passport photo (MRZ)", _mrz),
    ("key escrow", _escrow),
    ("data at rest", _at_rest),
]


def run(out: TextIO, extra: list[tuple[str, Step]] | None = None) -> int:
    """Run every step (and ``extra`` ones, such as the window's), report each on ``out``; 0 if all passed."""
    failed = 0
    with tempfile.TemporaryDirectory(prefix="frontdesk-self-test-") as tmp:
        state: dict = {"folder": Path(tmp) / "data"}
        try:
            for label, step in [*STEPS, *(extra or [])]:
                started = time.perf_counter()
                try:
                    detail = step(state)
                except Exception as exc:  # report every failure, whatever its kind, and go on
                    failed += 1
                    out.write(f"FAIL {label}: {type(exc).__name__}: {exc}\n")
                    if "services" not in state:
                        break  # nothing else can run without the database
                    continue
                out.write(f"ok   {label}: {detail} ({(time.perf_counter() - started) * 1000:.0f} ms)\n")
        finally:
            if "services" in state:
                state["services"].close()
    out.write("self-test passed\n" if not failed else f"self-test FAILED ({failed} step(s))\n")
    out.flush()
    return 0 if not failed else 1
