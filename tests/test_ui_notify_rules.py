"""The accounts window's email and mobile, and the recipients window's words for roles and district rules."""

from __future__ import annotations

from PySide6.QtCore import Qt

from frontdesk.access.roles import Role
from ui.notifications.outbound_window import OutboundWindow, RecipientsModel
from ui.staff.accounts_window import AccountsWindow


def _admin(services) -> None:
    services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")
    services.accounts.sign_in("root", "district-secret")


def test_the_accounts_window_sets_an_accounts_email_and_mobile(qtbot, services):
    _admin(services)
    services.accounts.add("p.nakamura", Role.PRINCIPAL, "principal-pw", "Dr. Nakamura")
    win = AccountsWindow(services.accounts)
    qtbot.addWidget(win)
    row = next(r for r in range(win.table.rowCount()) if win.table.item(r, 0).text() == "p.nakamura")
    win.table.selectRow(row)
    win.email.setText("not an address")
    qtbot.mouseClick(win.contact_button, Qt.MouseButton.LeftButton)
    assert "is not an email address" in win.message.text()
    win.email.setText("nakamura@maple.example")
    win.mobile.setText("+1 555 123 0001")
    qtbot.mouseClick(win.contact_button, Qt.MouseButton.LeftButton)
    assert win.message.text() == "p.nakamura: email nakamura@maple.example, mobile +15551230001."
    row = next(r for r in range(win.table.rowCount()) if win.table.item(r, 0).text() == "p.nakamura")
    assert (win.table.item(row, 5).text(), win.table.item(row, 6).text()) == (
        "nakamura@maple.example",
        "+15551230001",
    )
    assert services.accounts.get("p.nakamura").email == "nakamura@maple.example"


def test_the_recipients_window_names_roles_and_the_districts_rules(qtbot, services, person):
    person.answer = "Yes"  # Remove: yes
    _admin(services)
    services.outbound.set_district_rules(
        [
            {"to": "role:principal", "events": "match"},
            {"to": "security@district.example", "events": "panic", "locked": True},
        ]
    )
    services.outbound.add("account:root", "daily-log", sms=True)
    model = RecipientsModel()
    model.set_items(services.outbound.recipients())
    assert [model.cells(r) for r in model.items()] == [
        ("Account root", "", "Email and text", "School", "Daily log"),
        ("Every principal (from their accounts)", "", "Email", "District", "Match"),
        ("security@district.example", "", "Email", "District (locked)", "Panic"),
    ]
    window = OutboundWindow(services, poll_ms=60_000)
    qtbot.addWidget(window)
    window.recipients_view.selectRow(2)
    qtbot.mouseClick(window.remove_button, Qt.MouseButton.LeftButton)
    assert "the district locked it" in window.message.text()
    window.recipients_view.selectRow(1)
    qtbot.mouseClick(window.remove_button, Qt.MouseButton.LeftButton)
    assert window.recipients.cells(window.recipients.item_at(1))[3:] == (
        "School, instead of the district's",
        "Off at this school",
    )


def test_the_recipients_window_says_plainly_a_frozen_desk_has_no_twilio(qtbot, services, monkeypatch):
    import sys

    from frontdesk import settings as s

    services.settings.set(s.NOTIFY_SMS_PROVIDER, "twilio")
    monkeypatch.setitem(sys.modules, "twilio.rest", None)  # as in the installer's bundle
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    window = OutboundWindow(services, poll_ms=60_000)
    qtbot.addWidget(window)
    assert "This installed FrontDesk has no Twilio client" in window.summary.text()
    assert "email-to-SMS address" in window.summary.text()


def test_disabling_an_account_or_clearing_its_mobile_asks_first_naming_what_it_stops_being_told(
    qtbot, services, person
):
    """Found on the walk (session 25): Disable selected, beside the other buttons, disabled an account in one
    click,
    and Set email / mobile with a box left empty (its number half-retyped when the administrator was interrupted)
    cleared it: the principal stopped getting the school's panic texts, said nowhere. Each now asks first, naming
    what stops; No (the default) keeps it."""
    _admin(services)
    services.accounts.add("p.nakamura", Role.PRINCIPAL, "principal-pw", "Dr. Nakamura",
                          email="nakamura@maple.example", mobile="+15551230001")  # fmt: skip
    services.outbound.add("role:principal", ("panic", "match"), sms=True)
    win = AccountsWindow(services.accounts, outbound=services.outbound)
    qtbot.addWidget(win)
    row = next(r for r in range(win.table.rowCount()) if win.table.item(r, 0).text() == "p.nakamura")
    win.table.selectRow(row)
    assert win.mobile.text() == "+15551230001"
    win.mobile.clear()
    person.answer = "No"
    qtbot.mouseClick(win.contact_button, Qt.MouseButton.LeftButton)
    [asked] = person.asked
    assert "Clear p.nakamura's mobile?" in asked.text and "+15551230001" in asked.text
    assert "Panic alert at this school" in asked.text and asked.default == "No"
    assert services.accounts.get("p.nakamura").mobile == "+15551230001"
    assert services.outbound.subscribers("panic")  # still texted
    qtbot.mouseClick(win.disable_button, Qt.MouseButton.LeftButton)
    assert "Disable p.nakamura (Dr. Nakamura, principal)?" in person.asked[1].text
    assert "Barred / registry / custody match" in person.asked[1].text and person.asked[1].default == "No"
    assert not services.accounts.get("p.nakamura").disabled and "Nothing changed" in win.message.text()
    person.answer = "Yes"
    qtbot.mouseClick(win.disable_button, Qt.MouseButton.LeftButton)
    assert services.accounts.get("p.nakamura").disabled and win.message.text() == "Disabled p.nakamura."
