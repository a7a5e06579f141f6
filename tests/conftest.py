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
