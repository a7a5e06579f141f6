"""A private CUPS print server for the tests: Debian's real ``cupsd``, its own folders, on 127.0.0.1 only.

One per test process (``cups_server`` fixture, session scope). No browsing, no sharing, no web interface, no
domain socket: nothing but ``127.0.0.1:PORT``, which a desk process reaches through ``CUPS_SERVER`` as Qt and
pycups both do. Queues are made with ``lpadmin``; a queue's device is a ``socket://`` printer on loopback (a
:class:`tests.printer_listeners.Listener` records the bytes that reach it). Where cupsd, lpadmin or pycups are
missing or cupsd does not start it raises :class:`CupsUnavailable`, saying why (the fixture skips then; the
screenshot tool says so).
"""

from __future__ import annotations

import getpass
import grp
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

_CUPSD_CONF = """\
Listen 127.0.0.1:{port}
Browsing No
BrowseLocalProtocols none
DefaultShared No
WebInterface No
LogLevel info
ErrorPolicy stop-printer
<Location />
  Order allow,deny
  Allow 127.0.0.1
</Location>
<Location /admin>
  Order allow,deny
  Allow 127.0.0.1
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""

_FILES_CONF = """\
ServerRoot {root}/conf
StateDir {root}/state
CacheDir {root}/cache
RequestRoot {root}/spool
TempDir {root}/tmp
ErrorLog {root}/log/error_log
AccessLog {root}/log/access_log
PageLog {root}/log/page_log
ServerBin /usr/lib/cups
DataDir /usr/share/cups
User {user}
Group {group}
SystemGroup {system_group}
"""


# A job's messages come in the language of the program that sent it (and cupsd's own in its locale).
_ENGLISH = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


class CupsUnavailable(Exception):
    """No private CUPS server can run here; the message says why."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CupsServer:
    """A running private cupsd; ``address`` is what ``CUPS_SERVER`` takes."""

    def __init__(self) -> None:
        missing = [tool for tool in ("cupsd", "lpadmin", "cupsdisable") if shutil.which(tool) is None]
        if not Path("/usr/lib/cups/backend/socket").exists():
            missing.append("/usr/lib/cups/backend/socket")
        if missing:
            raise CupsUnavailable(
                f"no CUPS here ({', '.join(missing)} missing: Debian's cups-daemon and cups-client)"
            )
        try:
            import cups  # noqa: F401
        except ImportError:
            raise CupsUnavailable("pycups is not installed (it builds against libcups2-dev)") from None
        # Under /tmp with 0755, not pytest's 0700 folder: as root, cupsd runs the socket backend as user lp,
        # which must reach the spooled job.
        self.root = Path(tempfile.mkdtemp(prefix="frontdesk-cups-"))
        self.root.chmod(0o755)
        for sub in ("conf", "state", "cache", "spool", "tmp", "log"):
            (self.root / sub).mkdir()
        self.port = _free_port()
        self.address = f"127.0.0.1:{self.port}"
        root_user = os.geteuid() == 0
        user = "lp" if root_user else getpass.getuser()
        group = "lp" if root_user else grp.getgrgid(os.getegid()).gr_name
        (self.root / "conf" / "cupsd.conf").write_text(_CUPSD_CONF.format(port=self.port))
        (self.root / "conf" / "cups-files.conf").write_text(
            _FILES_CONF.format(root=self.root, user=user, group=group, system_group="root" if root_user else group)
        )
        self._log = open(self.root / "log" / "cupsd.out", "wb")  # noqa: SIM115 (kept for the server's life)
        self.process = subprocess.Popen(
            [
                "cupsd",
                "-f",
                "-c",
                str(self.root / "conf/cupsd.conf"),
                "-s",
                str(self.root / "conf/cups-files.conf"),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **_ENGLISH},  # the tests read CUPS's messages in English
        )
        if not self._wait_until_running():
            log = "".join(
                (self.root / "log" / f).read_text(errors="replace")[-400:]
                for f in ("cupsd.out", "error_log")
                if (self.root / "log" / f).exists()
            )
            self.stop()
            raise CupsUnavailable(f"cupsd did not start: {log}")

    def _wait_until_running(self) -> bool:
        end = time.monotonic() + 30
        while time.monotonic() < end and self.process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return True
            except OSError:
                time.sleep(0.05)
        return False

    def env(self) -> dict[str, str]:
        """The environment of a desk process that uses this server."""
        return {**os.environ, **_ENGLISH, "CUPS_SERVER": self.address, "QT_QPA_PLATFORM": "offscreen"}

    def run(self, *command: str) -> str:
        """A CUPS command-line tool (``lpadmin``, ``cupsdisable`` …) against this server."""
        done = subprocess.run(
            [command[0], "-h", self.address, *command[1:]], capture_output=True, text=True, timeout=30, check=False
        )
        if done.returncode != 0:
            raise AssertionError(f"{' '.join(command)}: {done.stderr.strip()}")
        return done.stdout

    def add_queue(self, name: str, description: str, printer_port: int, options: str = "") -> None:
        """A raw queue (the PDF Qt sends goes to the device as it is) for a socket printer on loopback;
        ``options`` go to the socket backend (``contimeout=1``: give up on an unreachable printer after 1 s)."""
        device = f"socket://127.0.0.1:{printer_port}" + (f"/?{options}" if options else "")
        self.run("lpadmin", "-p", name, "-D", description, "-E", "-v", device, "-m", "raw")

    def remove_queue(self, name: str) -> None:
        """Delete a queue and its jobs."""
        self.run("lpadmin", "-x", name)

    def jobs(self, which: str = "all") -> dict[int, dict]:
        """Every job the server knows (``which``: all, not-completed, completed) with its state."""
        import cups

        return cups.Connection(host="127.0.0.1", port=self.port).getJobs(
            which_jobs=which, requested_attributes=["job-id", "job-state", "job-printer-uri"]
        )

    def stop(self) -> None:
        """End cupsd (the process this object started) and remove its folders."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        shutil.rmtree(self.root, ignore_errors=True)
