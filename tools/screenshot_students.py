"""Screenshots of the students feature: the sign-out (release) window, a refused release, a late pass and a
release slip (rendered to PNG at the printer's dots), and the reunification board during a drill.

Run under Xvfb at a laptop's size: ``xvfb-run -s "-screen 0 1366x768x24" env PYTHONPATH=. .venv/bin/python
tools/screenshot_students.py``. Demo mode: every student and adult is invented.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from frontdesk.demo import demo_services
from frontdesk.settings import SCHOOL_NAME
from frontdesk.students.printing import late_pass, release_slip
from printers.media import media
from ui.app import build_desk, configure_app

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def sign_in(desk, username: str, secret: str) -> None:
    """Lock / switch person, then sign in (as the Staff menu does)."""
    lock = desk.desk_lock
    lock.lock()
    lock.sign_in.username.setText(username)
    lock.sign_in.secret.setText(secret)
    lock.sign_in.submit()


def pick(w, text: str) -> None:
    w.find_entry.setText(text)
    w.finder.on_return_pressed()


def main() -> int:
    """Write the students-*.png screenshots."""
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    configure_app(app)
    services = demo_services()
    desk = build_desk(services, demo=True)
    desk.window.resize(1280, 740)
    desk.window.show()
    sign_in(desk, "desk.pat", "1234")
    students = services.students
    school = services.settings.get(SCHOOL_NAME)

    # Early dismissal to a listed guardian: released, the slip on screen.
    w = desk.students.open_students()
    w.move(0, 0)
    student = students.get("stu-00021")
    guardian = students.pickups(student)[0].name
    pick(w, student.last_name[:5])
    row = next(i for i in range(w.results.count()) if w.results.item(i).data(256).id == student.id)
    w.results.setCurrentRow(row)
    w.finder.on_item_activated(w.results.item(row))
    w.action_tabs.setCurrentIndex(1)
    w.adult.setText(guardian)
    w.release_reason.setText("Orthodontist appointment")
    w.release()
    QTest.qWait(600)
    w.grab().save(str(OUT / "students-release.png"))

    # A custody order names this student: compared, then refused in red.
    custody_student = students.get("stu-00012")
    pick(w, custody_student.number)
    w.action_tabs.setCurrentIndex(1)
    w.adult.setText("Victor Custodia")
    w.adult_dob.setText("1979-05-05")
    w.release_reason.setText("Says he is taking her to lunch")
    w.release()
    QTest.qWait(200)
    w.grab().save(str(OUT / "students-compare-custody.png"))
    w.decide(True)
    QTest.qWait(300)
    w.grab().save(str(OUT / "students-release-refused.png"))

    # The printed late pass and release slip, as the printer gets them (80 mm roll).
    paper = media("80mm")
    m = students.arrive("100031", reason="Doctor's appointment", excused=True)
    late_pass(m, school, paper).image.save(str(OUT / "students-late-pass.png"))
    released = students.out()[-1]
    release_slip(released, school, paper).image.save(str(OUT / "students-release-slip.png"))

    # Reunification drill: a few requests at each step.
    board = desk.students.open_board()
    board.move(0, 0)
    board.drill.setChecked(True)
    board.site.setText("Maple Grove Community Church hall")
    board.start()
    for sid in ("stu-00040", "stu-00041", "stu-00042", "stu-00043", "stu-00066"):
        s = students.get(sid)
        pickups = students.pickups(s)
        if not pickups:
            continue
        board.student.setText(s.number)
        board.adult.setText(pickups[0].name)
        board.ask()
    board.student.setText(custody_student.number)
    board.adult.setText("Victor Custodia")
    board.adult_dob.setText("1979-05-05")
    board.ask()
    refused = board.message.text()
    board.refresh()
    reqs = services.reunification.board().requests
    services.reunification.send(reqs[-1].id, "Coach Rivera")
    services.reunification.send(reqs[-2].id, "Ms. Okafor")
    services.reunification.release(reqs[-1].id)
    board.refresh()
    board.select_request(reqs[-2].id)  # the one on its way: the line under the table says its class
    board.say(refused, True)
    QTest.qWait(300)
    board.grab().save(str(OUT / "students-reunification-board.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
