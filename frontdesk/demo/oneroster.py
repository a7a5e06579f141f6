"""A synthetic OneRoster 1.1 CSV bundle (every name invented), for tests, the benchmark and demo mode.

:func:`write_bundle` writes a district of one or more schools: students with grades, homerooms and birth dates,
their guardians linked through ``agentSourcedIds`` (both sides, as SIS exports do), teachers, terms and
classes. With ``edge_cases`` it also holds what tests need to see handled: a guardian of two students, a
student with no guardian, a relative (not allowed to pick up until the office says so), a preferred name and
accented and apostrophe names. :func:`write_delta` writes a delta bundle that moves a student to another
homeroom and withdraws another.
"""

from __future__ import annotations

import csv
import random
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

_FIRST_A = [
    "Al",
    "Bri",
    "Ca",
    "Da",
    "El",
    "Fi",
    "Ga",
    "Ha",
    "Is",
    "Jo",
    "Ka",
    "Le",
    "Mi",
    "No",
    "Or",
    "Pa",
    "Qui",
    "Ro",
    "Sa",
    "Ta",
    "Ul",
    "Vi",
    "Wy",
    "Xa",
    "Yo",
    "Ze",
]
_FIRST_B = [
    "ra",
    "den",
    "lyn",
    "son",
    "na",
    "ric",
    "mi",
    "la",
    "ton",
    "vy",
    "ria",
    "bel",
    "do",
    "sha",
    "ko",
    "ren",
    "tis",
    "wen",
]
_LAST_A = [
    "Ash",
    "Birch",
    "Cold",
    "Dun",
    "East",
    "Fair",
    "Glen",
    "Hol",
    "Iver",
    "Kes",
    "Lang",
    "Mar",
    "North",
    "Oak",
    "Pem",
    "Quen",
    "Rud",
    "Stan",
    "Thorn",
    "Under",
    "Vale",
    "West",
    "Yar",
    "Zell",
]
_LAST_B = [
    "worth",
    "ley",
    "ford",
    "wick",
    "ham",
    "stead",
    "more",
    "ton",
    "field",
    "brook",
    "croft",
    "dale",
    "by",
    "well",
    "gate",
    "shaw",
]
GRADES = ["KG", "01", "02", "03", "04", "05"]
MANIFEST_FILES = ("academicSessions", "classes", "courses", "demographics", "enrollments", "orgs", "users")


def _first(rng: random.Random) -> str:
    return rng.choice(_FIRST_A) + rng.choice(_FIRST_B)


def _last(rng: random.Random) -> str:
    return rng.choice(_LAST_A) + rng.choice(_LAST_B)


@dataclass
class BundleFacts:
    """What a generated bundle holds, so tests can name the edge cases without reading the files."""

    path: Path
    students: int
    guardians: int
    teachers: int
    schools: int
    # sourcedId -> (first, last, number, homeroom class sourcedId)
    student: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)
    guardian: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # sourcedId -> (first, last, role)
    links: dict[str, list[str]] = field(default_factory=dict)  # student sourcedId -> guardian sourcedIds
    homerooms: dict[str, str] = field(default_factory=dict)  # class sourcedId -> title
    homeroom_grade: dict[str, str] = field(default_factory=dict)  # class sourcedId -> grade
    shared_guardian: str = ""  # a guardian of two students
    siblings: tuple[str, str] = ("", "")
    no_guardian: str = ""  # a student nobody may pick up
    relative: str = ""  # a guardian with role relative
    relative_of: str = ""


def _write(folder: Path, name: str, header: list[str], rows: list[list[str]]) -> None:
    with (folder / name).open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def _manifest(folder: Path, modes: dict[str, str]) -> None:
    rows = [["manifest.version", "1.0"], ["oneroster.version", "1.1"]]
    rows += [
        [f"file.{n}", modes.get(n, "absent")]
        for n in (
            "academicSessions",
            "categories",
            "classes",
            "classResources",
            "courses",
            "courseResources",
            "demographics",
            "enrollments",
            "lineItems",
            "orgs",
            "resources",
            "results",
            "users",
        )
    ]
    rows += [["source.systemName", "Synthetic SIS (test data)"], ["source.systemCode", "synthetic"]]
    _write(folder, "manifest.csv", ["propertyName", "value"], rows)


USER_HEADER = [
    "sourcedId",
    "status",
    "dateLastModified",
    "enabledUser",
    "orgSourcedIds",
    "role",
    "username",
    "userIds",
    "givenName",
    "familyName",
    "middleName",
    "identifier",
    "email",
    "sms",
    "phone",
    "agentSourcedIds",
    "grades",
    "password",
]
ENROLL_HEADER = [
    "sourcedId",
    "status",
    "dateLastModified",
    "classSourcedId",
    "schoolSourcedId",
    "userSourcedId",
    "role",
    "primary",
    "beginDate",
    "endDate",
]


def write_bundle(
    target: Path,
    *,
    students: int = 600,
    guardians: int = 900,
    seed: int = 17,
    edge_cases: bool = True,
    per_school: int = 600,
    zip_it: bool = False,
    today: date | None = None,
) -> BundleFacts:
    """Write a bulk bundle into the folder ``target`` (or ``target`` as a zip with ``zip_it``)."""
    rng = random.Random(seed)
    today = today or date.today()
    folder = target.with_suffix("") if zip_it else target
    folder.mkdir(parents=True, exist_ok=True)
    schools = max(1, -(-students // per_school))
    facts = BundleFacts(target, students, guardians, 0, schools)

    orgs = [["district-1", "", "", "Synthetic Unified School District", "district", "D1", ""]]
    orgs += [
        [f"school-{s}", "", "", f"Synthetic School {s}", "school", f"S{s}", "district-1"]
        for s in range(1, schools + 1)
    ]
    _write(
        folder,
        "orgs.csv",
        ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"],
        orgs,
    )

    year_start = date(today.year if today.month >= 8 else today.year - 1, 8, 1)
    mid = date(year_start.year + 1, 1, 1)
    year_end = date(year_start.year + 1, 7, 31)
    _write(
        folder,
        "academicSessions.csv",
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "type",
            "startDate",
            "endDate",
            "parentSourcedId",
            "schoolYear",
        ],
        [
            [
                "year",
                "",
                "",
                f"{year_start.year}-{year_end.year}",
                "schoolYear",
                str(year_start),
                str(year_end),
                "",
                str(year_end.year),
            ],
            [
                "term-1",
                "",
                "",
                "Fall term",
                "term",
                str(year_start),
                str(mid - timedelta(days=1)),
                "year",
                str(year_end.year),
            ],
            ["term-2", "", "", "Spring term", "term", str(mid), str(year_end), "year", str(year_end.year)],
        ],
    )

    # Homerooms: one per grade and ~25 students, a teacher each.
    classes, courses, teachers, enroll = [], [], [], []
    homeroom_of_school: dict[int, list[tuple[str, str]]] = {}
    tnum = 0
    for s in range(1, schools + 1):
        in_school = min(per_school, students - (s - 1) * per_school)
        rooms = max(len(GRADES), -(-in_school // 25))
        homeroom_of_school[s] = []
        for r in range(rooms):
            grade = GRADES[r % len(GRADES)]
            tnum += 1
            cid = f"hr-{s}-{r + 1}"
            tid = f"tch-{tnum:05d}"
            title = f"Homeroom {grade}-{r // len(GRADES) + 1} (Room {100 + r})"
            classes.append(
                [
                    cid,
                    "",
                    "",
                    title,
                    grade,
                    f"course-{grade}",
                    f"HR{s}{r:03d}",
                    "homeroom",
                    f"Room {100 + r}",
                    f"school-{s}",
                    "term-1,term-2",
                    "",
                    "",
                    "",
                ]
            )
            first, last = _first(rng), _last(rng)
            teachers.append(
                [
                    tid,
                    "",
                    "",
                    "true",
                    f"school-{s}",
                    "teacher",
                    f"t{tnum}",
                    "",
                    first,
                    last,
                    "",
                    f"T{tnum:05d}",
                    "",
                    "",
                    "",
                    "",
                    grade,
                    "",
                ]
            )
            enroll.append([f"en-{tid}", "", "", cid, f"school-{s}", tid, "teacher", "true", "", ""])
            homeroom_of_school[s].append((cid, grade))
            facts.homerooms[cid] = title
            facts.homeroom_grade[cid] = grade
    courses = [[f"course-{g}", "", "", "year", f"Grade {g}", f"G{g}", g, "district-1", "", ""] for g in GRADES]
    facts.teachers = len(teachers)

    # Students, and guardians: the first `students` guardians one per student, the rest a second guardian.
    users, demo = [], []
    links: dict[int, list[int]] = {i: [] for i in range(students)}
    for g in range(guardians):
        if g < students:
            links[g].append(g)
        else:
            links[(g - students) % students].append(g)
    if edge_cases and students >= 8:
        # Student 1 has no guardian (their guardian is moved to student 4); guardian 2 has students 2 and 3.
        links[1] = [x for x in links[1] if x != 1]
        links[4].append(1)
        for x in list(links[1]):
            links[1].remove(x)
            links[5].append(x)
        links[3].append(2)
    student_ids = [f"stu-{i + 1:05d}" for i in range(students)]
    guardian_ids = [f"gua-{g + 1:05d}" for g in range(guardians)]
    of_guardian: dict[int, list[int]] = {}
    for i, gs in links.items():
        for g in gs:
            of_guardian.setdefault(g, []).append(i)
    for i in range(students):
        s = i // per_school + 1
        cid, grade = homeroom_of_school[s][(i % per_school) % len(homeroom_of_school[s])]
        first, last = _first(rng), _last(rng)
        if edge_cases and i == 6:
            first, last = "Zoë", "O'Brannigan"
        number = f"{100000 + i + 1}"
        sid = student_ids[i]
        users.append(
            [
                sid,
                "",
                "",
                "true",
                f"school-{s}",
                "student",
                f"s{number}",
                "",
                first,
                last,
                "",
                number,
                "",
                "",
                "",
                ",".join(guardian_ids[g] for g in links[i]),
                grade,
                "",
            ]
        )
        enroll.append([f"en-{sid}", "", "", cid, f"school-{s}", sid, "student", "", "", ""])
        birth = date(today.year - 6 - GRADES.index(grade), 1, 1) + timedelta(days=rng.randrange(365))
        demo.append([sid, "", "", str(birth), rng.choice(["male", "female"])] + [""] * 11)
        facts.student[sid] = (first, last, number, cid)
        facts.links[sid] = [guardian_ids[g] for g in links[i]]
    student_last = {i: facts.student[student_ids[i]][1] for i in range(students)}
    for g in range(guardians):
        kids = of_guardian.get(g, [])
        role = "relative" if g >= students and g % 10 == 7 else ("parent" if g % 3 else "guardian")
        first = _first(rng)
        last = student_last[kids[0]] if kids and rng.random() < 0.7 else _last(rng)
        gid = guardian_ids[g]
        s = kids[0] // per_school + 1 if kids else 1
        users.append(
            [
                gid,
                "",
                "",
                "true",
                f"school-{s}",
                role,
                f"g{g + 1}",
                "",
                first,
                last,
                "",
                "",
                "",
                "",
                f"555-01{g % 100:02d}",
                ",".join(student_ids[k] for k in kids),
                "",
                "",
            ]
        )
        facts.guardian[gid] = (first, last, role)
        if role == "relative" and kids and not facts.relative:
            facts.relative, facts.relative_of = gid, student_ids[kids[0]]
    users += teachers
    if edge_cases and students >= 8:
        facts.shared_guardian, facts.siblings = guardian_ids[2], (student_ids[2], student_ids[3])
        facts.no_guardian = student_ids[1]
    _write(folder, "users.csv", USER_HEADER, users)
    _write(
        folder,
        "classes.csv",
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "grades",
            "courseSourcedId",
            "classCode",
            "classType",
            "location",
            "schoolSourcedId",
            "termSourcedIds",
            "subjects",
            "subjectCodes",
            "periods",
        ],
        classes,
    )
    _write(
        folder,
        "courses.csv",
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "schoolYearSourcedId",
            "title",
            "courseCode",
            "grades",
            "orgSourcedIds",
            "subjects",
            "subjectCodes",
        ],
        courses,
    )
    _write(folder, "enrollments.csv", ENROLL_HEADER, enroll)
    _write(
        folder,
        "demographics.csv",
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "birthDate",
            "sex",
            "americanIndianOrAlaskaNative",
            "asian",
            "blackOrAfricanAmerican",
            "nativeHawaiianOrOtherPacificIslander",
            "white",
            "demographicRaceTwoOrMoreRaces",
            "hispanicOrLatinoEthnicity",
            "countryOfBirthCode",
            "stateOfBirthAbbreviation",
            "cityOfBirth",
            "publicSchoolResidenceStatus",
        ],
        demo,
    )
    _manifest(folder, {n: "bulk" for n in MANIFEST_FILES})
    if zip_it:
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
            for p in sorted(folder.iterdir()):
                z.write(p, p.name)
    return facts


def write_delta(folder: Path, facts: BundleFacts, *, move: str, to_homeroom: str, withdraw: str = "") -> Path:
    """A delta bundle: ``move`` (a student's sourcedId) changes homeroom; ``withdraw`` leaves the school."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = "2026-01-15T08:00:00.000Z"
    first, last, number, old = facts.student[move]
    school = to_homeroom.split("-")[1]
    users = [
        [
            move,
            "active",
            stamp,
            "true",
            f"school-{school}",
            "student",
            f"s{number}",
            "",
            first,
            last,
            "",
            number,
            "",
            "",
            "",
            ",".join(facts.links[move]),
            facts.homeroom_grade.get(to_homeroom, ""),
            "",
        ]
    ]
    if withdraw:
        users.append(
            [withdraw, "tobedeleted", stamp, "", "", "student", "", "", "", "", "", "", "", "", "", "", "", ""]
        )
    _write(folder, "users.csv", USER_HEADER, users)
    _write(
        folder,
        "enrollments.csv",
        ENROLL_HEADER,
        [
            [f"en-{move}", "tobedeleted", stamp, old, f"school-{old.split('-')[1]}", move, "student", "", "", ""],
            [f"en-{move}-2", "active", stamp, to_homeroom, f"school-{school}", move, "student", "", "", ""],
        ],
    )
    _manifest(folder, {"users": "delta", "enrollments": "delta", "orgs": "delta"})
    _write(
        folder,
        "orgs.csv",
        ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"],
        [],
    )
    return folder
