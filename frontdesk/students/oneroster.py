"""Reading a OneRoster 1.1 CSV bundle (a zip or a folder) into plain rows, checking every line first.

Nothing is written here: :func:`read_bundle` returns a :class:`Bundle` or raises :class:`BundleError`
naming the file, the line and the field, so a broken bundle is refused whole before the store is touched.
Only what the desk needs is kept: organisations, students, their guardians (roles ``parent``, ``guardian``,
``relative``), teachers, homerooms and classes, terms, and a student's birth date from ``demographics.csv``
(every other demographic column is read past and dropped). OneRoster 1.2's extra columns and files are
accepted and ignored.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from frontdesk.errors import InputError
from frontdesk.limits import check_name

FILES = (
    "manifest.csv",
    "orgs.csv",
    "users.csv",
    "enrollments.csv",
    "classes.csv",
    "academicSessions.csv",
    "courses.csv",
    "demographics.csv",
)
# A file of the bundle, unpacked, at most: the reader keeps every row in memory, and a file this large (a
# users.csv of several million people) is already more than a desk holds. A zip bomb says far more.
MAX_FILE_BYTES = 1 << 30
REQUIRED_FILES = ("orgs", "users")  # a bundle without these has no school and nobody in it
USER_ROLES = frozenset(
    {"administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher"}
)
GUARDIAN_ROLES = frozenset({"parent", "guardian", "relative"})
STAFF_ROLES = frozenset({"teacher"})
ORG_TYPES = frozenset({"department", "school", "district", "local", "state", "national"})
SESSION_TYPES = frozenset({"gradingPeriod", "semester", "schoolYear", "term"})
CLASS_TYPES = frozenset({"homeroom", "scheduled"})
ENROLLMENT_ROLES = frozenset({"administrator", "proctor", "student", "teacher", "aide", "guardian", "parent"})
STATUSES = frozenset({"active", "tobedeleted", "inactive"})

# Columns a file must have (1.1 names); other columns are read past.
COLUMNS: dict[str, tuple[str, ...]] = {
    "orgs": ("sourcedId", "status", "dateLastModified", "name", "type"),
    "users": (
        "sourcedId",
        "status",
        "dateLastModified",
        "enabledUser",
        "orgSourcedIds",
        "role",
        "username",
        "givenName",
        "familyName",
    ),
    "classes": ("sourcedId", "status", "dateLastModified", "title", "classType", "schoolSourcedId"),
    "enrollments": (
        "sourcedId",
        "status",
        "dateLastModified",
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
        "role",
    ),
    "academicSessions": ("sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate"),
    "courses": ("sourcedId", "status", "dateLastModified", "title"),
    "demographics": ("sourcedId", "status", "dateLastModified"),
}


class BundleError(InputError):
    """A bundle that cannot be imported; the message names the file, the line and the field."""

    code = "bad_bundle"


def _fail(file: str, line: int | None, field_name: str | None, problem: str) -> BundleError:
    where = file
    if line is not None:
        where += f" line {line}"
    if field_name:
        where += f", field {field_name}"
    return BundleError(f"Bundle refused, nothing imported: {where}: {problem}")


@dataclass(frozen=True)
class OrgRow:
    """A school or district."""

    sourced_id: str
    name: str
    type: str
    identifier: str
    parent: str
    deleted: bool = False


@dataclass(frozen=True)
class UserRow:
    """A student, guardian or teacher."""

    sourced_id: str
    role: str
    first_name: str
    middle_name: str
    last_name: str
    preferred_name: str
    identifier: str
    orgs: tuple[str, ...]
    agents: tuple[str, ...]
    grades: str
    phone: str
    deleted: bool = False


@dataclass(frozen=True)
class ClassRow:
    """A class (a homeroom or a scheduled class)."""

    sourced_id: str
    title: str
    class_code: str
    class_type: str
    location: str
    org: str
    deleted: bool = False


@dataclass(frozen=True)
class EnrollmentRow:
    """A user in a class."""

    sourced_id: str
    class_id: str
    user_id: str
    role: str
    deleted: bool = False


@dataclass(frozen=True)
class SessionRow:
    """A school year, term, semester or grading period."""

    sourced_id: str
    title: str
    type: str
    start: date
    end: date
    deleted: bool = False


@dataclass
class Bundle:
    """A bundle read and checked: its rows, and how its manifest says to apply each file."""

    source: str
    version: str
    modes: dict[str, str]  # "orgs" -> "bulk" | "delta" | "absent"
    orgs: list[OrgRow] = field(default_factory=list)
    users: list[UserRow] = field(default_factory=list)
    classes: list[ClassRow] = field(default_factory=list)
    enrollments: list[EnrollmentRow] = field(default_factory=list)
    sessions: list[SessionRow] = field(default_factory=list)
    birth_dates: dict[str, date | None] = field(default_factory=dict)  # user sourcedId -> date (None: removed)
    ignored: list[str] = field(default_factory=list)

    def mode(self, name: str) -> str:
        """``bulk``, ``delta`` or ``absent`` for a file (without ``.csv``)."""
        return self.modes.get(name, "absent")


# Known in the store already (for a delta's references): kind ("org", "user", "class") -> is it known?
Known = Callable[[str, str], bool]


class _Source:
    """The bundle's files, from a zip or a folder, by name."""

    def __init__(self, path: Path):
        self.path = path
        if path.is_dir():
            self._names = {p.name: p for p in path.iterdir() if p.is_file()}
            self._zip = None
        elif path.is_file() and zipfile.is_zipfile(path):
            self._zip = zipfile.ZipFile(path)
            # Bundles are often zipped with a top folder: take files by their base name. A name found in two
            # folders (this year's and last year's export) cannot be taken either way without a word.
            self._names = {}
            for n in self._zip.namelist():
                if n.endswith("/"):
                    continue
                base = Path(n).name
                if base in self._names and base.endswith(".csv"):
                    self._zip.close()
                    raise _fail(
                        base, None, None, f"the zip holds it twice ({self._names[base]}, {n}): zip one bundle"
                    )
                self._names[base] = n
        elif path.exists():
            raise BundleError(f"Bundle refused, nothing imported: {path} is neither a folder nor a zip file")
        else:
            raise BundleError(f"Bundle refused, nothing imported: {path} does not exist")

    def names(self) -> list[str]:
        return sorted(self._names)

    def has(self, name: str) -> bool:
        return name in self._names

    def text(self, name: str) -> str:
        try:
            if self._zip is not None:
                size = self._zip.getinfo(self._names[name]).file_size
                if size > MAX_FILE_BYTES:  # a zip bomb: refused from the zip's directory, before reading
                    raise _fail(
                        name,
                        None,
                        None,
                        f"it would unpack to {size:,} bytes, more than any roster "
                        f"(at most {MAX_FILE_BYTES:,}): the zip is damaged or not a OneRoster bundle",
                    )
                raw = self._zip.read(self._names[name])
            else:
                raw = Path(self._names[name]).read_bytes()
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _fail(name, None, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        except (OSError, zipfile.BadZipFile) as exc:
            raise _fail(name, None, None, f"cannot be read ({exc})") from None

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _rows(src: _Source, name: str) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, row)`` for each data row of ``name``.csv, after checking its header."""
    file = f"{name}.csv"
    reader = csv.reader(io.StringIO(src.text(file), newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise _fail(file, 1, None, "the file is empty (a header line is required)") from None
    except csv.Error as exc:
        raise _fail(file, 1, None, f"not valid CSV ({exc})") from None
    header = [h.strip() for h in header]
    for column in header:
        if column and header.count(column) > 1:  # a row is read by column name: the last would win unseen
            raise _fail(file, 1, column, "the header names it twice")
    for column in COLUMNS.get(name, ()):
        if column not in header:
            raise _fail(file, 1, column, "this column is missing from the header")
    width = len(header)
    line = 1
    try:
        for values in reader:
            line = reader.line_num
            if not values or values == [""]:
                continue
            if len(values) != width:
                raise _fail(file, line, None, f"{len(values)} fields where the header has {width}")
            yield line, dict(zip(header, values, strict=True))
    except csv.Error as exc:
        raise _fail(file, line + 1, None, f"not valid CSV ({exc})") from None


def _status(file: str, line: int, row: dict[str, str], mode: str) -> bool:
    """True when the row deletes (``tobedeleted`` in a delta file)."""
    status = row.get("status", "").strip()
    if not status:
        if mode == "delta":
            raise _fail(file, line, "status", "a delta file needs active or tobedeleted on every line")
        return False
    if status not in STATUSES:
        raise _fail(file, line, "status", f"{status!r} is not a OneRoster status (active, tobedeleted)")
    return status == "tobedeleted" and mode == "delta"


def _required(file: str, line: int, row: dict[str, str], name: str) -> str:
    value = row.get(name, "").strip()
    if not value:
        raise _fail(file, line, name, "required, but empty")
    return value


def _date(file: str, line: int, row: dict[str, str], name: str, *, required: bool = True) -> date | None:
    text = row.get(name, "").strip()
    if not text:
        if required:
            raise _fail(file, line, name, "required, but empty")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _fail(file, line, name, f"{text!r} is not a date like 2026-03-14") from None


def _ids(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(",") if p.strip())


def _unique(file: str, line: int, seen: set[str], sourced_id: str) -> None:
    if sourced_id in seen:
        raise _fail(file, line, "sourcedId", f"{sourced_id!r} appears twice in this file")
    seen.add(sourced_id)


def _manifest(src: _Source) -> tuple[str, dict[str, str], str]:
    if not src.has("manifest.csv"):
        raise _fail("manifest.csv", None, None, "missing (a OneRoster bundle starts with its manifest)")
    props: dict[str, str] = {}
    for line, row in _rows(src, "manifest"):
        if "propertyName" not in row or "value" not in row:
            raise _fail("manifest.csv", 1, "propertyName", "the header must be propertyName,value")
        props[row["propertyName"].strip()] = (row["value"].strip(), line)  # type: ignore[assignment]
    version, _ = props.get("oneroster.version", ("", 0))  # type: ignore[misc]
    if version not in ("1.0", "1.1", "1.2"):
        raise _fail("manifest.csv", None, "oneroster.version", f"{version or 'missing'}: this desk reads 1.1")
    modes: dict[str, str] = {}
    for key, (value, line) in props.items():  # type: ignore[misc]
        if not key.startswith("file."):
            continue
        value = value.lower()
        if value not in ("bulk", "delta", "absent"):
            raise _fail("manifest.csv", line, "value", f"{key} is {value!r}: bulk, delta or absent")
        modes[key[5:]] = value
    system = props.get("source.systemName", ("", 0))[0]  # type: ignore[index]
    return version, modes, system


def read_bundle(path: Path, known: Known | None = None) -> Bundle:
    """Read and check a whole bundle; raises :class:`BundleError` at the first problem found."""
    src = _Source(Path(path))
    try:
        return _read(src, known or (lambda kind, sid: False))
    finally:
        src.close()


def _read(src: _Source, known: Known) -> Bundle:
    version, modes, system = _manifest(src)
    bundle = Bundle(source=system or src.path.name, version=version, modes=modes)
    for name in REQUIRED_FILES:
        if bundle.mode(name) == "absent":
            raise _fail("manifest.csv", None, f"file.{name}", "must be bulk or delta (it is absent)")
    for name in (n[:-4] for n in FILES[1:]):
        if bundle.mode(name) != "absent" and not src.has(f"{name}.csv"):
            raise _fail(
                f"{name}.csv", None, None, f"missing, though the manifest says file.{name} is {bundle.mode(name)}"
            )
    for present in src.names():
        unknown = present not in FILES and present.endswith(".csv")  # OneRoster 1.2's extra files
        if unknown or (present in FILES[1:] and bundle.mode(present[:-4]) == "absent"):
            bundle.ignored.append(present)

    org_ids = _read_orgs(src, bundle)
    session_ids = _read_sessions(src, bundle) if bundle.mode("academicSessions") != "absent" else set()
    del session_ids
    user_ids = _read_users(src, bundle, org_ids, known)
    class_ids = _read_classes(src, bundle, org_ids, known)
    _read_enrollments(src, bundle, class_ids, user_ids, known)
    if bundle.mode("courses") != "absent":
        seen: set[str] = set()
        for line, row in _rows(src, "courses"):
            _unique("courses.csv", line, seen, _required("courses.csv", line, row, "sourcedId"))
    if bundle.mode("demographics") != "absent":
        _read_demographics(src, bundle)
    return bundle


def _read_orgs(src: _Source, bundle: Bundle) -> set[str]:
    file, mode, seen = "orgs.csv", bundle.mode("orgs"), set()
    for line, row in _rows(src, "orgs"):
        sid = _required(file, line, row, "sourcedId")
        _unique(file, line, seen, sid)
        deleted = _status(file, line, row, mode)
        org_type = row["type"].strip()
        if not deleted and org_type not in ORG_TYPES:
            raise _fail(file, line, "type", f"{org_type!r} is not a OneRoster org type")
        name = row["name"].strip() if deleted else _required(file, line, row, "name")
        bundle.orgs.append(
            OrgRow(
                sid,
                name,
                org_type,
                row.get("identifier", "").strip(),
                row.get("parentSourcedId", "").strip(),
                deleted,
            )
        )
    return seen


def _read_sessions(src: _Source, bundle: Bundle) -> set[str]:
    file, mode, seen = "academicSessions.csv", bundle.mode("academicSessions"), set()
    for line, row in _rows(src, "academicSessions"):
        sid = _required(file, line, row, "sourcedId")
        _unique(file, line, seen, sid)
        deleted = _status(file, line, row, mode)
        kind = row["type"].strip()
        if not deleted and kind not in SESSION_TYPES:
            raise _fail(file, line, "type", f"{kind!r} is not a OneRoster session type")
        start = _date(file, line, row, "startDate", required=not deleted) or date.min
        end = _date(file, line, row, "endDate", required=not deleted) or date.min
        if not deleted and end < start:
            raise _fail(file, line, "endDate", f"{end} is before startDate {start}")
        bundle.sessions.append(SessionRow(sid, row["title"].strip(), kind, start, end, deleted))
    return seen


def _read_users(src: _Source, bundle: Bundle, org_ids: set[str], known: Known) -> set[str]:
    file, mode, seen = "users.csv", bundle.mode("users"), set()
    rows: list[tuple[int, UserRow]] = []
    for line, row in _rows(src, "users"):
        sid = _required(file, line, row, "sourcedId")
        _unique(file, line, seen, sid)
        deleted = _status(file, line, row, mode)
        role = row["role"].strip()
        if role not in USER_ROLES:
            raise _fail(file, line, "role", f"{role!r} is not a OneRoster role")
        enabled = row["enabledUser"].strip().lower()
        if enabled not in ("true", "false", ""):
            raise _fail(file, line, "enabledUser", f"{enabled!r}: true or false")
        orgs = _ids(row["orgSourcedIds"])
        if not deleted:
            if not orgs:
                raise _fail(file, line, "orgSourcedIds", "required, but empty")
            for org in orgs:
                if org not in org_ids and not known("org", org):
                    raise _fail(file, line, "orgSourcedIds", f"{org!r} is not in orgs.csv")
            first = _required(file, line, row, "givenName")
            last = _required(file, line, row, "familyName")
        else:
            first, last = row["givenName"].strip(), row["familyName"].strip()
        _check_names(file, line, row)
        user = UserRow(
            sourced_id=sid,
            role=role,
            first_name=first,
            middle_name=row.get("middleName", "").strip(),
            last_name=last,
            preferred_name=row.get("preferredGivenName", "").strip(),  # OneRoster 1.2 only
            identifier=row.get("identifier", "").strip(),
            orgs=orgs,
            agents=_ids(row.get("agentSourcedIds", "")),
            grades=row.get("grades", "").strip(),
            phone=(row.get("phone", "") or row.get("sms", "")).strip(),
            deleted=deleted or enabled == "false",
        )
        rows.append((line, user))
    for line, user in rows:
        for agent in user.agents:
            if agent not in seen and not known("user", agent):
                raise _fail(file, line, "agentSourcedIds", f"{agent!r} is not in users.csv")
        bundle.users.append(user)
    return seen


def _check_names(file: str, line: int, row: dict[str, str]) -> None:
    """A name the desk would refuse at any other door (a control character, a direction override, over 100
    characters) refuses the bundle: shown, matched at pick-up and printed, it must be one the desk can take."""
    for name in ("givenName", "familyName", "middleName", "preferredGivenName"):
        try:
            check_name(row.get(name, "").strip(), "the name")
        except InputError as exc:
            problem = exc.message.split(";")[0]
            raise _fail(file, line, name, f"{problem}: correct it in the SIS and export again") from None


def _read_classes(src: _Source, bundle: Bundle, org_ids: set[str], known: Known) -> set[str]:
    if bundle.mode("classes") == "absent":
        return set()
    file, mode, seen = "classes.csv", bundle.mode("classes"), set()
    for line, row in _rows(src, "classes"):
        sid = _required(file, line, row, "sourcedId")
        _unique(file, line, seen, sid)
        deleted = _status(file, line, row, mode)
        class_type = row["classType"].strip()
        if not deleted and class_type not in CLASS_TYPES:
            raise _fail(file, line, "classType", f"{class_type!r}: homeroom or scheduled")
        org = row["schoolSourcedId"].strip()
        if not deleted and org not in org_ids and not known("org", org):
            raise _fail(file, line, "schoolSourcedId", f"{org!r} is not in orgs.csv")
        title = row["title"].strip() if deleted else _required(file, line, row, "title")
        bundle.classes.append(
            ClassRow(
                sid,
                title,
                row.get("classCode", "").strip(),
                class_type,
                row.get("location", "").strip(),
                org,
                deleted,
            )
        )
    return seen


def _read_enrollments(src: _Source, bundle: Bundle, class_ids: set[str], user_ids: set[str], known: Known) -> None:
    if bundle.mode("enrollments") == "absent":
        return
    file, mode, seen = "enrollments.csv", bundle.mode("enrollments"), set()
    for line, row in _rows(src, "enrollments"):
        sid = _required(file, line, row, "sourcedId")
        _unique(file, line, seen, sid)
        deleted = _status(file, line, row, mode)
        class_id = _required(file, line, row, "classSourcedId")
        user_id = _required(file, line, row, "userSourcedId")
        role = row["role"].strip()
        if role not in ENROLLMENT_ROLES:
            raise _fail(file, line, "role", f"{role!r} is not a OneRoster enrollment role")
        if class_id not in class_ids and not known("class", class_id):
            raise _fail(file, line, "classSourcedId", f"{class_id!r} is not in classes.csv")
        if user_id not in user_ids and not known("user", user_id):
            raise _fail(file, line, "userSourcedId", f"{user_id!r} is not in users.csv")
        bundle.enrollments.append(EnrollmentRow(sid, class_id, user_id, role, deleted))


def _read_demographics(src: _Source, bundle: Bundle) -> None:
    file, mode, seen = "demographics.csv", bundle.mode("demographics"), set()
    for line, row in _rows(src, "demographics"):
        sid = _required(file, line, row, "sourcedId")
        _unique(file, line, seen, sid)
        deleted = _status(file, line, row, mode)
        # Only the birth date: the desk needs nothing else a demographics file holds.
        bundle.birth_dates[sid] = None if deleted else _date(file, line, row, "birthDate", required=False)
