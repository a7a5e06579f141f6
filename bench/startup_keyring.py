"""Issue 13's start-up row as a Linux desk meets it: its database encrypted, the key in GNOME Keyring over D-Bus.

``bench.startup`` runs this under ``dbus-run-session`` (a D-Bus session of its own, gone with it): it starts
``gnome-keyring-daemon`` unlocked in a home folder of its own (nothing is written to the machine's keyring),
makes a desk's data folder with ``Services.open(encrypt=True)`` (the key goes into that keyring, as on a real
desk), then times the desk against the bare window, pair by pair, as ``bench.startup.pairs`` does, with no
keyring backend named: the desk finds the Secret Service by keyring's rules, opens a session over D-Bus and
reads its key before the first screen. Prints one JSON line (the pairs' medians).

``python -m bench.startup_keyring TMPDIR`` (inside ``dbus-run-session``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def main(tmp: Path) -> int:
    """Start the keyring, make the encrypted desk, print the pairs' medians as JSON."""
    home, runtime = tmp / "home", tmp / "run"
    home.mkdir(parents=True, exist_ok=True)
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    env = {
        **os.environ,
        **{k: str(home) for k in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME")},
        "XDG_RUNTIME_DIR": str(runtime),
    }
    env.pop("PYTHON_KEYRING_BACKEND", None)
    started = subprocess.run(
        ["gnome-keyring-daemon", "--unlock", "--components=secrets"],
        input=b"bench-keyring-password",
        env=env,
        capture_output=True,
        check=True,
        timeout=30,
    )
    for line in started.stdout.decode().splitlines():  # GNOME_KEYRING_CONTROL=...
        name, _, value = line.partition("=")
        if name and value:
            env[name] = value
    os.environ.clear()
    os.environ.update(env)

    from bench.startup import pairs
    from frontdesk import settings as s
    from frontdesk.access.roles import Role
    from frontdesk.context import Services
    from frontdesk.models import Visitor

    data = tmp / "data"
    services = Services.open(data, encrypt=True)
    if services.store.key is None:
        raise SystemExit("the database was not encrypted: no keyring reached")
    services.settings.set(s.SCHOOL_NAME, "Bench School")
    services.settings.set(s.STATION_NAME, "Main office desk")
    services.checkin.admit(Visitor("Ann", "Testwood"))
    services.accounts.add("admin", Role.ADMIN, "bench-secret-1", "Bench Admin")
    services.close()

    py = sys.executable
    env = {**env, "QT_QPA_PLATFORM": env.get("QT_QPA_PLATFORM", "offscreen")}
    result = pairs(
        [py, "-m", "bench.startup_probe", "desk", str(data)], [py, "-m", "bench.startup_probe", "bare"], env
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
