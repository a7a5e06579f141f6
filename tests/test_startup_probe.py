"""``frontdesk --startup-probe DATA_DIR`` (hidden, for ``bench.frozen_startup``) opens the real desk and quits
at its first idle moment with exit 0, so the frozen bundle and the source tree can be timed the same way."""

from __future__ import annotations

import os
import subprocess
import sys

from frontdesk import settings as s
from frontdesk.access.roles import Role
from frontdesk.context import Services
from ui.tasks import CEILING

# Offscreen, and no keyring at all: the probe must not need one (a desk's data without a key is plain).
ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def _desk_data(tmp_path):
    """A desk's data folder with its first administrator and its names (so the desk itself opens, locked, as
    each morning: without the names the probe would meet first-run set-up and build none of the desk)."""
    data = tmp_path / "data"
    services = Services.open(data)
    services.settings.set(s.SCHOOL_NAME, "Probe School")
    services.settings.set(s.STATION_NAME, "Main office desk")
    services.accounts.add("admin", Role.ADMIN, "probe-secret-1", "Probe Admin")
    services.close()
    return data


def test_the_startup_probe_opens_the_desk_and_quits_at_its_first_idle(tmp_path):
    data = _desk_data(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "ui.main", "--startup-probe", str(data)], env=ENV, capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()
    assert b"Traceback" not in done.stderr
    assert (
        "--startup-probe"
        not in subprocess.run(
            [sys.executable, "-m", "ui.main", "--help"], env=ENV, capture_output=True, text=True, timeout=60
        ).stdout
    )


# What the desk has loaded at its first idle moment after its first paint (the probe waits for the window to be
# exposed, ui.tasks.when_painted). Deferred (after the first paint, or to first use): the admission workflow and
# screening, the district lists' name keys (jellyfish), the camera (QtMultimedia), the kiosk's service (the
# front-office banner's first read is its timer's first tick), screening's models and the wire's list format (csv),
# which the district lists' status does not need; the ID parsers' record (with the first scan), the email/text
# channels and the SMTP sender's module (with the sender), the kiosk's half of the composition root (ui.app_kiosk:
# only for the kiosk), the audit chain's verification result and a badge's print attempts (their frozen
# dataclasses: with the first verify and the first list of attempts), a badge print's result, the email/text
# outbox's messages, a staff account as listed, a notification's receipts and the badge media table (theirs too:
# with the first print's end, the first read of the outbox, of an account and of receipts, the first media asked;
# no dataclass of those names exists at the first idle), the emergency roster's module (with the first roster),
# ``html`` (the tooltips escape by themselves), the hub's sync service and the district lists' service (the status
# items' first reads are just after the first paint), the notifications' window (when opened), asyncio and ssl (the
# panic link's thread imports them, started just after the first paint; a press before then is in the outbox, which
# the link sends first), and what keyring's import names and never uses to read the database key (urllib.request
# with http.client, email and ssl, subprocess, tempfile, more_itertools, configparser, importlib_metadata:
# frontdesk.secrets.choice.import_keyring), and hashlib (OpenSSL), hmac and the secrets module (the audit trail's
# first hash, the first badge code or database key); never: uuid (a press's CAP identifier is 16 bytes of
# os.urandom; uuid imports platform, which keyring's import also would, not done by a Linux desk whose key reader
# runs). Loaded already: the panic path, so a panic pressed the moment the window appears imports nothing. And the
# garbage collector, held during start-up, is back on with what start-up built frozen, run from then on by the GUI
# thread's timer (its automatic first threshold raised to ui.tasks.CEILING). At exit (the hook below runs after
# PySide6's own clean-up), PySide6 has not loaded QtWidgets' classes that the desk never used: the input watch
# stops following the focus when the desk quits (ui/input_watch.py). Nor, when the probe returns, the file and
# message dialogs (naming a Qt class builds its type and enums), nor QStyle (a status item cut on the first screen
# draws through QStylePainter). QtGui's event classes are built by then: the first paint hands the status text its
# paint event and the focused window's events to the input watch, in Python (until session 16 the probe quit before
# the first paint and this file checked that none was built).
_LOADED_AT_IDLE = """
import atexit, gc, sys
unused = lambda: "QCalendarWidget" in vars(sys.modules["PySide6.QtWidgets"])
atexit.register(lambda: print("UNUSED", unused(), file=sys.stderr))
from ui.main import import_core_first, main
import_core_first()  # as main does first: importing ui.status_text (PySide6) before it would change what loads
import ui.status_text as status_text
painted, paint = [], status_text.StatusText.paintEvent
status_text.StatusText.paintEvent = lambda self, event: (painted.append(self.is_cut()), paint(self, event))[1]
code = main(["--startup-probe", sys.argv[1]])
print("PAINTED", bool(painted), file=sys.stderr)
print("CUT", any(painted), file=sys.stderr)
names = ("frontdesk.checkin.workflow", "frontdesk.screening.decisions", "frontdesk.wire.keys", "jellyfish",
         "PySide6.QtMultimedia", "frontdesk.kiosk.service", "frontdesk.screening.models", "csv",
         "frontdesk.dispatch.station", "frontdesk.dispatch.link", "ui.dispatch.panic",
         "scanners.idcard", "frontdesk.notifications.channels", "frontdesk.wire.smtp", "ui.app_kiosk",
         "frontdesk.audit.verify_result", "frontdesk.badges.attempts", "frontdesk.badges.result",
         "frontdesk.notifications.deliveries", "frontdesk.accounts.account", "frontdesk.notifications.receipts",
         "printers.media",
         "ui.roster_print", "html",
         "frontdesk.sync.service", "frontdesk.district_lists.service", "ui.notifications.outbound_window",
         "asyncio", "ssl", "urllib.request", "http.client", "email.message", "subprocess", "tempfile",
         "more_itertools", "configparser", "importlib_metadata", "hashlib", "hmac", "secrets", "uuid")
loaded = [m for m in names if m in sys.modules and type(sys.modules[m]).__name__ != "_LazyModule"]  # lazy_import
print("LOADED", sorted(loaded), file=sys.stderr)
print("GC", gc.isenabled(), gc.get_freeze_count() > 10_000, gc.get_threshold()[0], file=sys.stderr)
widgets = vars(sys.modules["PySide6.QtWidgets"])
print("DIALOGS", [n for n in ("QFileDialog", "QMessageBox") if n in widgets], file=sys.stderr)
print("STYLE", [n for n in ("QStyle", "QCommonStyle") if n in widgets], file=sys.stderr)
print("GUI", [n for n in ("QIcon", "QImage") if n in vars(sys.modules["PySide6.QtGui"])], file=sys.stderr)
made = {v.__name__ for m in list(sys.modules.values()) for v in list(vars(m).values())
        if isinstance(v, type) and "__dataclass_fields__" in vars(v)}
print("DATACLASSES", sorted(made & {"Account", "Delivery", "Media", "PrintResult", "Receipt"}), file=sys.stderr)
sys.exit(code)
"""


def test_the_first_screen_defers_admission_and_the_camera_but_not_the_panic_path(tmp_path):
    data = _desk_data(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", _LOADED_AT_IDLE, str(data)], env=ENV, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    loaded = done.stderr.split("LOADED ")[1].splitlines()[0]
    assert loaded == str(["frontdesk.dispatch.link", "frontdesk.dispatch.station", "ui.dispatch.panic"]), loaded
    assert f"GC True True {CEILING}" in done.stderr, done.stderr
    assert "UNUSED False" in done.stderr, done.stderr
    assert "PAINTED True" in done.stderr, done.stderr  # the probe quits once the window is painted
    assert "DIALOGS []" in done.stderr, done.stderr  # built with the first dialog that needs them
    # A status item too narrow for its text draws it cut with "…" on the first screen, by its style, through
    # QStylePainter: its style is never handed to Python, whose QStyle type (566 enum members, ~46 M
    # instructions) was half of the desk's first paint.
    assert "CUT True" in done.stderr, done.stderr
    assert "STYLE []" in done.stderr, done.stderr
    # No icon and no badge image on the first screen: a button or action given (text, parent) by position would
    # build QIcon's type to try the text as an icon file (ui.dispatch.panic.HoldButton), and the badge panel names
    # QImage with its first badge.
    assert "GUI []" in done.stderr, done.stderr
    assert "DATACLASSES []" in done.stderr, done.stderr  # each created with its first use


# PySide6's import hook reads the source of each module first named in an import after PySide6 is loaded: the
# desk imports its core first (ui.main.import_core_first) so that the core's own modules are never read.
_CORE_AFTER_QT = """
import sys
from ui.main import import_core_first, main
import_core_first()
before = set(sys.modules)
code = main(["--startup-probe", sys.argv[1]])
late = [m for m in sys.modules if m not in before and m.split(".")[0] in ("frontdesk", "printers", "scanners")
        and type(sys.modules[m]).__name__ != "_LazyModule"]
print("LATE", sorted(late), file=sys.stderr)
sys.exit(code)
"""


def test_the_desk_imports_its_core_before_pyside6(tmp_path):
    data = _desk_data(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", _CORE_AFTER_QT, str(data)], env=ENV, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "LATE []" in done.stderr, done.stderr


# PySide6's import hook reads the whole source of each module an import statement names after PySide6 is loaded
# (inspect.getsource, kept in linecache) unless its table already has the module: ui.main.spare_pyside6_reads
# fills the table first. Seen from outside: at the first idle, linecache holds no source of the desk's own (before
# session 22 it held 65, 29,456 lines), and the table has every ui module as a PySide6 module (0) and the core as
# not one (-1), what the hook itself would have written. Nothing ran ``from __feature__ import``: the table is
# read only after one (PySide6's snake_case and true_property switches), so the desk's Qt calls are Qt's own.
_SOURCES_READ = """
import linecache, sys
from pathlib import Path
from ui.main import main
code = main(["--startup-probe", sys.argv[1]])
root = str(Path(sys.argv[2]).resolve())
ours = sorted(f for f in linecache.cache if f.startswith(root) and "site-packages" not in f)
table = sys.modules["PySide6.support.feature"].pyside_feature_dict
print("READ", ours, file=sys.stderr)
print("TABLE", table.get("ui.desk.main_window"), table.get("ui.dispatch.panic"), table.get("frontdesk.models"),
      table.get("scanners.wedge"), file=sys.stderr)
print("FEATURE", "__feature__" in sys.modules and any(v > 0 for v in table.values()), file=sys.stderr)
sys.exit(code)
"""


def test_pyside6_reads_no_source_of_the_desk_on_its_way_to_the_first_idle(tmp_path):
    data = _desk_data(tmp_path)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    command = [sys.executable, "-c", _SOURCES_READ, str(data), root]
    done = subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "READ []" in done.stderr, done.stderr
    assert "TABLE 0 0 -1 -1" in done.stderr, done.stderr
    assert "FEATURE False" in done.stderr, done.stderr
