"""A live day: the whole desk app as it starts, with its real links, and panic drills pressed while visitors come.

The desk day's driver (``bench/desk_day.py``) at the desk the app's own start builds (``ui.app.run``, offscreen,
in this process): the dispatch link, the email/text sender, the hub's sync, the upkeep (integrity check, backups,
WAL checkpoints, retention) and the screening index check all run as at a school. Around it, as separate
programs and listeners on 127.0.0.1:

- the district server (``frontdesk dispatch serve``, one worker, SQLite): the dispatch console and the hub are
  that one process (README, "Running a district": the same process and database carry alerts, sync and lists);
- an SMTP server (aiosmtpd) that takes the ``panic`` subscriber's mail;
- the badge printer listener of the desk day.

School IT's steps are the command line's: ``dispatch enroll`` and ``dispatch user add`` at the server,
``config set``, ``dispatch connect`` and ``notify add`` at the desk. The OS keyring is the tests' file keyring
(``tests/dispatch_keyring.py``), shared with those commands.

Drills (CAP ``Exercise``: check-in is not frozen) are held on the panic panel after randomly chosen visitors; a
dispatcher signed in to the console's web API acknowledges every other one as soon as the console has it. Each
press is timed from its commit at the desk (the panel's ``sent``) to the console's own ``received_at``, to the
desk's showing it received, and from the console's ``acked_at`` to the desk's showing it acknowledged; the same
after the day (links idle, every visitor gone, every outbox empty) for the baseline. Sampled every block: what
``bench/desk_day.py`` samples, and the panic outbox's, the notification outbox's and the hub outbox's rows and the
two databases' write-ahead logs.

``FRONTDESK_DESK_LIVE_VISITORS`` sets the day's length (default 400).
"""

from __future__ import annotations

import gc
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.desk_day import SAMPLE_EVERY, Clock, DeskDay, PrinterListener, Sample, _p, _timers, drive, live_state

ROOT = Path(__file__).resolve().parent.parent
VISITORS = int(os.environ.get("FRONTDESK_DESK_LIVE_VISITORS", "400"))
PRESS_EVERY = 30  # on average one drill every this many visitors (at random ones), besides the morning's
BASELINE_PRESSES = 6
START_JOBS_MS = 5000  # the first upkeep round and the index check, this long after the first paint
SCHOOL = "Maple Grove Elementary"
STATION = "Main office desk"
DISPATCHER = "Dana Dispatch"
PASSWORD = "correct horse battery"
PANIC_MAIL_TO = "principal@maple.example"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """An SMTP server on 127.0.0.1 (aiosmtpd) that keeps each message's recipients and subject."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received: list[tuple[float, tuple[str, ...], str]] = []
        self.lock = threading.Lock()
        mailbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
                import email
                import email.policy

                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                with mailbox.lock:
                    mailbox.received.append((time.time(), tuple(envelope.rcpt_tos), str(message["Subject"])))
                return "250 Message accepted for delivery"

        self.port = _free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


class District:
    """``frontdesk dispatch serve`` (console and hub) on 127.0.0.1 over a SQLite file, set up by its CLI."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.db_path = folder / "district.db"
        self.db_url = f"sqlite:///{self.db_path}"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.credential = self._cli(
            "enroll", "--school", SCHOOL, "--station", STATION, "--room", "Room 101", "--building", "A",
            "--floor", "1", "--db", self.db_url,
        ).strip().splitlines()[-1]  # fmt: skip
        self._cli("user", "add", DISPATCHER, "--db", self.db_url, stdin=PASSWORD + "\n")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "frontdesk", "dispatch", "serve", "--port", str(self.port), "--db", self.db_url]
            + ["--workers", "1"],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait_serving()
        self._reader = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, check_same_thread=False)
        self._reader_lock = threading.Lock()

    def _cli(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "frontdesk", "dispatch", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            cwd=ROOT,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"dispatch {args[0]}: {done.stdout} {done.stderr}")
        return done.stdout

    def _wait_serving(self) -> None:
        import httpx

        end = time.monotonic() + 240
        with httpx.Client(timeout=5) as client:
            while time.monotonic() < end:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"the district server exited: {self.proc.stderr.read().decode()[-2000:]}")
                try:
                    if client.get(self.url + "/api/v1/station").status_code == 401:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.05)
        raise RuntimeError("the district server did not start in 240 s")

    def alerts(self) -> dict[str, tuple[int, str, str | None]]:
        """Each alert the console stored: identifier -> (rows with it, received_at, acked_at)."""
        with self._reader_lock:
            rows = self._reader.execute(
                "SELECT identifier, count(*), min(received_at), min(acked_at) FROM alerts GROUP BY identifier"
            ).fetchall()
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def has(self, identifier: str) -> bool:
        with self._reader_lock:
            row = self._reader.execute("SELECT 1 FROM alerts WHERE identifier = ?", [identifier]).fetchone()
        return row is not None

    def stop(self) -> None:
        self._reader.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Dispatcher(threading.Thread):
    """A dispatcher at the console's web screen (its API): acknowledges each alert it is given, as soon as the
    console has it."""

    def __init__(self, district: District) -> None:
        super().__init__(daemon=True, name="bench-dispatcher")
        import httpx

        self.district = district
        self.client = httpx.Client(base_url=district.url, timeout=30)
        answer = self.client.post("/api/v1/session", json={"username": DISPATCHER, "password": PASSWORD})
        if answer.status_code != 200:
            raise RuntimeError(f"dispatcher sign-in: {answer.status_code} {answer.text}")
        self.to_ack: list[str] = []
        self.acked: dict[str, float] = {}  # identifier -> wall time the console answered the Ack
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def ack(self, identifier: str) -> None:
        with self.lock:
            self.to_ack.append(identifier)

    def run(self) -> None:
        while not self.stopping.wait(0.02):
            with self.lock:
                waiting = [i for i in self.to_ack if i not in self.acked]
            for identifier in waiting:
                if self.district.has(identifier):
                    answer = self.client.post(f"/api/v1/alerts/{identifier}/ack", json={})
                    if answer.status_code != 200:
                        raise RuntimeError(f"ack: {answer.status_code} {answer.text}")
                    self.acked[identifier] = time.time()

    def stop(self) -> None:
        self.stopping.set()
        self.join(10)
        self.client.close()


@dataclass
class Press:
    """One press at the desk and what became of it (wall times, seconds since the epoch)."""

    identifier: str
    pressed: float  # the hold completed (the panic button's progress reached 1)
    committed: float  # the press returned: committed, the link woken (the panel's ``sent``)
    baseline: bool
    acked_asked: bool
    shown_received: float | None = None  # the desk's panel told "received" (or straight "acknowledged")
    shown_acked: float | None = None
    console_had_it: bool | None = None  # when the desk first showed it delivered


class PressLog:
    """Follows every panic message the desk's link reports, on the GUI thread (after the panel has redrawn)."""

    def __init__(self, desk, district: District, dispatcher: Dispatcher) -> None:
        from PySide6.QtCore import QObject, Slot

        self.presses: dict[str, Press] = {}
        self.district = district
        self.dispatcher = dispatcher
        log = self

        class Follower(QObject):
            @Slot(object)
            def on_entry_changed(self, entry) -> None:
                log.changed(entry)

            @Slot(object)
            def on_sent(self, entry) -> None:
                log.sent(entry)

            @Slot(float)
            def on_progress(self, fraction: float) -> None:
                if fraction >= 1.0:  # emitted just before the button's ``held``, which presses
                    log.held_at = time.time()

        self.follower = Follower(desk.window)
        self.held_at = 0.0
        desk.dispatch.worker.entry_changed.connect(self.follower.on_entry_changed)
        desk.dispatch.panel.sent.connect(self.follower.on_sent)
        desk.dispatch.panel.hold_button.progress_changed.connect(self.follower.on_progress)
        self.baseline = False
        self.ack_next = False

    def sent(self, entry) -> None:
        self.ack_next = self.baseline or not self.ack_next  # every other press in the day, all in the baseline
        self.presses[entry.identifier] = Press(
            entry.identifier, self.held_at, time.time(), self.baseline, self.ack_next
        )
        if self.ack_next:
            self.dispatcher.ack(entry.identifier)

    def changed(self, entry) -> None:
        press = self.presses.get(entry.identifier)
        if press is None:
            return  # the daily test, or another program's message
        now = time.time()
        if entry.state in ("received", "acknowledged") and press.shown_received is None:
            press.shown_received = now
            press.console_had_it = self.district.has(entry.identifier)
        if entry.state == "acknowledged" and press.shown_acked is None:
            press.shown_acked = now

    def settled(self) -> bool:
        """Every press shown received, and acknowledged where the dispatcher was asked to."""
        return all(
            p.shown_received is not None and (p.shown_acked is not None or not p.acked_asked)
            for p in self.presses.values()
        )


class StallWatch:
    """The GUI thread's longest stretch away from its event loop, and what the driver was doing then: a press (the
    hold button's ticks, the hot-key) is not handled before the loop runs again. A precise 5 ms timer."""

    def __init__(self, day) -> None:
        from PySide6.QtCore import QObject, Qt, QTimer, Slot

        self.day = day
        self.last = time.perf_counter()
        self.longest = (0.0, "")
        watch = self

        class Ticker(QObject):
            @Slot()
            def on_timeout(self) -> None:
                now = time.perf_counter()
                gap = now - watch.last
                watch.last = now
                if gap > watch.longest[0]:
                    watch.longest = (gap, watch.day.doing)

        self.ticker = Ticker(day.window)
        self.timer = QTimer(self.ticker)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(5)
        self.timer.timeout.connect(self.ticker.on_timeout)
        self.timer.start()

    def take(self) -> tuple[float, str]:
        """The longest stretch since the last take (ms, the driver's step then)."""
        longest, self.longest = self.longest, (0.0, "")
        return longest[0] * 1000, longest[1]


@dataclass
class LiveSample(Sample):
    """The desk day's sample and the links' own state."""

    panic_rows: int = 0
    panic_queued: int = 0
    notify_rows: int = 0
    notify_queued: int = 0
    sync_rows: int = 0
    wal_kib: float = 0.0  # frontdesk.db-wal
    outbox_wal_kib: float = 0.0  # outbox.db-wal
    mails: int = 0
    stall_ms: float = 0.0  # the GUI thread's longest stretch away from its event loop in the block
    stall_in: str = ""


def _kib(path: Path) -> float:
    try:
        return path.stat().st_size / 1024
    except FileNotFoundError:
        return 0.0


def _qt_timers() -> int:
    """The QTimers in the application's object trees (the desk's are all parented). Not found through
    ``gc.get_objects()`` as the desk day counts them: the app moves its start-up heap to the collector's permanent
    generation (``gc.freeze``), which that does not list."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    roots = [app, *QApplication.topLevelWidgets()]
    return sum(len(root.findChildren(QTimer)) for root in roots)


def live_sample(n: int, services, folder: Path, earlier: list, mailbox: Mailbox, stalls=None) -> LiveSample:
    stall = stalls.take() if stalls is not None else (0.0, "")
    base = live_state(n, services, earlier)
    base.timers = _qt_timers()
    base.objects += gc.get_freeze_count()  # the frozen ones too
    db = services.store.db
    outbox = services.station.outbox
    taken = LiveSample(
        **{k: getattr(base, k) for k in Sample.__dataclass_fields__},
        panic_rows=len(outbox.recent(1_000_000)),
        panic_queued=outbox.queued_count(),
        notify_rows=db.execute("SELECT count(*) FROM notify_outbox").fetchone()[0],
        notify_queued=db.execute("SELECT count(*) FROM notify_outbox WHERE state = 'queued'").fetchone()[0],
        sync_rows=db.execute("SELECT count(*) FROM sync_outbox").fetchone()[0],
        wal_kib=_kib(folder / "frontdesk.db-wal"),
        outbox_wal_kib=_kib(folder / "outbox.db-wal"),
        mails=len(mailbox.received),
        stall_ms=stall[0],
        stall_in=stall[1],
    )
    if stalls is not None:
        stalls.take()  # the sample's own full collection is not the desk's
        stalls.last = time.perf_counter()
    return taken


def _desk_env(folder: Path) -> dict[str, str]:
    return {
        "PYTHONPATH": str(ROOT),
        "PYTHON_KEYRING_BACKEND": "tests.dispatch_keyring.FileKeyring",
        "FRONTDESK_TEST_KEYRING_FILE": str(folder / "keyring.json"),
        "FRONTDESK_ALLOW_FILE_KEYRING": "1",  # the tests' file keyring, chosen on purpose
        "FRONTDESK_DATA_DIR": str(folder / "data"),
    }


def set_up_desk(folder: Path, district: District, mailbox: Mailbox) -> None:
    """School IT's steps at the desk, with the desk's command line: the database encrypted, the first-run
    facts, the link to the district server (its credential into the keyring), the mail server and the
    ``panic`` subscriber."""
    env = {**os.environ, **_desk_env(folder)}

    def frontdesk(*args: str, stdin: str | None = None) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "ui.main", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"frontdesk {' '.join(args)}: {done.stdout} {done.stderr}")

    # Encrypted first, its key into the keyring: the app would encrypt at its first start, and keep the plain
    # original in backups/, which the upkeep then takes for the newest backup (the first scheduled one 24 h on).
    frontdesk("encrypt")
    for key, value in [
        ("school.name", SCHOOL),
        ("school.address", "100 Example Lane, Springfield"),
        ("station.name", STATION),
        ("station.room", "Room 101"),
        ("station.building", "A"),
        ("station.floor", "1"),
        ("notify.smtp_server", f"127.0.0.1:{mailbox.port}"),
        ("notify.smtp_security", "none"),
        ("notify.from", "frontdesk@maple.example"),
    ]:
        frontdesk("config", "set", key, value)
    frontdesk("dispatch", "connect", district.url, stdin=district.credential + "\n")
    frontdesk("notify", "add", PANIC_MAIL_TO, "--events", "panic", "--name", "Dr. Nakamura")


@dataclass
class LiveDay:
    """What a live day measured."""

    samples: list[LiveSample]
    presses: list[Press]
    console: dict[str, tuple[int, str, str | None]]  # identifier -> (rows, received_at, acked_at)
    end: LiveSample  # after the baseline, every visitor gone and the outboxes drained
    mails: list[tuple[float, tuple[str, ...], str]] = field(default_factory=list)
    events: list[tuple[str, str, str]] = field(default_factory=list)  # the event log at the end


def _shell():
    from PySide6.QtWidgets import QApplication

    from ui.app import Shell

    shells = [w for w in QApplication.topLevelWidgets() if isinstance(w, Shell)]
    return shells[0] if shells else None


def run_live_day(
    visitors: int = VISITORS, sample_every: int = SAMPLE_EVERY, *, seed: int = 25, baseline: int = BASELINE_PRESSES
) -> LiveDay:
    """A live day of ``visitors`` (see the module's docstring); drills after randomly chosen visitors."""
    import keyring
    from PySide6.QtCore import QThreadPool, QTimer
    from PySide6.QtWidgets import QApplication

    from bench.desk_day import prepare
    from frontdesk.context import Services
    from tests.dispatch_keyring import FileKeyring

    app = QApplication.instance() or QApplication([])
    rng = random.Random(seed)
    press_after = set(rng.sample(range(5, visitors), max(1, visitors // PRESS_EVERY)))
    listener = PrinterListener()
    mailbox = Mailbox()
    saved_env = {k: os.environ.get(k) for k in _desk_env(Path("."))}
    saved_hook, saved_font, saved_keyring = sys.excepthook, app.font(), keyring.get_keyring()
    with tempfile.TemporaryDirectory(prefix="desk-live-") as tmp:
        folder = Path(tmp)
        district = District(folder / "district")
        dispatcher: Dispatcher | None = None
        result: dict = {}
        try:
            set_up_desk(folder, district, mailbox)
            os.environ.update(_desk_env(folder))
            keyring.set_keyring(FileKeyring())
            services = Services.open(folder / "data")
            roster = prepare(services, folder / "data", listener.port)
            services.close()
            dispatcher = Dispatcher(district)
            dispatcher.start()
            gc.collect()
            earlier = _timers()

            def day() -> None:
                try:
                    result["day"] = _drive(
                        app, folder / "data", district, dispatcher, mailbox, roster, earlier,
                        visitors, sample_every, press_after, rng, baseline,
                    )  # fmt: skip
                except BaseException as exc:  # noqa: BLE001 - said after the app's loop ends
                    result["error"] = exc
                finally:
                    app.quit()

            QTimer.singleShot(0, day)
            import ui.app
            import ui.upkeep

            # No setting or variable moves these: the bench shortens the app's own start-up delays (first
            # upkeep round 60 s -> 5 s, index check 20 s -> 5 s) so that they run before the day, not in it.
            delays = ui.upkeep.FIRST_MS, ui.app.INDEX_CHECK_AFTER_MS
            ui.upkeep.FIRST_MS = ui.app.INDEX_CHECK_AFTER_MS = START_JOBS_MS
            try:
                ui.app.run(data_dir=folder / "data")  # the app's own start: links, sender, sync, upkeep, index
            finally:
                ui.upkeep.FIRST_MS, ui.app.INDEX_CHECK_AFTER_MS = delays
        finally:
            shell = _shell()
            if shell is not None:
                shell.wedge.uninstall()
                shell.close()
                shell.deleteLater()
                from PySide6.QtCore import QCoreApplication, QEvent

                app.processEvents()
                QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
                QThreadPool.globalInstance().waitForDone(30_000)
                shell.services.close()
            if dispatcher is not None:
                dispatcher.stop()
            district.stop()
            mailbox.stop()
            listener.close()
            sys.excepthook = saved_hook
            app.setFont(saved_font)
            # The app's loop ended by quit() leaves the thread's "quit now" set here (measured: every QEventLoop
            # after it returned at once, running no timer: a later test's waits, a question's). A loop of the
            # application's own, run once, clears it.
            QTimer.singleShot(0, app.quit)
            app.exec()
            keyring.set_keyring(saved_keyring)
            for k, v in saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    if "error" in result:
        raise result["error"]
    return result["day"]


def _drive(app, folder, district, dispatcher, mailbox, roster, earlier, visitors, sample_every, press_after, rng,
           baseline) -> LiveDay:  # fmt: skip
    """Inside the app's event loop: wait for its links, run the day, then the baseline presses."""
    probe = DeskDay.__new__(DeskDay)  # only its wait(), until the shell's desk exists
    probe.app = app
    probe.wait(lambda: _shell() is not None and _shell().desk is not None, 60)
    shell = _shell()
    desk, services = shell.desk, shell.services
    # The desk opens locked (accounts exist): the principal signs in at its sign-in panel.
    panel = desk.desk_lock.sign_in
    panel.choose("p.rivera")
    panel.secret.setText("principal-pw")
    panel.submit()
    clock = Clock()
    day = DeskDay(services, desk, shell.wedge, clock, roster)
    log = PressLog(desk, district, dispatcher)
    worker = desk.dispatch.worker
    # The link, the sender and the sync are up (the app starts them after the first paint), and the start-up
    # jobs done: the integrity check, the first upkeep round (the first backup), the index check.
    day.wait(lambda: worker.running and worker.link.health.state == "up", 120)
    day.wait(lambda: desk.notify.outbox_sender.running and desk.hub._background is not None, 120)
    day.wait(lambda: _event_like(services, "backup written%"), 120)
    day.wait(lambda: _event_like(services, "screening index checked%"), 120)

    actions = ["HOLD", "EVACUATE"]
    stalls = StallWatch(day)

    def settled_sample(n: int) -> LiveSample:
        # Each block ends with nothing in flight (a mail being sent holds a socket, a push its rows): what is
        # counted is what the desk keeps, not what one moment of the day happened to hold.
        day.wait(lambda: _idle(services), 120)
        return live_sample(n, services, folder, earlier, mailbox, stalls)

    def between(n: int) -> None:
        if n in press_after:
            day.fire_drill(rng.choice(actions))

    samples = drive(
        day,
        visitors,
        sample_every,
        lambda n: settled_sample(n),
        between=between,
    )
    # Everyone leaves; the day's presses settle and the outboxes drain.
    while day.on_site:
        day.check_out_oldest()
    day.wait(lambda: log.settled(), 120)
    day.wait(lambda: _idle(services), 120)
    # The baseline: the same presses with the links idle (no visitor, nothing queued).
    log.baseline = True
    for k in range(baseline):
        entry = day.fire_drill(actions[k % 2])
        day.wait(lambda entry=entry: log.presses[entry.identifier].shown_acked is not None, 120)
    day.wait(lambda: _idle(services), 120)
    end = live_sample(-1, services, folder, earlier, mailbox, stalls)
    stalls.timer.stop()
    events = services.store.db.execute("SELECT source, level, message FROM events ORDER BY id").fetchall()
    return LiveDay(
        samples,
        list(log.presses.values()),
        district.alerts(),
        end,
        list(mailbox.received),
        [tuple(e) for e in events],
    )


def _event_like(services, pattern: str) -> bool:
    row = services.store.db.execute("SELECT 1 FROM events WHERE message LIKE ?", [pattern]).fetchone()
    return row is not None


def _idle(services) -> bool:
    """Nothing waits in the panic, notification or hub outbox."""
    db = services.store.db
    return (
        services.station.outbox.queued_count() == 0
        and db.execute("SELECT count(*) FROM notify_outbox WHERE state = 'queued'").fetchone()[0] == 0
        and db.execute("SELECT count(*) FROM sync_outbox").fetchone()[0] == 0
    )


def _q(values: list[float], q: int) -> float:
    """The ``q``th percentile, within the values (a few presses: no extrapolation past the largest)."""
    import statistics

    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def _ms(values: list[float]) -> str:
    if not values:
        return "– | – | – | –"
    return f"{len(values)} | {_q(values, 50):.0f} | {_q(values, 95):.0f} | {max(values):.0f}"


def latencies(day: LiveDay, baseline: bool) -> dict[str, list[float]]:
    """Milliseconds for each press of the day (or of the baseline): to the console's receipt, to the desk's
    showing it received, and from the console's Ack to the desk's showing it acknowledged."""
    from frontdesk.clock import from_db

    out: dict[str, list[float]] = {"press": [], "console": [], "desk": [], "ack": []}
    for p in day.presses:
        if p.baseline != baseline:
            continue
        _, received_at, acked_at = day.console[p.identifier]
        out["press"].append((p.committed - p.pressed) * 1000)
        out["console"].append((from_db(received_at).timestamp() - p.pressed) * 1000)
        if p.shown_received is not None:
            out["desk"].append((p.shown_received - p.pressed) * 1000)
        if acked_at is not None and p.shown_acked is not None:
            out["ack"].append((p.shown_acked - from_db(acked_at).timestamp()) * 1000)
    return out


def growth_table(samples: list[LiveSample]) -> str:
    rows = [
        "| visitors | RSS MiB | objects | widgets | QTimers | threads | fds | SQLite fds | event log "
        "| panic outbox (queued) | notify outbox (queued) | hub outbox | frontdesk.db-wal KiB "
        "| outbox.db-wal KiB | check-in p50 / p95 ms | GUI thread's longest stretch ms (in) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for s in samples:
        times = f"{_p(s.wall_ms, 50):.0f} / {_p(s.wall_ms, 95):.0f}" if s.wall_ms else "–"
        rows.append(
            f"| {'end' if s.visitors < 0 else s.visitors} | {s.rss_mib:.1f} | {s.objects:,} | {s.widgets} "
            f"| {s.timers} | {s.threads} | {s.fds} | {s.sqlite_fds} | {s.events} "
            f"| {s.panic_rows} ({s.panic_queued}) | {s.notify_rows} ({s.notify_queued}) | {s.sync_rows} "
            f"| {s.wal_kib:.0f} | {s.outbox_wal_kib:.0f} "
            f"| {times} | {s.stall_ms:.0f} ({s.stall_in}) |"
        )
    return "\n".join(rows)


def run() -> str:
    """The benchmark's Markdown section."""
    day = run_live_day()
    during, idle = latencies(day, False), latencies(day, True)
    presses = [p for p in day.presses if not p.baseline]
    once = sum(1 for p in day.presses if day.console.get(p.identifier, (0,))[0] == 1)
    early = sum(1 for p in day.presses if p.console_had_it is False)
    body = [
        f"A live day: {VISITORS:,} visitors through the desk day's driver (`bench/desk_day.py`) at the desk the "
        "app's own start builds (`ui.app.run`, offscreen), with its dispatch link, email/text sender, hub sync, "
        "upkeep and index check running, to the district server (`frontdesk dispatch serve`, console and hub, one "
        "worker, SQLite) and an SMTP server (aiosmtpd) on 127.0.0.1, set up with the CLI as school IT does. "
        f"{len(presses)} drills held on the panic panel after randomly chosen visitors (HOLD or EVACUATE, CAP "
        "`Exercise`), every other one acknowledged by a dispatcher through the console's web API as soon as the "
        f"console had it; then, with every visitor gone and every outbox empty, {BASELINE_PRESSES} more (the "
        "baseline: the links idle), each acknowledged.",
        "",
        "| ms | presses | p50 | p95 | max |",
        "|---|---:|---:|---:|---:|",
        f"| press -> committed, link woken (day) | {_ms(during['press'])} |",
        f"| press -> committed, link woken (links idle) | {_ms(idle['press'])} |",
        f"| press -> console's receipt (day) | {_ms(during['console'])} |",
        f"| press -> console's receipt (links idle) | {_ms(idle['console'])} |",
        f"| press -> desk shows received (day) | {_ms(during['desk'])} |",
        f"| press -> desk shows received (links idle) | {_ms(idle['desk'])} |",
        f"| console's Ack -> desk shows acknowledged (day) | {_ms(during['ack'])} |",
        f"| console's Ack -> desk shows acknowledged (links idle) | {_ms(idle['ack'])} |",
        "",
        f"Every press stored once at the console: {once} of {len(day.presses)}; shown delivered at the desk "
        f"before the console had it: {early}. Panic mails: {len(day.mails)} (a drill's mail is grouped with the "
        "same action's within `notify.group_minutes`).",
        "",
        "What the desk holds, per block (`end`: after the baseline, the outboxes drained):",
        "",
        growth_table([*day.samples, day.end]),
    ]
    return "\n".join(body)
