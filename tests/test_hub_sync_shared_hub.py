"""The hub's side of the school's shared records, on a real console over loopback (SQLite and PostgreSQL): a
pull asked with ``shared`` answers the other desks' shared changes of the school only, in order and in pages,
and the long poll's check sees them; a pull without it answers as before."""

from __future__ import annotations

import httpx

from district.hub.sync import HubSync


def _change(seq: int, kind: str, share: dict | None = None) -> dict:
    body = {"actor": "pat", "details": {}}
    if share is not None:
        body["share"] = share
    return {
        "seq": seq,
        "kind": kind,
        "subject": f"entry {seq}",
        "made_at": "2026-12-04T08:00:00.000000Z",
        "body": body,
    }


def _push(console, station, headers, changes) -> None:
    answer = httpx.post(
        f"{console.url}/api/v1/sync/push",
        json={"station_id": station.station_id, "changes": changes},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text


def test_a_shared_change_reaches_the_schools_other_desks_only(console):
    a, ha = console.enroll(station="Main office")
    b, hb = console.enroll(station="Side entrance")
    other, ho = console.enroll(school="Oak Hill Middle", station="Front")
    hub = HubSync(console.service.db)
    assert hub.news(b, 0, 0) == 0
    _push(
        console,
        a,
        ha,
        [
            _change(1, "list.add", {"uid": "entry:1", "version": "v1"}),
            _change(2, "screening.decision"),  # not shared: never in "shared"
            _change(3, "students.release", {"uid": "movement:1", "version": "v1"}),
        ],
    )
    assert hub.news(b, 10**9, 0) == 1 and hub.news(a, 10**9, 0) == 0  # the pushing desk's own: no news to it
    pulled = httpx.get(f"{console.url}/api/v1/sync/pull", params={"shared": 0}, headers=hb).json()
    assert [(c["kind"], c["station"], c["body"]["share"]["uid"]) for c in pulled["shared"]] == [
        ("list.add", "Main office", "entry:1"),
        ("students.release", "Main office", "movement:1"),
    ]
    rev = pulled["shared_rev"]
    assert pulled["shared_more"] is False and rev == pulled["shared"][-1]["hub_seq"]
    assert hub.news(b, 10**9, rev) == 0
    # The desk's own changes do not come back to it; another school's desk sees none; without "shared" as before.
    assert httpx.get(f"{console.url}/api/v1/sync/pull", params={"shared": 0}, headers=ha).json()["shared"] == []
    assert httpx.get(f"{console.url}/api/v1/sync/pull", params={"shared": 0}, headers=ho).json()["shared"] == []
    assert "shared" not in httpx.get(f"{console.url}/api/v1/sync/pull", headers=hb).json()
    bad = httpx.get(f"{console.url}/api/v1/sync/pull", params={"shared": "-1"}, headers=hb)
    assert bad.status_code == 400

    # In pages, in the hub's order: the cursor moves past every change read, shared or not.
    first = hub.pull(b, 0, shared=0, limit=2)
    assert [c["kind"] for c in first["shared"]] == ["list.add"] and first["shared_more"] is True
    second = hub.pull(b, 0, shared=first["shared_rev"], limit=2)
    assert [c["kind"] for c in second["shared"]] == ["students.release"] and second["shared_more"] is False
