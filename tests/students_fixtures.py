"""Shared fixtures for the students tests: the synthetic bundle and a data folder with accounts, a custody
order and a barred adult, made once per module."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from frontdesk import settings as s
from frontdesk.access.roles import Role
from frontdesk.context import Services
from frontdesk.demo.oneroster import write_bundle
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Kind, NewEntry

PRINCIPAL_PW = "principal-pw"


@pytest.fixture(scope="module")
def students_bundle(tmp_path_factory) -> tuple[Path, object]:
    folder = tmp_path_factory.mktemp("sis") / "bundle"
    return folder, write_bundle(folder)


@pytest.fixture(scope="module")
def students_template(tmp_path_factory, students_bundle):
    """Accounts (hashed once), a custody order naming one student, a barred adult, and the imported roster."""
    folder = tmp_path_factory.mktemp("students") / "data"
    services = Services.open(folder)
    services.settings.set(s.SCHOOL_NAME, "Synthetic School 1")
    services.settings.set(s.STATION_NAME, "Main office desk")
    services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")
    services.accounts.sign_in("root", "district-secret")
    services.accounts.add("p.nakamura", Role.PRINCIPAL, PRINCIPAL_PW, "Dr. Nakamura")
    services.accounts.add("desk.lee", Role.DESK, "2468", "Lee Desk")
    path, facts = students_bundle
    services.students.import_bundle(path)
    first, last, number, _ = facts.student["stu-00020"]
    services.lists.add(
        "County court orders",
        NewEntry(
            "Victor", "Custodia", dob=parse_dob("1979-05-05"), kind=Kind.CUSTODY, students=(f"{first} {last}",)
        ),
    )
    services.lists.add(
        "District list", NewEntry("Robert", "Barredman", dob=parse_dob("1980-03-14"), kind=Kind.BARRED)
    )
    services.accounts.sign_out()
    services.close()
    return folder


def guardian_name(facts, student_sid: str, index: int = 0) -> tuple[str, str]:
    gid = facts.links[student_sid][index]
    first, last, _ = facts.guardian[gid]
    return first, last


def actions(services, n: int) -> list[str]:
    """The newest audit actions (read from the store: reading the trail is a principal's)."""
    rows = services.store.db.execute("SELECT action FROM audit_log ORDER BY seq DESC LIMIT ?", [n]).fetchall()
    return [r[0] for r in rows]


def details(services) -> dict:
    """The newest audit record's details."""
    row = services.store.db.execute("SELECT details FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    return json.loads(row[0])


def sign_in(services, who: str) -> None:
    services.accounts.sign_in(
        who, {"p.nakamura": PRINCIPAL_PW, "desk.lee": "2468", "root": "district-secret"}[who]
    )
