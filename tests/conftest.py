"""Root test set-up: offscreen Qt, a fresh data folder (real SQLite file) per test."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never touch the real OS keyring from tests.
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from frontdesk.context import Services  # noqa: E402


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data folder for one test."""
    return tmp_path / "data"


@pytest.fixture(scope="session")
def migrated_folder(tmp_path_factory) -> Path:
    """A data folder whose SQLite file has every migration applied, made once per test process.

    Opening an empty folder runs the desk's 30 migrations, each its own transaction with its own fsyncs (about
    40 fdatasyncs, 0.15-0.4 s a test here); ``services`` copies this folder instead. Nothing is shared: each
    test gets its own copy of the file, as the module ``template`` folders of the students and UI tests do.
    """
    folder = tmp_path_factory.mktemp("migrated") / "data"
    Services.open(folder).close()
    return folder


@pytest.fixture
def services(data_dir: Path, migrated_folder: Path):
    """The core services over a fresh SQLite file of its own (a copy of ``migrated_folder``)."""
    shutil.copytree(migrated_folder, data_dir)
    svc = Services.open(data_dir)
    yield svc
    svc.close()


# The dispatch console's fixtures (a throw-away PostgreSQL cluster, a console on each backend).
from dispatch_fixtures import console, console_db_url, postgres_server  # noqa: E402,F401

# A person who answers the desk's questions (ui.asking) with a real click on the box's button.
from person_fixtures import person  # noqa: E402,F401

# A D-Bus session with GNOME Keyring of the test's own (the Secret Service, as on a Linux desk).
from secret_service import session_bus  # noqa: E402,F401

# The students tests' synthetic bundle and data folder (made once per module that uses them).
from students_fixtures import students_bundle, students_template  # noqa: E402,F401


@pytest.fixture
def staffed(template: Path, tmp_path: Path):
    """Services over a copy of the module's ``template`` data folder (accounts made once per module)."""
    folder = tmp_path / "data"
    shutil.copytree(template, folder)
    svc = Services.open(folder)
    yield svc
    svc.close()


@pytest.fixture
def keyring_file(tmp_path: Path, monkeypatch):
    """The OS keyring replaced by one written to a file in the test's folder (also for child processes)."""
    import keyring

    from tests.dispatch_keyring import KEYRING_FILE_ENV, FileKeyring

    path = tmp_path / "keyring.json"
    monkeypatch.setenv(KEYRING_FILE_ENV, str(path))
    # A plain-file keyring is refused unless chosen on purpose (frontdesk.secrets): this fixture chooses it.
    monkeypatch.setenv("FRONTDESK_ALLOW_FILE_KEYRING", "1")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.dispatch_keyring.FileKeyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    yield path
    keyring.set_keyring(previous)


@pytest.fixture
def browser():
    """Debian's Chromium under Playwright, for the web-screen tests (tests/browser_support.py)."""
    from browser_support import launched_browser

    yield from launched_browser()


# The longest tests (10-30 s each in CI's `--durations=25`) start first. xdist's worksteal gives each worker
# half of the (shuffled) order and lets an idle worker take from the end of the other's queue: a 30 s test
# drawn near the end leaves the other core idle for up to 30 s, while one started first is covered by the
# short tests that follow. Only the order changes; a name no longer here is simply not moved.
LONGEST_FIRST = (
    "tests/test_bulk_never_blocks.py::test_a_panic_and_a_check_in_during_a_200k_replace_import",
    "tests/test_district_hygiene.py::test_district_log_streams_every_visit_of_a_day_past_100000",
    "tests/test_district_browser.py::test_district_staff_manage_lists_and_see_the_district",
    "tests/test_hub_processes.py::test_two_hubs_on_one_postgresql_run_the_jobs_once_and_the_other_takes_over",
    "tests/test_screening.py::test_fast_path_finds_what_a_full_scan_finds_on_the_generated_set",
    "tests/test_dispatch_console_abuse.py::"
    "test_slow_clients_and_a_sign_in_flood_do_not_delay_a_station_nor_lock_a_dispatcher_out",
    "tests/test_hub_sync_faults.py::test_hub_down_for_the_day_while_three_desks_check_visitors_in_and_out",
    "tests/test_dispatch_console_failover.py::test_a_desk_keeps_alerting_whichever_console_survives",
    "tests/test_hub_sync_desks.py::test_a_visitor_at_one_desk_is_on_the_other_desks_list_and_leaves_at_either",
    "tests/test_hub_processes.py::test_an_import_whose_hub_was_killed_is_reported_stopped_and_the_list_is_unchanged",
    "tests/test_district_visits.py::test_onsite_and_log_cover_every_desk_of_a_school_and_the_csv_is_formula_safe",
    "tests/test_hub_sync_faults.py::test_two_hubs_on_one_postgresql_a_desk_fails_over",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Move the :data:`LONGEST_FIRST` tests to the front, in that order (after pytest-randomly's shuffle)."""
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    first = [item for item in items if item.nodeid.split("[")[0] in rank]
    if first:
        first.sort(key=lambda item: rank[item.nodeid.split("[")[0]])  # stable: parameters keep their order
        moved = set(map(id, first))
        items[:] = first + [item for item in items if id(item) not in moved]


@pytest.fixture(scope="session")
def qapp(qapp):
    """pytest-qt's QApplication, with Python's garbage collector kept to the GUI thread as in the desk
    (``ui.tasks.GuiCollector``, started at the desk's first idle): a test's worker threads, like the desk's,
    never finalize Qt objects."""
    from ui.tasks import collect_on_gui_thread

    collector = collect_on_gui_thread()
    yield qapp
    collector.stop()


@pytest.fixture
def shell(qtbot):
    """Make the real launch's window over a configured desk with an account: ``shell(services).desk`` is the desk
    (the ``build_desk`` features), inside ``ui.app.Shell`` as ``frontdesk`` and ``make run`` open it, shown.

    Built alone, the desk window hid a whole-session bug (session 25's walk: the Shell's attribute ``window``
    shadowed QWidget.window(), and every question of the real desk failed); desk-level tests build this instead.
    """
    from ui.app import Shell

    made_here: list[Shell] = []  # kept for the test: a test holding only ``.desk`` would let the Shell go

    def make(services: Services, *, size: tuple[int, int] | None = None, demo: bool = False) -> Shell:
        made = Shell(services, demo=demo)
        made_here.append(made)
        qtbot.addWidget(made)
        if size is not None:
            made.resize(*size)
        made.show()
        qtbot.waitExposed(made)
        assert made.desk is not None, "the desk is configured and has an account: the Shell opens the desk window"
        return made

    yield make
    made_here.clear()


@pytest.fixture
def desk_font(qapp):
    """The desk's own font (ui.app.configure_app: 1.25x Qt's default), as every real launch sets it."""
    from ui.app import configure_app

    before = qapp.font()
    configure_app(qapp)
    yield
    qapp.setFont(before)


@pytest.fixture
def hub(console_db_url):  # noqa: F811 - the fixture of that name, imported above
    """The hub as a ``frontdesk dispatch serve`` process on loopback over the test's database (SQLite or
    PostgreSQL), killed after the test: the sync tests' hub (``tests/test_hub_sync_*.py``). A test module that
    means another hub (the district lists' tests) defines its own ``hub``, which takes precedence there."""
    from tests.hub_sync_support import Hub

    h = Hub(console_db_url).start()
    yield h
    h.kill()
