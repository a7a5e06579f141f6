"""A D-Bus session of the test's own with GNOME Keyring's Secret Service on it (never the machine's keyring)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def isolated(tmp_path: Path) -> dict[str, str]:
    """An environment with no keyring chosen: no PYTHON_KEYRING_BACKEND, no keyringrc.cfg, no D-Bus session."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS")}
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR", "LOCALAPPDATA", "APPDATA"):
        env[name] = str(tmp_path)
    env["PYTHONPATH"] = str(ROOT)
    return env


@pytest.fixture
def session_bus(tmp_path):
    """A D-Bus session of the test's own, listening at ``$XDG_RUNTIME_DIR/bus`` (where systemd puts a user's
    session bus), with GNOME Keyring's Secret Service on it, unlocked, in the test's home folder (never the
    machine's keyring). Yields the environment that names it (DBUS_SESSION_BUS_ADDRESS)."""
    for tool in ("dbus-daemon", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            pytest.skip(f"needs {tool} (.ci/run installs dbus and gnome-keyring)")
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {**isolated(tmp_path), "XDG_RUNTIME_DIR": str(runtime)}
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address", f"--address=unix:path={runtime / 'bus'}"],
        stdout=subprocess.PIPE,
        env=env,
    )
    try:
        env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().decode().strip()
        subprocess.run(
            ["gnome-keyring-daemon", "--unlock", "--components=secrets"],
            input=b"test-keyring-password",
            env=env,
            capture_output=True,
            check=True,
            timeout=30,
        )
        yield env
    finally:
        bus.terminate()  # the keyring daemon leaves with its bus
        bus.wait(timeout=10)
        bus.stdout.close()
