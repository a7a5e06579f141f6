"""Screenshot of the office's pick-up lists window (a principal signed in, a student with a court order, a
guardian the office stopped, a temporary authorisation and a may-not-pick-up entry).

Run under Xvfb at a laptop's size: ``xvfb-run -s "-screen 0 1366x768x24" env PYTHONPATH=. .venv/bin/python
tools/screenshot_pickup_lists.py``. Demo mode: every student and adult is invented.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from frontdesk import clock
from frontdesk.demo import demo_services
from ui.app import build_desk, configure_app

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def main() -> int:
    """Write docs/screenshots/students-pickup-lists.png."""
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    configure_app(app)
    services = demo_services()
    desk = build_desk(services, demo=True)
    desk.window.resize(1280, 740)
    desk.window.show()
    lock = desk.desk_lock
    lock.lock()
    lock.sign_in.username.setText("principal")
    lock.sign_in.secret.setText("demo-principal")
    lock.sign_in.submit()

    students = services.students
    student = students.get("stu-00012")  # the demo's custody order names this student
    guardians = students.guardians(student)
    if guardians:
        students.set_pickup_allowed(student, guardians[-1], False, "Access suspended by letter of 11/28")
    today = clock.now().astimezone().date()
    students.authorise(
        student, "Gina", "Whitcombe", valid_from=today, valid_until=today + timedelta(days=4), note="Grandmother"
    )
    students.bar_pickup(student, "Mallory", "Fenwick", dob=None, reason="Protective order served 11/30")

    w = desk.students.open_pickups()
    w.move(0, 0)
    w.find_entry.setText(student.number)
    w.finder.on_return_pressed()
    w.guardians.selectRow(0)
    w.say("Gina Whitcombe may pick up this student (temporary).", "success")
    QTest.qWait(600)
    w.grab().save(str(OUT / "students-pickup-lists.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
