"""The desk chooses keyring's backend as keyring does (``frontdesk.secrets.choice``), without loading the
backends of other platforms, and the desk's refusal rules apply to that choice unchanged.

Nothing here reads or writes the machine's keyring: keyring's config folder, the home folder and the D-Bus
session are the test's own (a choice is only looked at, never used to store anything).
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from pathlib import Path

import pytest
from secret_service import isolated

from frontdesk.secrets import ALLOW_FILE_ENV, keyring_info
from frontdesk.secrets.choice import detect

# The desk's choice first (in a fresh process: nothing of keyring's loaded yet), then keyring's own. EXTRA
# backends of positive priority are defined first: with one, it must win; with two, keyring's chainer does.
PROBE = """
import json, sys
if sys.argv[2] == "desk":  # as the desk starts: what keyring's import names and never uses, put off
    from frontdesk.secrets.choice import import_keyring
    import_keyring()
import keyring.core
from frontdesk.secrets import MemoryKeyring
from frontdesk.secrets.choice import detect

for n in range(int(sys.argv[1])):
    type(f"Extra{n}", (MemoryKeyring,), {"priority": 3 + n, "__module__": "__main__"})

def name(backend):
    return None if backend is None else f"{type(backend).__module__}.{type(backend).__qualname__}"

ours = detect()
other_platforms = sorted(m for m in ("keyring.backends.macOS", "keyring.backends.Windows") if m in sys.modules)
secret_service_loaded = "keyring.backends.SecretService" in sys.modules
config_read = type(sys.modules.get("configparser")).__name__ == "module"  # not frontdesk.lazy's stand-in
theirs = keyring.core._detect_backend()
print(json.dumps({"ours": name(ours), "theirs": name(theirs), "other_platforms": other_platforms,
                  "config_read": config_read, "secret_service_loaded": secret_service_loaded}))
"""


@pytest.mark.parametrize("start", ["plain", "desk"])
@pytest.mark.parametrize("extra", [0, 1, 2])
def test_the_choice_is_keyrings_own_without_the_other_platforms_backends(tmp_path, extra, start):
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(extra), start], capture_output=True, env=isolated(tmp_path), timeout=120
    )
    assert proc.returncode == 0, proc.stderr.decode()
    got = json.loads(proc.stdout)
    if extra == 2:
        assert got["ours"] is None  # more than one recommended backend: keyring itself chooses (its chainer)
        assert got["theirs"] == "keyring.backends.chainer.ChainerBackend"
    else:
        assert got["ours"] == got["theirs"], got
        if extra == 1:
            assert got["ours"] == "__main__.Extra0"
    if platform.system() not in ("Darwin", "Windows"):
        assert got["other_platforms"] == []
    if start == "desk":
        assert not got["config_read"]  # there is no keyringrc.cfg: keyring's answer is None without configparser
    # No D-Bus session named: the Secret Service cannot be viable, and its module (secretstorage, jeepney and
    # cryptography with it) is not loaded to find that out.
    assert not got["secret_service_loaded"]


def _probe(env: dict[str, str]) -> dict:
    proc = subprocess.run([sys.executable, "-c", PROBE, "0", "desk"], capture_output=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


def test_with_a_session_bus_the_choice_is_keyrings_secret_service(session_bus):
    got = _probe(session_bus)
    assert got["ours"] == got["theirs"] == "keyring.backends.SecretService.Keyring", got


def test_a_session_bus_the_environment_does_not_name_is_not_used_as_keyring_does_not(session_bus):
    """The desk skips the Secret Service's module when DBUS_SESSION_BUS_ADDRESS is unset because jeepney finds
    the bus only through it. A jeepney that also looked at ``$XDG_RUNTIME_DIR/bus`` would make keyring choose
    the Secret Service here, and this test fail: the skip would then be wrong."""
    env = {k: v for k, v in session_bus.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    assert (Path(env["XDG_RUNTIME_DIR"]) / "bus").is_socket()
    got = _probe(env)
    assert got["ours"] == got["theirs"] == "keyring.backends.fail.Keyring", got
    assert not got["secret_service_loaded"]


def _config(tmp_path: Path, monkeypatch, backend: str) -> None:
    """keyring's config file in the test's folder, naming ``backend``; no environment variable."""
    import keyring.core

    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.delenv(ALLOW_FILE_ENV, raising=False)
    for name in ("HOME", "XDG_CONFIG_HOME", "LOCALAPPDATA"):
        monkeypatch.setenv(name, str(tmp_path))
    path = keyring.core._config_path()
    assert tmp_path in path.parents  # never the machine's own keyring config
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"[backend]\ndefault-keyring = {backend}\n", encoding="utf-8")


def test_the_config_file_chooses_the_memory_keyring(tmp_path, monkeypatch):
    _config(tmp_path, monkeypatch, "frontdesk.secrets.MemoryKeyring")
    info = keyring_info(detect())
    assert (info.backend, info.usable, info.protected) == ("frontdesk.secrets.MemoryKeyring", True, True)


def test_the_environment_wins_over_the_config_file(tmp_path, monkeypatch):
    _config(tmp_path, monkeypatch, "frontdesk.secrets.MemoryKeyring")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    assert keyring_info(detect()).backend == "keyring.backends.null.Keyring"


def test_a_plain_file_keyring_from_the_config_file_is_refused_unless_chosen_on_purpose(tmp_path, monkeypatch):
    _config(tmp_path, monkeypatch, "tests.dispatch_keyring.FileKeyring")
    refused = keyring_info(detect())
    assert (refused.backend, refused.usable) == ("tests.dispatch_keyring.FileKeyring", False)
    monkeypatch.setenv(ALLOW_FILE_ENV, "1")
    allowed = keyring_info(detect())
    assert (allowed.usable, allowed.protected) == (True, False)
    assert allowed.message.startswith("WARNING")


# The desk's start (ui.main.import_core_first) imports keyring with what it never uses to read a password put off
# (frontdesk.lazy): keyring's config file and a password round trip still work, each loading what it uses.
ROUND_TRIP = """
import sys
from frontdesk.lazy import is_loaded
from frontdesk.secrets.choice import KEYRING_UNUSED, import_keyring, system_keyring
import_keyring()
assert not any(is_loaded(name) for name in KEYRING_UNUSED), [n for n in KEYRING_UNUSED if is_loaded(n)]
import keyring
from frontdesk.secrets import SecretName, SecretStore
store = SecretStore()
name = SecretName("FrontDesk test", "account", "test secret")
store.set(name, "s3cret")
assert store.get(name) == "s3cret" and keyring.get_password("FrontDesk test", "account") == "s3cret"
assert type(system_keyring()).__name__ == "MemoryKeyring"
print("LOADED", sorted(n for n in KEYRING_UNUSED if is_loaded(n)))
"""


def test_keyrings_config_file_and_a_round_trip_work_after_the_desks_import(tmp_path, monkeypatch):
    _config(tmp_path, monkeypatch, "frontdesk.secrets.MemoryKeyring")  # where keyring looks, in the test's folder
    env = isolated(tmp_path)
    proc = subprocess.run([sys.executable, "-c", ROUND_TRIP], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "LOADED ['configparser']" in proc.stdout, proc.stdout  # read the config file: nothing else


# The desk's start chooses keyring's backend before PySide6 (ui.main.import_core_first), so PySide6's import hook
# reads none of the modules the choice imports; the demo's start (a memory keyring) leaves keyring to choose later.
EARLY = """
import json, sys
from ui.main import import_core_first
import_core_first(keyring=sys.argv[1] == "desk")
import keyring.core
chosen = keyring.core._keyring_backend
name = lambda b: None if b is None else f"{type(b).__module__}.{type(b).__qualname__}"
print(json.dumps({"early": name(chosen), "qt": "PySide6" in sys.modules,
                  "theirs": name(keyring.core._detect_backend())}))
"""


@pytest.mark.parametrize("start", ["desk", "demo"])
def test_the_desk_chooses_keyrings_backend_before_pyside6_and_the_demo_does_not(tmp_path, start):
    proc = subprocess.run(
        [sys.executable, "-c", EARLY, start], capture_output=True, env=isolated(tmp_path), timeout=120
    )
    assert proc.returncode == 0, proc.stderr.decode()
    got = json.loads(proc.stdout)
    assert not got["qt"]
    assert got["early"] == (got["theirs"] if start == "desk" else None), got
