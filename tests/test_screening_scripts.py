"""A list entry written in another script (Cyrillic, Greek, Chinese ...) is found by the screening index, in that
script and in Latin letters (a visitor typed from a passport's machine-readable zone), and the other way round.

Before key rules 10 such an entry filed no name keys (Metaphone gives nothing for these letters), so ``screen``
said clear where the reference full scan (``scan_all``) said match: a barred person admitted (red team,
session 18, item 3). Synthetic names only; real SQLite files; the command-line cases run the real
``frontdesk`` in a subprocess.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from frontdesk.screening import reindex
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.lists import ENTRY_COLUMNS, ENTRY_FROM, entry_from_row, keys_of
from frontdesk.screening.lookalikes import LOOK_ALIKE_LETTERS
from frontdesk.screening.models import Decision, Kind, NewEntry, Query
from frontdesk.wire.keys import KEY_VERSION
from frontdesk.wire.names import fold
from tests.cli_helpers import frontdesk, text
from tests.test_checkin_workflow import listed

DOB = "1979-11-23"
# (the list's name, the same name as a passport's machine-readable zone gives it)
LISTED = [
    (("Иван", "Петров"), ("IVAN", "PETROV")),
    (("Γιάννης", "Παπαδόπουλος"), ("GIANNIS", "PAPADOPOULOS")),
    (("李", "王"), ("LI", "WANG")),
]


def screen_json(data_dir, first: str, last: str, dob: str = DOB) -> tuple[int, dict]:
    proc = frontdesk(
        "screen", "--first-name", first, "--last-name", last, "--dob", dob, "--json", data_dir=data_dir
    )
    out, err = text(proc)
    assert proc.returncode == 0, (out, err)
    return proc.returncode, json.loads(out)


@pytest.mark.parametrize(("listed_name", "passport"), LISTED)
def test_cli_an_entry_in_another_script_is_found_in_its_script_and_in_latin_letters(
    data_dir, listed_name, passport
):
    entry = listed(data_dir, Kind.BARRED, *listed_name, dob=DOB)
    for first, last in (listed_name, passport, (passport[0].title(), passport[1].title())):
        _, result = screen_json(data_dir, first, last)
        assert result["decision"] == "match", (first, last, result)
        (candidate,) = result["candidates"]
        assert set(candidate) >= {"entry_id", "source", "kind", "score", "evidence"}
        assert candidate["entry_id"] == entry and candidate["kind"] == "barred"
        # The card's first line (the JSON gives the evidence as one line, "field: words; ..."): how it was read.
        assert candidate["evidence"].startswith("name: "), candidate["evidence"]
        assert "the names were compared in Latin letters" in candidate["evidence"].split("; last name:")[0]
    _, clear = screen_json(data_dir, "Olga", "Sorokina")  # another name at the same date stays clear
    assert clear == {"decision": "clear", "candidates": []}


def test_cli_a_latin_entry_is_found_for_a_visitor_typed_in_cyrillic(data_dir):
    entry = listed(data_dir, Kind.BARRED, "Ivan", "Petrov", dob=DOB)
    _, result = screen_json(data_dir, "Иван", "Петров")
    assert result["decision"] == "match"
    (candidate,) = result["candidates"]
    assert candidate["entry_id"] == entry
    first = candidate["evidence"].split("; last name:")[0]
    assert "the visitor's name is written in Cyrillic letters (Иван Петров), read as Ivan Petrov" in first
    assert "compared in Latin letters" in first


def test_cli_checkin_refuses_the_listed_person_typed_from_a_passport(data_dir):
    listed(data_dir, Kind.BARRED, "Иван", "Петров", dob=DOB)
    proc = frontdesk("checkin", "--first-name", "IVAN", "--last-name", "PETROV", "--dob", DOB, data_dir=data_dir)
    assert proc.returncode == 4, text(proc)
    with sqlite3.connect(data_dir / "frontdesk.db") as db:
        assert db.execute("SELECT count(*) FROM visits").fetchone()[0] == 0


@pytest.mark.parametrize(("listed_name", "passport"), LISTED)
def test_the_index_finds_what_the_full_scan_finds(services, listed_name, passport):
    entry = services.lists.add("District", NewEntry(*listed_name, dob=parse_dob(DOB)))
    services.lists.add("District", NewEntry("Robert", "Barredman", dob=parse_dob("1975-04-02")))
    for first, last in (listed_name, passport, passport[::-1], listed_name[::-1]):
        query = Query(first, last, dob=parse_dob(DOB))
        fast, full = services.screener.screen(query), services.screener.scan_all(query)
        assert fast.decision is not Decision.CLEAR, (first, last)
        assert [(c.entry.id, c.score, c.evidence) for c in fast.candidates] == [
            (c.entry.id, c.score, c.evidence) for c in full.candidates
        ]
        assert fast.candidates[0].entry.id == entry.id


def test_the_card_says_how_each_name_was_read(services):
    from frontdesk.screening.screener import IN_LATIN_LETTERS

    services.lists.add("District", NewEntry("Γιάννης", "Παπαδόπουλος", dob=parse_dob(DOB)))
    (candidate,) = services.screener.screen(Query("Giannis", "Papadopoulos", dob=parse_dob(DOB))).candidates
    first = candidate.evidence[0]
    assert (first.field, first.relation) == ("name", IN_LATIN_LETTERS)
    assert first.words == (
        "the listed name is written in Greek letters (Γιάννης Παπαδόπουλος), read as Giannis Papadopoylos: "
        "the names were compared in Latin letters; check the spelling on the ID"
    )
    # A Latin name on both sides says nothing of scripts.
    services.lists.add("District", NewEntry("José", "Müller", dob=parse_dob(DOB)))
    (latin,) = services.screener.screen(Query("Jose", "Muller", dob=parse_dob(DOB))).candidates
    assert all(e.relation != IN_LATIN_LETTERS for e in latin.evidence)


def test_look_alike_letters_are_still_read_as_the_latin_ones_they_pass_for(services):
    """A forged name mixing Cyrillic look-alikes into a listed Latin name (Ваrrеԁmаn transliterates to
    "Varredman") is still screened as it reads, and says so first."""
    entry = services.lists.add("District", NewEntry("Robert", "Barredman", dob=parse_dob("1975-04-02")))
    result = services.screener.screen(
        Query("R\u043eb\u0435rt", "\u0412\u0430rr\u0435\u0501m\u0430n", dob=parse_dob("1975-04-02"))
    )
    assert result.decision is Decision.MATCH
    assert result.candidates[0].entry.id == entry.id
    assert result.candidates[0].evidence[0].relation == LOOK_ALIKE_LETTERS


def test_latin_names_fold_as_before():
    from frontdesk.wire.names import latin

    for name in ("José Müller", "Łukasz Øster", "O'Brien-Smith", "Đorđe Þórsson", "van der Berg"):
        assert latin(name) == fold(name) and fold(name).isascii()
    assert latin("Иван Петров") == "ivan petrov" and latin("李 王") == "li wang"


def _as_older_rules(services, *, version: str = "9") -> None:
    """Make the index in force what key rules 9 left: entries in other scripts under no name key a visitor looks
    up, and the version 9."""
    db = services.store.db
    rows = db.execute(f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM}").fetchall()
    with db.conn:
        for entry in map(entry_from_row, rows):
            if fold(entry.full_name).isascii():
                continue
            db.execute("DELETE FROM screening_keys WHERE entry_id = ?", [entry.id])
            # What rules 9 filed for such a name (checked against an index built by main's code): its A: row and
            # an E: row under an empty sound code, in its own script, which no visitor's look-up reaches.
            first, last, born = fold(entry.first_name), fold(entry.last_name), entry.dob.text.replace("-", "")
            for key in (f"A:{first}:{last}:bd", f"E:{born}::/{entry.last_name}"):
                db.execute("INSERT INTO screening_keys (key, entry_id) VALUES (?, ?)", [key, entry.id])
        db.execute("INSERT OR REPLACE INTO screening_meta (key, value) VALUES ('key_version', ?)", [version])


def test_upgrade_an_index_of_older_rules_finds_other_scripts_before_anyone_is_screened(services, data_dir):
    """A desk upgraded over a database indexed under key rules 9: the first screen (here the real command
    line) finds the Cyrillic entry; the background build then brings the index to rules 10, row for row."""
    cyrillic = services.lists.add("District", NewEntry("Иван", "Петров", dob=parse_dob(DOB)))
    latin_entry = services.lists.add("District", NewEntry("Robert", "Barredman", dob=parse_dob("1975-04-02")))
    _as_older_rules(services)
    latin_before = services.screener.screen(Query("Bob", "Barredman", dob=parse_dob("1975-04-02")))
    assert services.screener.screen(Query("IVAN", "PETROV", dob=parse_dob(DOB))).decision is Decision.CLEAR
    services.close()

    _, result = screen_json(data_dir, "IVAN", "PETROV")
    assert result["decision"] == "match" and result["candidates"][0]["entry_id"] == cyrillic.id
    with sqlite3.connect(data_dir / "frontdesk.db") as db:
        meta = dict(db.execute("SELECT key, value FROM screening_meta").fetchall())
    assert meta["key_version"] == "9" and meta[reindex.SCRIPTS_FILED] == "1"  # still the old index, topped up

    from frontdesk.context import Services

    again = Services.open(data_dir)
    try:
        assert again.lists.index_needs_upgrade()  # the background build still comes
        latin_after = again.screener.screen(Query("Bob", "Barredman", dob=parse_dob("1975-04-02")))
        assert latin_after == latin_before and latin_after.candidates[0].entry.id == latin_entry.id
        report = again.lists.upgrade_index()
        assert report is not None and report.entries == 2
        db = again.store.db
        assert reindex.stored_version(db) == KEY_VERSION and not reindex.needs_other_scripts(db)
        assert db.execute("SELECT 1 FROM screening_meta WHERE key = ?", [reindex.SCRIPTS_FILED]).fetchone() is None
        rows = set(db.execute("SELECT key, entry_id FROM screening_keys").fetchall())
        entries = [entry_from_row(r) for r in db.execute(f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM}")]
        assert rows == {(k, e.id) for e in entries for k in keys_of(e)}
        found = again.screener.screen(Query("Ivan", "Petrov", dob=parse_dob(DOB)))
        assert found.decision is Decision.MATCH and found.candidates[0].entry.id == cyrillic.id
    finally:
        again.close()


def test_an_older_index_is_topped_up_once_and_an_entry_added_meanwhile_files_its_own_keys(services, data_dir):
    services.lists.add("District", NewEntry("Γιάννης", "Παπαδόπουλος", dob=parse_dob(DOB)))
    _as_older_rules(services)
    assert services.lists.ensure_index_current() is False  # no rebuild before screening: the top-up
    db = services.store.db
    assert not reindex.needs_other_scripts(db)
    added = services.lists.add("District", NewEntry("Юлия", "Смирнова", dob=parse_dob(DOB)))  # after it
    assert (
        services.screener.screen(Query("Yuliya", "Smirnova", dob=parse_dob(DOB))).candidates[0].entry.id
        == added.id
    )
    assert (
        services.screener.screen(Query("Giannis", "Papadopoulos", dob=parse_dob(DOB))).decision is Decision.MATCH
    )
    assert reindex.file_other_scripts(services.store) == 2  # asked again: counted, nothing filed twice


@pytest.mark.parametrize(
    ("listed_name", "visitor"),
    [
        (("Юлия", "Смирнова"), ("IULIIA", "SMIRNOVA")),  # a Russian passport since 2013 (ICAO 9303)
        (("Юлия", "Смирнова"), ("Yuliya", "Smirnova")),  # the common English spelling
        (("Юрий", "Морозов"), ("IURII", "MOROZOV")),
        (("Юрий", "Морозов"), ("Yuri", "Morozov")),
        (("Пётр", "Воробьёв"), ("PETR", "VOROBEV")),
    ],
)
def test_cyrillic_is_also_read_as_a_passport_spells_it(services, listed_name, visitor):
    entry = services.lists.add("District", NewEntry(*listed_name, dob=parse_dob(DOB)))
    query = Query(*visitor, dob=parse_dob(DOB))
    fast, full = services.screener.screen(query), services.screener.scan_all(query)
    assert fast == full
    assert fast.decision is Decision.MATCH and fast.candidates[0].entry.id == entry.id
    if listed_name[0] == "Юлия":
        assert (
            fast.candidates[0]
            .evidence[0]
            .words.startswith(
                "the listed name is written in Cyrillic letters (Юлия Смирнова), read as Yuliya Smirnova and as a "
                "passport spells it, Iuliia Smirnova: the names were compared in Latin letters"
            )
        )


def test_cli_an_entry_in_cyrillic_is_found_for_the_passport_spelling(data_dir):
    entry = listed(data_dir, Kind.BARRED, "Юлия", "Смирнова", dob=DOB)
    _, result = screen_json(data_dir, "IULIIA", "SMIRNOVA")
    assert result["decision"] == "match" and result["candidates"][0]["entry_id"] == entry


@pytest.mark.parametrize("console_db_url", ["sqlite"], indirect=True)  # the keys are the desk's code on both
def test_a_district_list_in_cyrillic_comes_down_from_the_hub_with_keys_that_find_it(console_db_url, tmp_path):
    """The hub computes each entry's keys with the same code (frontdesk.wire.keys) and sends them to a desk of
    the same rules: a real hub process on loopback, the district's command line, the desk's real core."""
    from hub_lists_support import hub_process

    from frontdesk.context import Services
    from frontdesk.sync.client import HubClient

    (tmp_path / "list.csv").write_text(
        "first_name,last_name,dob,kind,reason\nЮлия,Смирнова,1979-11-23,barred,Court order\n", encoding="utf-8"
    )
    with hub_process(console_db_url, tmp_path / "hub.log") as hub:
        done = hub.cli("district", "barred", "import", str(tmp_path / "list.csv"), "--source", "District")
        assert done.returncode == 0, done.stderr
        client = HubClient([hub.url], hub.enroll())
        desk = Services.open(tmp_path / "desk")
        try:
            assert desk.district_lists.pull(client) == 1
            db = desk.store.db
            filed = set(db.execute("SELECT key, entry_id FROM screening_keys").fetchall())
            entries = [entry_from_row(r) for r in db.execute(f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM}")]
            assert filed == {(k, e.id) for e in entries for k in keys_of(e)}
            for first, last in (("IULIIA", "SMIRNOVA"), ("Yuliya", "Smirnova"), ("Юлия", "Смирнова")):
                result = desk.screener.screen(Query(first, last, dob=parse_dob(DOB)))
                assert result.decision is Decision.MATCH, (first, last)
        finally:
            client.close()
            desk.close()


def test_a_visitor_typed_in_cyrillic_is_also_read_as_a_passport_spells_it(services):
    """The other way round: a list written from passports (Iuliia), a visitor whose name is typed in Cyrillic."""
    entry = services.lists.add("District", NewEntry("Iuliia", "Smirnova", dob=parse_dob(DOB)))
    query = Query("Юлия", "Смирнова", dob=parse_dob(DOB))
    fast, full = services.screener.screen(query), services.screener.scan_all(query)
    assert fast == full
    assert fast.decision is Decision.MATCH and fast.candidates[0].entry.id == entry.id
    assert fast.query == query  # the result is the visitor's, as typed
    assert fast.candidates[0].evidence[0].words == (
        "the visitor's name is written in Cyrillic letters (Юлия Смирнова), read as Yuliya Smirnova and as a "
        "passport spells it, Iuliia Smirnova: the names were compared in Latin letters; check the spelling on "
        "the ID"
    )
    assert sum(e.field == "name" for e in fast.candidates[0].evidence) == 1  # said once


@pytest.mark.parametrize(
    ("listed_name", "visitor"),
    [
        (("민준", "김"), ("MINJUN", "KIM")),  # anyascii reads 김 as Gim
        (("서연", "이"), ("SEOYEON", "LEE")),  # and 이 as I
        (("서연", "이"), ("Seo-yeon", "Yi")),
        (("김", "민준"), ("KIM", "MINJUN")),  # the family name written first, in the first-name box
    ],
)
def test_a_korean_surname_is_also_read_as_passports_spell_it(services, listed_name, visitor):
    entry = services.lists.add("District", NewEntry(*listed_name, dob=parse_dob(DOB)))
    query = Query(*visitor, dob=parse_dob(DOB))
    fast, full = services.screener.screen(query), services.screener.scan_all(query)
    assert fast == full
    assert fast.decision is Decision.MATCH and fast.candidates[0].entry.id == entry.id


def test_a_visitor_typed_in_hangul_meets_a_list_written_from_a_passport(services):
    entry = services.lists.add("District", NewEntry("Jiho", "Park", dob=parse_dob(DOB)))
    query = Query("지호", "박", dob=parse_dob(DOB))
    fast, full = services.screener.screen(query), services.screener.scan_all(query)
    assert fast == full and fast.decision is Decision.MATCH and fast.candidates[0].entry.id == entry.id
    said = fast.candidates[0].evidence[0].words
    assert said.startswith(
        "the visitor's name is written in Korean letters (지호 박), read as Jiho Bag and as a passport spells "
        "it, Jiho Park or Jiho Pak or Jiho Bak: the names were compared in Latin letters"
    )
