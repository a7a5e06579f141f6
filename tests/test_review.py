"""The principals' review in the core: days and ranges, filters, FTS5 search, history, charts, exports."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime

import pytest

from frontdesk.cli import main
from frontdesk.errors import InputError
from frontdesk.models import Category, Visitor
from frontdesk.review import service as review_service
from frontdesk.review.models import ReviewQuery, Totals, decision_words
from tests.pdf_text import pdf_text
from tests.volunteer_helpers import approved_volunteer

DAY = date(2026, 11, 2)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment in the desk's local time."""
    return datetime(day.year, day.month, day.day, hour, minute).astimezone()


def seed(services, *visits):
    """Check visitors in (and out) at given times: (first, last, category, hour_in, hour_out, station, purpose)."""
    made = []
    for first, last, category, day, hour_in, hour_out, station, purpose in visits:
        if category == "volunteer" and services.volunteers.find_for(Visitor(first, last)) is None:
            approved_volunteer(services, first, last)  # checking in as a volunteer needs a record
        desk = services.checkin.at(now=lambda d=day, h=hour_in: at(d, h), station=station, staff="Pat")
        visit = desk.admit(Visitor(first, last), category=category, purpose=purpose, again=True)
        if hour_out is not None:
            services.visits.elsewhere(now=lambda d=day, h=hour_out: at(d, h)).check_out(visit.id)
        made.append(visit)
    return made


@pytest.fixture
def history(services):
    seed(
        services,
        ("Ann", "Testwood", "visitor", DAY, 8, 9, "Main office", "Meeting with Ms. Alvarez"),
        ("Bob", "Sampleton", "contractor", DAY, 9, 12, "Main office", "Boiler repair"),
        ("Zoë", "Fakerson", "volunteer", DAY, 13, None, "East door", "Library helper"),
        ("Ann", "Testwood", "parent", date(2026, 11, 3), 14, 15, "East door", "Pick up student"),
        ("Cy", "Mockridge", "vendor", date(2026, 10, 30), 10, 11, "Main office", "Delivery"),
    )
    return services


def test_a_day_with_times_durations_and_filters(history):
    rows = history.review.visits(ReviewQuery(DAY, DAY))
    assert [r.visit.visitor.first_name for r in rows] == ["Ann", "Bob", "Zoë"]
    assert rows[1].duration(at(DAY, 23)) == 3 * 3600
    assert rows[0].visit.purpose == "Meeting with Ms. Alvarez" and rows[0].visit.station == "Main office"
    q = ReviewQuery(DAY, DAY, category=Category.CONTRACTOR)
    assert [r.visit.visitor.last_name for r in history.review.visits(q)] == ["Sampleton"]
    on_site = history.review.visits(ReviewQuery(DAY, DAY, on_site_only=True))
    assert [r.visit.visitor.first_name for r in on_site] == ["Zoë"]
    east = history.review.visits(ReviewQuery(DAY, date(2026, 11, 3), station="East door"))
    assert [r.visit.category for r in east] == [Category.VOLUNTEER, Category.PARENT]
    assert len(history.review.visits(ReviewQuery(date(2026, 10, 1), date(2026, 11, 30)))) == 5
    assert history.review.stations() == ["East door", "Main office"]


def test_screening_and_badge_facts_come_through_the_annotator_seam(history, monkeypatch):
    def flag_contractors(db, ids):
        rows = db.execute(
            f"SELECT id FROM visits WHERE category = 'contractor' AND id IN ({','.join('?' * len(ids))})", ids
        )
        return {r[0]: {"flagged": True, "screening_result": "possible match", "badge_printed": True} for r in rows}

    monkeypatch.setattr(review_service, "ANNOTATORS", [flag_contractors])
    flagged = history.review.visits(ReviewQuery(DAY, DAY, flagged_only=True))
    assert [(r.visit.visitor.last_name, r.screening_result) for r in flagged] == [("Sampleton", "possible match")]
    plain = history.review.visits(ReviewQuery(DAY, DAY))[0]
    assert (plain.flagged, plain.badge_printed, plain.screening_result) == (False, None, None)


def test_totals(history):
    totals = Totals.of(history.review.visits(ReviewQuery(DAY, DAY)), at(DAY, 23))
    assert (totals.visits, totals.people, totals.on_site, totals.average_minutes) == (3, 3, 1, 120)
    assert totals.by_category == {Category.VISITOR: 1, Category.VOLUNTEER: 1, Category.CONTRACTOR: 1}


def test_search_all_history_by_prefix_and_accents(history):
    found = history.review.search("testw")
    assert [r.visit.time_in.astimezone().date() for r in found] == [date(2026, 11, 3), DAY]  # newest first
    assert [r.visit.visitor.first_name for r in history.review.search("zoe")] == ["Zoë"]
    assert [r.visit.visitor.last_name for r in history.review.search("boiler")] == ["Sampleton"]
    assert [r.visit.visitor.last_name for r in history.review.search("ann pick")] == ["Testwood"]
    assert history.review.search('"*)(') == [] and history.review.search("") == []


def test_search_starts_at_two_letters(history):
    # One letter would match most of history (the index keeps no one-letter prefixes): the person is told.
    for typed in ("a", "  b ", "a b", "é"):
        with pytest.raises(InputError) as said:
            history.review.search(typed)
        assert said.value.message == "Type at least two letters to search."
    # Beside a longer word, a one-letter word waits for its next letter: every Ann, then Ann T... only.
    assert {r.visit.visitor.last_name for r in history.review.search("ann b")} == {"Testwood"}
    assert {r.visit.visitor.last_name for r in history.review.search("te")} == {"Testwood"}
    assert [r.visit.visitor.first_name for r in history.review.search("zo")] == ["Zoë"]


def test_search_leaves_station_and_category_to_the_filters(history):
    # review_0002: the index holds what only a search finds; station and category are the Review's filters.
    assert history.review.search("east door") == [] and history.review.search("contractor") == []
    assert [r.visit.visitor.last_name for r in history.review.search("pat bob")] == ["Sampleton"]  # staff


def test_the_two_letter_index_replaces_the_old_one_on_an_existing_database(data_dir):
    """A desk with review_0001's index (one-letter prefixes, station and category) gets review_0002's at its
    next start: every visit still found, from two letters, and the triggers follow changes as before."""
    from frontdesk.context import MIGRATIONS, Services
    from frontdesk.store import Store

    name = "review_0002_visit_search_two_letters"
    Store.open(data_dir, [m for m in MIGRATIONS if m[0] != name]).close()  # a desk from before review_0002
    db = Store(data_dir).db
    db.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, 'held back')", [name])
    services = Services.open(data_dir)  # review_0001's index and triggers, as that desk has them
    seed(services, ("Old", "Indexwood", "visitor", DAY, 8, 9, "North gate", "Gym repairs"))
    assert [r.visit.visitor.last_name for r in services.review.search("north")] == ["Indexwood"]
    db.execute("DELETE FROM _migrations WHERE name = ?", [name])
    services.close()
    db.close()

    services = Services.open(data_dir)  # the migration runs (the file backed up first)
    try:
        sql = services.store.db.execute("SELECT sql FROM sqlite_master WHERE name = 'visit_search'").fetchone()[0]
        assert "prefix = '2 3'" in sql and "station" not in sql and "category" not in sql
        assert [r.visit.visitor.last_name for r in services.review.search("ind gym")] == ["Indexwood"]
        assert services.review.search("north") == []
        assert any("before-review_0002" in p.name for p in (data_dir / "backups").iterdir())
        visit = services.review.search("indexwood")[0].visit
        with services.store.db.conn:
            services.store.db.execute(
                "UPDATE visits SET note = 'left by the loading dock' WHERE id = ?", [visit.id]
            )
        assert [r.visit.id for r in services.review.search("loading")] == [visit.id]
    finally:
        services.close()


def test_search_index_follows_changes(history):
    # A check-out note and a corrected name are found at once (triggers keep the index in step).
    visit = history.visits.on_site()[0]
    history.visits.check_out(visit.badge_code, note="left by the gym door")
    assert [r.visit.id for r in history.review.search("gym door")] == [visit.id]
    with history.store.db.conn:
        history.store.db.execute("UPDATE people SET last_name = 'Fakerson-Lee' WHERE id = ?", [visit.visitor.id])
    assert [r.visit.id for r in history.review.search("lee")] == [visit.id]
    with history.store.db.conn:  # the visit's screening record goes with it (it refers to the visit)
        history.store.db.execute("DELETE FROM screening_decisions WHERE visit_id = ?", [visit.id])
        history.store.db.execute("DELETE FROM visits WHERE id = ?", [visit.id])
    assert history.review.search("gym") == []


def test_person_history(history):
    ann = history.review.search("ann testwood")[0].visit.visitor
    rows = history.review.history(ann.id)
    assert [r.visit.category for r in rows] == [Category.PARENT, Category.VISITOR]


def test_chart_data(history):
    hours = history.review.by_hour(DAY)
    assert (hours[8], hours[9], hours[13], sum(hours)) == (1, 1, 1, 3)
    days = dict(history.review.by_day(2026, 11))
    assert len(days) == 30 and days[DAY] == 3 and days[date(2026, 11, 3)] == 1
    assert history.review.by_category(date(2026, 10, 1), date(2026, 11, 30))[Category.VENDOR] == 1


def test_close_forgotten_visitors_with_a_note(history):
    closed = history.review.close_forgotten(DAY, "left without signing out")
    assert [v.visitor.first_name for v in closed] == ["Zoë"]
    assert closed[0].time_out is not None and closed[0].note == "left without signing out"
    assert history.visits.on_site() == []
    assert (
        history.audit.records(action="visit.check_out_forgotten")[0].details["note"] == "left without signing out"
    )
    with pytest.raises(Exception, match="Say why"):
        history.review.close_forgotten(DAY, " ")


def test_bad_ranges(history):
    with pytest.raises(Exception, match="before it starts"):
        history.review.visits(ReviewQuery(DAY, date(2026, 11, 1)))


def test_csv_export_is_audited(history, tmp_path):
    out = tmp_path / "day.csv"
    assert history.review.export(ReviewQuery(DAY, DAY), "csv", out) == 3
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [r["name"] for r in rows] == ["Ann Testwood", "Bob Sampleton", "Zoë Fakerson"]
    assert (rows[1]["time_in"], rows[1]["time_out"], rows[1]["minutes"]) == ("09:00", "12:00", "180")
    assert rows[2]["time_out"] == "" and rows[0]["badge_printed"] == "no"  # the badge feature: none printed
    record = history.audit.records(action="report.export")[0]
    assert record.details == {"format": "csv", "from": "2026-11-02", "to": "2026-11-02", "visits": 3}


def test_pdf_report_and_roster(history, tmp_path):
    out = tmp_path / "month.pdf"
    assert (
        history.review.export(ReviewQuery(date(2026, 10, 1), date(2026, 11, 30)), "pdf", out, school="Maple") == 5
    )
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and b"/Count 1" in data
    roster = tmp_path / "roster.pdf"
    assert history.review.roster_pdf(roster, school="Maple") == 1
    assert roster.read_bytes().startswith(b"%PDF")
    assert [r.action for r in history.audit.records(limit=2)] == ["roster.print", "report.export"]


def test_the_roster_says_where_each_visitor_went_in_full(services, tmp_path):
    """The roster's Where and Desk columns wrap onto two smaller lines instead of cutting the words a responder
    looks for (it printed "Nurse Patel (Heal…" for the health room)."""
    desk = services.checkin.at(station="Main office desk, north entrance", staff="Pat")
    desk.admit(Visitor("Avery", "Testwood"), destination="Nurse Patel (Health room, 2nd floor)")
    desk.admit(Visitor("Blake", "Sampleton"), destination="Gym")
    desk.admit(Visitor("Maximiliana-Josephine", "Wolfenbarger-Whitmore"), destination="Gym")
    roster = tmp_path / "roster.pdf"
    assert services.review.roster_pdf(roster, school="Maple") == 3
    drawn = pdf_text(roster)  # strings as the page draws them: "(" and ")" escaped, "…" as \205
    for line in (
        r"(Nurse Patel \(Health) Tj",
        r"(room, 2nd floor\)) Tj",
        "(Main office desk,) Tj",
        "(north entrance) Tj",
    ):
        assert line in drawn, line
    assert r"\205" not in drawn  # nothing cut with an ellipsis


def test_cli_report_csv_and_search(history, data_dir, tmp_path, capsys):
    history.close()
    out = tmp_path / "r.csv"
    argv = ["--data-dir", str(data_dir), "report", "--from", "2026-11-02", "--to", "2026-11-03"]
    assert main([*argv, "--format", "csv", "--out", str(out)]) == 0
    assert len(list(csv.DictReader(out.open(encoding="utf-8-sig")))) == 4
    with pytest.raises(SystemExit) as usage:
        main([*argv, "--format", "xls", "--out", str(out)])
    assert usage.value.code == 2
    assert (
        main(
            ["--data-dir", str(data_dir), "report", "--from", "2026-13-01", "--to", "2026-11-03"]
            + ["--format", "csv", "--out", str(out)]
        )
        == 2
    )
    capsys.readouterr()
    assert main(["--data-dir", str(data_dir), "search", "sampleton", "--json"]) == 0
    assert [r["last_name"] for r in json.loads(capsys.readouterr().out)] == ["Sampleton"]
    assert main(["--data-dir", str(data_dir), "roster", "--out", str(tmp_path / "roster.pdf")]) == 0
    assert main(["--data-dir", str(data_dir), "close-day", "--date", "2026-11-02", "--note", "forgot"]) == 0
    assert "1 checked out" in capsys.readouterr().out


def test_screening_and_badge_tables_fill_the_review_when_present(history):
    """Rows in the screening and badge features' tables show in the review (their columns as they ship)."""
    db = history.store.db
    with db.conn:
        ann, bob, zoe = (r.visit.id for r in history.review.visits(ReviewQuery(DAY, DAY)))
        # Every check-in was screened (clear) as it committed; Bob's row gets a flagged decision besides.
        db.execute("DELETE FROM screening_decisions WHERE visit_id = ?", [zoe])
        decision = (
            "INSERT INTO screening_decisions (time, staff, visitor_first, visitor_last, screen_decision, outcome, "
            "visit_id) VALUES ('2026-11-02T08:00:00.000000Z', 'Pat', 'X', 'Y', ?, ?, ?)"
        )
        db.execute(decision, ["clear", "clear:admit", ann])
        db.execute(decision, ["possible_match", "not_this_person:admit", bob])
        db.conn.executemany(
            "INSERT INTO badge_prints (visit_id, time, printer, media, attempt, outcome) "
            "VALUES (?, '2026-11-02T08:00:00.000000Z', 'fake', 'label', 1, ?)",
            [(ann, "printed"), (bob, "failed"), (bob, "printed"), (zoe, "failed")],
        )
    rows = {r.visit.id: r for r in history.review.visits(ReviewQuery(DAY, DAY))}
    assert (rows[ann].screening_result, rows[ann].flagged, rows[ann].badge_printed) == ("clear", False, True)
    assert (rows[bob].screening_result, rows[bob].screening_decision) == (
        "possible match",
        "not this person: admit",
    )
    assert rows[bob].flagged and rows[bob].badge_printed is True
    # What a principal reads (Review's window, its PDF and printed report): words, not the stored codes (session
    # 22's walk through the screens found "clear: admit", "confirmed: no release"); CSV and JSON keep the codes.
    assert decision_words(rows[bob].screening_decision) == "Not this person: admitted"
    assert decision_words(rows[ann].screening_decision) == "Clear"
    from ui.review.review_models import ReviewTableModel

    assert ReviewTableModel().cells(rows[bob])[9] == "Not this person: admitted"
    assert decision_words("confirmed: no release") == "Match confirmed: admitted, no student released to them"
    assert decision_words("confirmed: deny") == "Match confirmed: refused"
    assert decision_words("something newer: x") == "something newer: x"
    assert (rows[zoe].screening_result, rows[zoe].badge_printed) == (None, False)
    flagged = history.review.visits(ReviewQuery(DAY, DAY, flagged_only=True))
    assert [r.visit.id for r in flagged] == [bob]
