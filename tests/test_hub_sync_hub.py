"""The hub's sync endpoints on a real console over loopback, on SQLite and PostgreSQL (issue 15)."""

from __future__ import annotations

import httpx

from district.console.schema import MIGRATIONS


def _visit(visit_id: int, name: str = "Avery Testwood", badge: str = "ABCD1234EFGH") -> dict:
    return {
        "visit_id": visit_id,
        "name": name,
        "name_key": name.lower(),
        "dob": None,
        "category": "visitor",
        "purpose": "Meeting",
        "host": "Room 4",
        "staff": "Pat Demo",
        "badge_code": badge,
        "checked_in_at": "2026-12-02T08:00:00.000000Z",
        "checked_out_at": None,
    }


def _change(seq: int, kind: str, body: dict) -> dict:
    return {"seq": seq, "kind": kind, "subject": "", "made_at": "2026-12-02T08:00:00.000000Z", "body": body}


def test_the_hub_schema_is_a_named_migration():
    assert "hub_sync_0001_tables" in [name for name, _ in MIGRATIONS]


def test_push_is_exactly_once_and_pull_shows_the_other_desk(console):
    a, ha = console.enroll(station="Main office")
    b, hb = console.enroll(station="Side entrance")
    other, ho = console.enroll(school="Oak Hill Middle", station="Front")
    push = {"station_id": a.station_id, "changes": [_change(1, "visit.check_in", {"visit": _visit(7)})]}
    first = httpx.post(f"{console.url}/api/v1/sync/push", json=push, headers=ha)
    assert first.status_code == 200, first.text
    assert first.json() == {"acked": 1, "stored": 1, "duplicates": 0}
    again = httpx.post(f"{console.url}/api/v1/sync/push", json=push, headers=ha)
    assert again.json() == {"acked": 1, "stored": 0, "duplicates": 1}

    pulled = httpx.get(f"{console.url}/api/v1/sync/pull", params={"after": 0}, headers=hb).json()
    assert [(v["station_id"], v["visit_id"], v["station"]) for v in pulled["visits"]] == [
        (a.station_id, 7, "Main office")
    ]
    # The desk's own visits do not come back to it; another school sees nothing.
    assert httpx.get(f"{console.url}/api/v1/sync/pull", headers=ha).json()["visits"] == []
    assert httpx.get(f"{console.url}/api/v1/sync/pull", headers=ho).json()["visits"] == []

    # B checks A's visitor out; a second check-out (A's, later) changes nothing; A learns of B's.
    out = {"station_id": a.station_id, "visit_id": 7, "checked_out_at": "2026-12-02T09:00:00.000000Z"}
    httpx.post(
        f"{console.url}/api/v1/sync/push",
        json={"station_id": b.station_id, "changes": [_change(1, "visit.check_out", out)]},
        headers=hb,
    ).raise_for_status()
    later = {**out, "checked_out_at": "2026-12-02T09:05:00.000000Z"}
    httpx.post(
        f"{console.url}/api/v1/sync/push",
        json={"station_id": a.station_id, "changes": [_change(2, "visit.check_out", later)]},
        headers=ha,
    ).raise_for_status()
    mine = httpx.get(f"{console.url}/api/v1/sync/pull", headers=ha).json()["visits"]
    assert [(v["checked_out_at"], v["checked_out_by"]) for v in mine] == [
        ("2026-12-02T09:00:00.000000Z", b.station_id)
    ]
    assert console.service.db.read().one("SELECT COUNT(*) FROM hub_changes")[0] == 3


def test_a_desk_pushes_only_its_own_changes_and_reads_only_its_school(console):
    a, ha = console.enroll(station="Main office")
    other, ho = console.enroll(school="Oak Hill Middle", station="Front")
    httpx.post(
        f"{console.url}/api/v1/sync/push",
        json={"station_id": a.station_id, "changes": [_change(1, "visit.check_in", {"visit": _visit(1)})]},
        headers=ha,
    ).raise_for_status()
    # Pushing as another desk: refused.
    as_a = {"station_id": a.station_id, "changes": [_change(2, "visit.check_in", {"visit": _visit(2)})]}
    assert httpx.post(f"{console.url}/api/v1/sync/push", json=as_a, headers=ho).status_code == 403
    # Checking out another school's visitor: stored as the pusher's change, but it closes nothing.
    out = {"station_id": a.station_id, "visit_id": 1, "checked_out_at": "2026-12-02T09:00:00.000000Z"}
    httpx.post(
        f"{console.url}/api/v1/sync/push",
        json={"station_id": other.station_id, "changes": [_change(1, "visit.check_out", out)]},
        headers=ho,
    ).raise_for_status()
    assert console.service.db.read().one("SELECT checked_out_at FROM hub_visits")[0] is None
    # Reading another school's visits: refused; no credential: 401.
    assert httpx.get(f"{console.url}/api/v1/sync/pull", params={"school": a.school}, headers=ho).status_code == 403
    assert httpx.get(f"{console.url}/api/v1/sync/pull").status_code == 401
    bad = {"station_id": a.station_id, "changes": [{"seq": "x"}]}
    assert httpx.post(f"{console.url}/api/v1/sync/push", json=bad, headers=ha).status_code == 400


def test_a_long_push_overlapping_a_stored_one_stores_each_change_once(console):
    # 500 changes (several multi-row statements), check-ins and their check-outs in the same push, the first
    # 150 already stored by an earlier push whose reply was lost.
    a, ha = console.enroll(station="Main office")
    b, hb = console.enroll(station="Side entrance")
    changes = []
    for n in range(250):
        out = {"station_id": "", "visit_id": n + 1, "checked_out_at": "2026-12-02T09:00:00.000000Z"}
        changes.append(_change(2 * n + 1, "visit.check_in", {"visit": _visit(n + 1, badge=f"B{n:011d}")}))
        changes.append(_change(2 * n + 2, "visit.check_out", out))
    url = f"{console.url}/api/v1/sync/push"
    first = httpx.post(url, json={"station_id": a.station_id, "changes": changes[:150]}, headers=ha, timeout=30)
    assert first.json() == {"acked": 150, "stored": 150, "duplicates": 0}
    whole = httpx.post(url, json={"station_id": a.station_id, "changes": changes}, headers=ha, timeout=30)
    assert whole.json() == {"acked": 500, "stored": 350, "duplicates": 150}
    tx = console.service.db.read()
    assert tx.one("SELECT COUNT(*), COUNT(DISTINCT seq), MAX(seq) FROM hub_changes") == (500, 500, 500)
    assert tx.one("SELECT COUNT(*) FROM hub_visits WHERE checked_out_at IS NULL")[0] == 0
    # Each visit's rev is its check-out's (the newer change), so a desk pulling by rev sees it closed.
    pulled = httpx.get(f"{console.url}/api/v1/sync/pull", params={"after": 0}, headers=hb).json()
    assert len(pulled["visits"]) == 250 and all(v["checked_out_at"] for v in pulled["visits"])
    assert [v["rev"] for v in pulled["visits"]] == sorted(v["rev"] for v in pulled["visits"])
