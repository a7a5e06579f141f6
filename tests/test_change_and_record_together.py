"""A change and its audit record commit together, for every kind of change (issue 12).

For each kind, a real process makes the change and is killed (SIGKILL) at the moment SQLite is asked to
write the audit record, after the change's own statements ran: a tracer on the connection sees each
statement. Afterwards neither the change nor its record is there, and ``audit verify`` is intact: there is
no "between" to crash in.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from frontdesk.access.roles import Role
from frontdesk.context import Services
from frontdesk.models import Visitor
from tests.test_bulk_never_blocks import write_registry

ROOT = Path(__file__).resolve().parent.parent

# kind -> (the change, made in the killed process; the statement that is the change)
CHANGES = {
    "list.add": (
        "s.lists.add('District', NewEntry(first_name='Casey', last_name='Nobody'))",
        "INSERT INTO screening_entries",
    ),
    "list.remove": ("s.lists.remove(s.lists.search('Family1')[0].id)", "DELETE FROM screening_entries"),
    "list.import": (
        "s.lists.import_csv(DATA / 'new.csv', 'District', replace=True)",
        "UPDATE screening_lists SET source",
    ),
    "list.remove_source": ("s.lists.remove_source('District')", "UPDATE screening_lists SET state = 'retired'"),
    "settings.change": ("s.settings.set(st.SCHOOL_NAME, 'Changed School')", "INSERT INTO settings"),
    "user.add": ("s.accounts.add('root', Role.ADMIN, 'district-secret', 'Dana Admin')", "INSERT INTO users"),
    "visit.check_in": ("s.checkin.admit(Visitor('Jordan', 'Sampleton'), purpose='Meeting')", "INSERT INTO visits"),
    "visit.check_out": ("s.visits.check_out(s.visits.on_site()[0].id)", "UPDATE visits"),
    "screening.decision": (
        "s.decisions.record(Query('Casey', 'Nobody'), None, Outcome.CLEAR, Consequence.ADMIT, 'Pat', '')",
        "INSERT INTO screening_decisions",
    ),
}

SCRIPT = """
import os, signal, sys
from pathlib import Path
from frontdesk.context import Services
from frontdesk import settings as st
from frontdesk.access.roles import Role
from frontdesk.models import Visitor
from frontdesk.screening.models import NewEntry
from frontdesk.screening.match import Query
from frontdesk.screening.decisions import Outcome, Consequence

DATA = Path(sys.argv[1])
s = Services.open(DATA / 'data')
seen = []

def trace(sql):
    seen.append(sql)
    print(sql.replace('\\n', ' '), flush=True)
    if sql.lstrip().startswith('INSERT INTO audit_log'):
        os.kill(os.getpid(), signal.SIGKILL)  # after the change's statements, before the commit

s.store.db.conn.set_trace_callback(trace)
{change}
print('FINISHED WITHOUT AN AUDIT RECORD', flush=True)
"""


def snapshot(data_dir: Path) -> dict:
    services = Services.open(data_dir)
    db = services.store.db
    state = {
        table: db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
        for table in ("settings", "visits", "screening_decisions")
    }
    # A killed import leaves its half-built list hidden (never screened; the next import deletes it).
    state["entries"] = db.execute(
        "SELECT e.* FROM screening_entries e JOIN screening_lists l ON l.id = e.list_id WHERE l.state = 'live'"
    ).fetchall()
    # The killed process signed in first (its own record, committed before the change began).
    state["users"] = db.execute("SELECT id, username, role FROM users ORDER BY 1").fetchall()
    state["audit_log"] = db.execute("SELECT * FROM audit_log WHERE action != 'user.sign_in' ORDER BY 1").fetchall()
    state["lists"] = [(x.source, x.entry_count) for x in services.lists.lists()]
    services.close()
    return state


@pytest.mark.parametrize("kind", sorted(CHANGES))
def test_killed_between_the_change_and_its_record_leaves_neither(kind, tmp_path):
    data_dir = tmp_path / "data"
    services = Services.open(data_dir)
    services.lists.import_csv(write_registry(tmp_path / "old.csv", 3), "District")
    write_registry(tmp_path / "new.csv", 7)
    services.checkin.admit(Visitor("Avery", "Testwood"), purpose="Meeting")
    if kind != "user.add":
        services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")  # audited from now on
    services.close()
    before = snapshot(data_dir)
    change, statement = CHANGES[kind]
    script = textwrap.dedent(SCRIPT).replace("{change}", change)
    if kind != "user.add":
        script = script.replace("seen = []", "s.accounts.sign_in('root', 'district-secret')\nseen = []")
    proc = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -9, proc.stdout[-2000:] + proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    change_at = max(i for i, line in enumerate(lines) if line.lstrip().startswith(statement))
    assert lines[-1].lstrip().startswith("INSERT INTO audit_log") and change_at < len(lines) - 1
    after = snapshot(data_dir)
    assert after == before  # neither the change nor its record
    services = Services.open(data_dir)
    services.accounts.sign_in("root", "district-secret") if kind != "user.add" else None
    assert services.audit.verify().intact
    services.close()
