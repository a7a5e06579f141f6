"""The hub's list endpoints (desks pull the district's lists and settings) and the district staff's API.

Desks (``Authorization: Bearer`` station credential, any school of this hub's district):
``GET /api/v1/lists?held=V&mark=M`` (the index: each list's generation and the newest version with its mark;
``held``/``mark``, the version the desk is in step with, let it tell a hub restored from an older copy apart,
see ``HubLists.index``),
``GET /api/v1/lists/snapshot?source=S`` (newline-delimited JSON, streamed),
``GET /api/v1/lists/file?source=S&generation=G&sha256=H`` (a large list as one SQLCipher-encrypted SQLite file,
see ``district.hub.list_files``: the index gives each such list's ``encrypted_file`` with its SHA-256, size and
key),
``GET /api/v1/lists/changes?source=S&after=N`` and ``GET /api/v1/district-settings`` (the desk's school's view).

District staff (the console's session cookie, a person in ``hub_staff``): everything under
``/api/v1/district/`` and the web screen at ``/district/``. A station credential there is a 403; a
dispatcher who is not district staff is a 403; changing lists needs the administrator or security role.

List work runs in a thread pool of its own (``lists``), never the alerts' or the stations' pools: a
million-entry snapshot streaming to a desk cannot make a panic alert wait for a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from district import clock
from district.console.auth import Forbidden, Unauthenticated, session_tokens
from district.errors import InputError, NotFoundError
from district.hub import uploads
from district.hub.context import AppContext
from district.hub.list_files import ListFiles
from district.hub.lists import HubImportFailed, HubLists, new_entry
from district.hub.settings import DistrictSettings, parse_value
from district.hub.staff import Staff, StaffMember

LIST_THREADS = 4
PROGRESS_EVERY_S = 0.5  # an import writes its progress to the database at most this often
STALE_S = 120.0  # a running import that has not written its state for this long has died with its process
STALE_ENV = "FRONTDESK_HUB_IMPORT_STALE_S"  # tests make it short
MAX_IMPORT_BYTES = 512 * 1024 * 1024
STATIC = resources.files("district.hub") / "static"
PAGE = STATIC / "district.html"
ASSETS = {"district.js": "text/javascript", "district.css": "text/css"}
WRITERS = ("administrator", "security")
TOO_LARGE = (
    "The file is too large for the web screen ({mb:,.0f} MB or more; at most 512 MB): import it at the hub with "
    "'frontdesk district barred import FILE --source NAME'"
)


def _whole(text: str | None, name: str, default: int, low: int = 0, high: int = 2**62) -> int:
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise InputError(f"{name} must be a whole number") from None
    if not low <= value <= high:
        raise InputError(f"{name} must be between {low} and {high}")
    return value


def _source(request: Request) -> str:
    source = (request.query_params.get("source") or "").strip()
    if not source:
        raise InputError("give the list: ?source=NAME")
    return source


def stale_after() -> float:
    """Seconds without a word from a running import after which it is reported as stopped."""
    try:
        return max(1.0, float(os.environ.get(STALE_ENV, "") or STALE_S))
    except ValueError:
        return STALE_S


class ImportJobs:
    """The web screen's import jobs and their progress, in the database (any worker may answer a poll).

    A running import writes its state at least every ``stale_after() / 6`` seconds, even in steps that
    report no progress (the switch, removing the old entries). If the process running it dies (killed, the
    machine restarted), nothing writes again: after ``stale_after()`` seconds of silence a poll answers
    ``failed`` with words saying so, or ``done`` if the list the job was building is in force (the process
    died after the switch, before it said so), so the screen never shows "running" for ever.
    """

    KEEP_DAYS = 7

    def __init__(self, db: Any):
        self._db = db

    def save(self, job: str, state: dict[str, Any], by: str) -> None:
        """Write a job's state (the first write also forgets jobs older than a week)."""
        now = clock.now()
        with self._db.transaction() as tx:
            tx.relaxed_commit()  # progress, not a promise: a crash may lose the newest figure
            written = tx.execute(
                "UPDATE hub_import_jobs SET state = ?, updated_at = ? WHERE job_id = ?",
                [json.dumps(state), clock.to_db(now), job],
            ).rowcount
            if not written:
                tx.execute(
                    "DELETE FROM hub_import_jobs WHERE updated_at < ?",
                    [clock.to_db(now - timedelta(days=self.KEEP_DAYS))],
                )
                tx.execute(
                    "INSERT INTO hub_import_jobs (job_id, started_by, state, started_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [job, by, json.dumps(state), clock.to_db(now), clock.to_db(now)],
                )

    def state(self, job: str) -> dict[str, Any] | None:
        """A job's newest state, or None (a job whose process died: ``failed``, or ``done`` if it switched)."""
        db = self._db.read()
        row = db.one("SELECT state, updated_at FROM hub_import_jobs WHERE job_id = ?", [job[:64]])
        if not row:
            return None
        state = json.loads(row[0])
        silent = clock.now() - (clock.from_db(row[1]) or clock.now())
        if state.get("state") != "running" or silent.total_seconds() < stale_after():
            return state
        generation = state.get("generation")
        if generation is not None:
            in_force = db.one("SELECT generation FROM hub_lists WHERE source = ?", [state.get("source")])
            if in_force and int(in_force[0]) == int(generation):
                added = db.one(
                    "SELECT count(*) FROM hub_list_entries WHERE source = ? AND generation = ?",
                    [state.get("source"), int(generation)],
                )[0]
                return {**state, "state": "done", "fraction": 1.0, "added": int(added), "replaced": 0}
        minutes = max(1, round(silent.total_seconds() / 60))
        return {
            **state,
            "state": "failed",
            "error": (
                f"the import stopped before it finished: the hub has said nothing of it for {minutes} minute(s) "
                "(it was stopped or restarted while the file was read). The district list did not change. "
                "Start the import again."
            ),
        }


def routes(app_ctx: AppContext) -> list[Route]:
    """The hub's list routes over the console's service (mounted by ``create_app``)."""
    service = app_ctx.service
    endpoint = app_ctx.endpoint
    lists = HubLists(service.db)
    files = ListFiles(service.db)
    settings = DistrictSettings(service.db)
    staff = Staff(service.db, service.auth)
    limiter: dict[str, anyio.CapacityLimiter] = {}
    jobs = ImportJobs(service.db)  # import jobs started from the web screen, by id (in the database)

    def pool() -> anyio.CapacityLimiter:
        if "lists" not in limiter:  # made on the serving event loop
            limiter["lists"] = anyio.CapacityLimiter(LIST_THREADS)
        return limiter["lists"]

    async def run(fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        return await anyio.to_thread.run_sync(lambda: fn(*args, **kw), limiter=pool())

    async def staff_of(request: Request, *roles: str) -> StaffMember:
        tokens = session_tokens(request.headers.getlist("cookie"))  # all of them: see auth.session_tokens
        if not tokens:
            if request.headers.get("authorization", "").lower().startswith("bearer "):
                await app_ctx.station_of(request)  # 401 for a wrong credential, else:
                raise Forbidden("district lists are changed by district staff at the hub, not by a desk")
            raise Unauthenticated("sign in first")
        member = await run(staff.of, tokens)
        if roles:
            member.require(*roles)
        return member

    # --- desks ----------------------------------------------------------------------------------------
    def desk_index(held: int | None, mark: str, station: str) -> dict:
        index = lists.index(held, mark, station=station)
        for x in index["lists"]:  # a large list also goes as one encrypted file (built once per generation)
            file = files.describe(x["source"], x["generation"], x["entries"])
            if file is not None:  # not "file": a desk from before the encryption takes the snapshot instead
                x["encrypted_file"] = file
        return index

    @endpoint
    async def get_index(request: Request) -> Response:
        station, _ = await app_ctx.station_of(request)
        # The list version (and its mark) the desk is in step with, if it holds a copy (see HubLists.index).
        q = request.query_params
        held = _whole(q.get("held"), "held", -1)
        mark = (q.get("mark") or "")[:64]
        return JSONResponse(await run(desk_index, held if held >= 0 else None, mark, station.station_id))

    @endpoint
    async def get_file(request: Request) -> Response:
        await app_ctx.station_of(request)  # the same credential and scope as the snapshot's
        source = _source(request)
        generation = _whole(request.query_params.get("generation"), "generation", 0)
        info = await run(files.built, source, generation)
        if info is None or info["sha256"] != request.query_params.get("sha256"):
            raise NotFoundError(
                f"No file of the district list {source!r} (generation {generation}): ask the index"
            )
        path = files.path(source, generation)
        return FileResponse(
            str(path), media_type="application/vnd.sqlite3", headers={"X-Content-SHA256": info["sha256"]}
        )

    @endpoint
    async def get_snapshot(request: Request) -> Response:
        await app_ctx.station_of(request)
        key_version = _whole(request.query_params.get("keys"), "keys", 0)  # the desk's key rules (0: none)
        chunks: Iterator[bytes] = await run(lists.snapshot, _source(request), key_version)
        done = object()

        async def stream() -> AsyncIterator[bytes]:
            while True:
                chunk = await run(next, chunks, done)
                if chunk is done:
                    return
                yield chunk

        return StreamingResponse(stream(), media_type="application/x-ndjson")

    @endpoint
    async def get_changes(request: Request) -> Response:
        await app_ctx.station_of(request)
        after = _whole(request.query_params.get("after"), "after", 0)
        limit = _whole(request.query_params.get("limit"), "limit", 5000, 1, 5000)
        return JSONResponse(await run(lists.changes, _source(request), after, limit))

    @endpoint
    async def get_district_settings(request: Request) -> Response:
        station, _ = await app_ctx.station_of(request)
        return JSONResponse({"school": station.school, "settings": await run(settings.for_school, station.school)})

    # --- district staff -------------------------------------------------------------------------------
    async def page(request: Request) -> Response:
        return FileResponse(str(PAGE))

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            return JSONResponse({"error": "not found"}, status_code=404)
        return FileResponse(str(STATIC / name), media_type=ASSETS[name])

    @endpoint
    async def get_me(request: Request) -> Response:
        member = await staff_of(request)
        return JSONResponse({"username": member.username, "role": member.role, "console": service.name})

    @endpoint
    async def get_lists(request: Request) -> Response:
        await staff_of(request)
        index = await run(lists.index)
        # For the Lists tab: a version a desk holds that this hub does not (restored from an older copy), else 0.
        return JSONResponse({**index, "desks_ahead": await run(lists.desks_ahead)})

    @endpoint
    async def get_entries(request: Request) -> Response:
        await staff_of(request)
        q = request.query_params
        found = await run(lists.entries, q.get("source") or None, (q.get("q") or "")[:200], 200)
        return JSONResponse({"entries": found})

    @endpoint
    async def post_entry(request: Request) -> Response:
        member = await staff_of(request, *WRITERS)
        body = app_ctx.parse_json(request, await request.body())

        def text(name: str) -> str:
            value = body.get(name) or ""
            if not isinstance(value, str):
                raise InputError(f"{name} must be text")
            return value

        def names(name: str) -> tuple[str, ...]:
            value = body.get(name) or []
            if isinstance(value, str):
                value = [v for v in value.split(";")]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InputError(f"{name} must be a list of names")
            return tuple(value)

        entry = new_entry(
            first_name=text("first_name"),
            middle_name=text("middle_name"),
            last_name=text("last_name"),
            aliases=names("aliases"),
            dob=text("dob"),
            kind=text("kind"),
            reason=text("reason"),
            valid_until=text("valid_until"),
            notes=text("notes"),
            students=names("students"),
            sex=text("sex"),
            id_state=text("id_state"),
            id_last4=text("id_last4"),
        )
        record = await run(lists.add, text("source"), entry, actor=member.username, list_kind=text("kind") or None)
        return JSONResponse(record, status_code=201)

    @endpoint
    async def post_expire(request: Request) -> Response:
        member = await staff_of(request, *WRITERS)
        # JSON always (the page sends {}): an empty body was taken too, which a plain form or a no-cors fetch
        # from a page elsewhere can send with the staff member's cookie.
        body = app_ctx.parse_json(request, await request.body())
        on = body.get("on")
        try:
            day = date.fromisoformat(on) if on else None
        except (TypeError, ValueError):
            raise InputError("on must be a date like 2026-03-14") from None
        entry_id = int(request.path_params["entry_id"])
        if not 0 < entry_id <= 2**62:  # past SQLite's integers: a 404, not an OverflowError's traceback in the log
            raise NotFoundError(f"No district list entry {entry_id}")
        return JSONResponse(await run(lists.expire, entry_id, actor=member.username, on=day))

    @endpoint
    async def post_import(request: Request) -> Response:
        member = await staff_of(request, *WRITERS)
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "text/csv":
            # Not a type a form or a no-cors fetch can send (the page sends the file as text/csv): any body was
            # taken, so a page elsewhere could replace a list with the staff member's cookie.
            raise InputError("the body must be the CSV file (Content-Type: text/csv)")
        q = request.query_params
        source = _source(request)
        replace = q.get("replace") in ("1", "true", "yes")
        allow_empty = q.get("allow_empty") in ("1", "true", "yes")
        allow_shrink = q.get("allow_shrink") in ("1", "true", "yes")
        kind = q.get("kind") or None
        file_name = (q.get("name") or "").strip()[:200]  # the file's name on the staff member's computer
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_IMPORT_BYTES:
            raise InputError(TOO_LARGE.format(mb=int(length) / 1e6))
        # The file goes to a temporary file as it arrives (a registry extract is hundreds of MB), named with this
        # process: one killed mid-import is cleaned up after by the next to start (district/hub/uploads.py).
        handle = uploads.new_file()
        path = Path(handle.name)
        size = 0
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_IMPORT_BYTES:
                    raise InputError(TOO_LARGE.format(mb=size / 1e6))
                await run(handle.write, chunk)
        except BaseException:
            handle.close()
            path.unlink(missing_ok=True)
            raise
        handle.close()
        job = secrets.token_hex(8)  # made here, unique across workers and hubs
        state: dict[str, Any] = {"id": job, "source": source, "rows": 0, "fraction": 0.0, "state": "running"}
        await run(jobs.save, job, state, member.username)
        last_saved = [time.monotonic()]

        def progress(rows: int, fraction: float) -> None:  # between the import's steps, on its thread
            state["rows"], state["fraction"] = rows, round(fraction, 3)
            if time.monotonic() - last_saved[0] >= PROGRESS_EVERY_S:
                last_saved[0] = time.monotonic()
                with contextlib.suppress(Exception):  # progress is a courtesy: never fail the import for it
                    jobs.save(job, state, member.username)

        def building(generation: int) -> None:  # the list the import builds, for a poll after a crash
            state["generation"] = generation

        def keep_alive(finished: threading.Event) -> None:  # says "still running" through silent steps
            while not finished.wait(stale_after() / 6):
                with contextlib.suppress(Exception):
                    jobs.save(job, state, member.username)

        def work() -> None:
            finished = threading.Event()
            threading.Thread(
                target=keep_alive, args=(finished,), name=f"district-import-{job}-alive", daemon=True
            ).start()
            try:
                report = lists.import_csv(
                    path,
                    source,
                    actor=member.username,
                    kind=kind,
                    replace=replace,
                    allow_empty=allow_empty,
                    allow_shrink=allow_shrink,
                    progress=progress,
                    file_name=file_name,
                    on_generation=building,
                )
                state.update(
                    state="done", added=report.added, replaced=report.replaced, kept=report.kept, fraction=1.0
                )
            except HubImportFailed as exc:
                state.update(state="failed", error=exc.message, errors=exc.errors[:20])
            except Exception as exc:  # noqa: BLE001 - shown on the screen; the list did not change
                state.update(state="failed", error=getattr(exc, "message", None) or str(exc))
                if getattr(exc, "code", None):
                    state["code"] = exc.code  # type: ignore[attr-defined]  # e.g. shrink_replace: the screen says what to tick
            finally:
                finished.set()
                path.unlink(missing_ok=True)
                for _ in range(3):  # the outcome must reach the screen: a second try if the database hiccups
                    try:
                        jobs.save(job, state, member.username)
                        break
                    except Exception:  # noqa: BLE001
                        time.sleep(1)

        threading.Thread(target=work, name=f"district-import-{job}", daemon=True).start()
        await asyncio.sleep(0)
        return JSONResponse(state, status_code=202)

    @endpoint
    async def get_import(request: Request) -> Response:
        await staff_of(request)
        state = await run(jobs.state, request.path_params["job"])
        if state is None:
            raise NotFoundError("no such import")
        return JSONResponse(state)

    @endpoint
    async def get_trail(request: Request) -> Response:
        await staff_of(request)
        q = request.query_params
        before = _whole(q.get("before"), "before", 0) or None
        limit = _whole(q.get("limit"), "limit", 200, 1, 1000)
        return JSONResponse({"trail": await run(lists.trail, limit, before)})

    @endpoint
    async def get_settings(request: Request) -> Response:
        await staff_of(request)
        return JSONResponse({"settings": await run(settings.all)})

    def _setting_body(body: dict) -> tuple[str, str]:
        key, school = body.get("key"), body.get("school") or ""
        if not isinstance(key, str) or not key.strip():
            raise InputError("give the setting's name, like retention.visits_days")
        if not isinstance(school, str):
            raise InputError("school must be text")
        return key.strip(), school.strip()

    @endpoint
    async def post_setting(request: Request) -> Response:
        """Set a district default (``locked`` to stop schools and desks changing it) or, with ``school``,
        that school's value: as ``frontdesk district settings set`` does, and logged the same way."""
        member = await staff_of(request, "administrator")
        body = app_ctx.parse_json(request, await request.body())
        key, school = _setting_body(body)
        value = body.get("value")
        if isinstance(value, str):  # as typed: JSON (365, 0.9, true, "x") or else plain text, as the CLI takes it
            value = parse_value(value)
        if value is None or isinstance(value, dict | list):
            raise InputError("a setting's value is a number, true/false or text")
        await run(settings.set, key, value, actor=member.username, school=school, locked=bool(body.get("locked")))
        return JSONResponse({"settings": await run(settings.all)})

    @endpoint
    async def post_setting_unset(request: Request) -> Response:
        """Remove a district default or a school's value (``frontdesk district settings unset``)."""
        member = await staff_of(request, "administrator")
        key, school = _setting_body(app_ctx.parse_json(request, await request.body()))
        await run(settings.unset, key, actor=member.username, school=school)
        return JSONResponse({"settings": await run(settings.all)})

    found: list[Route] = [
        Route("/api/v1/lists", get_index, methods=["GET"]),
        Route("/api/v1/lists/snapshot", get_snapshot, methods=["GET"]),
        Route("/api/v1/lists/file", get_file, methods=["GET"]),
        Route("/api/v1/lists/changes", get_changes, methods=["GET"]),
        Route("/api/v1/district-settings", get_district_settings, methods=["GET"]),
        Route("/district/", page, methods=["GET"]),
        Route("/district/{name}", asset, methods=["GET"]),
        Route("/api/v1/district/me", get_me, methods=["GET"]),
        Route("/api/v1/district/lists", get_lists, methods=["GET"]),
        Route("/api/v1/district/lists/entries", get_entries, methods=["GET"]),
        Route("/api/v1/district/lists/entries", post_entry, methods=["POST"]),
        Route("/api/v1/district/lists/entries/{entry_id:int}/expire", post_expire, methods=["POST"]),
        # The one route that takes more than the console's small request limit: a list file, streamed to a
        # temporary file as it comes. The handler itself caps it at MAX_IMPORT_BYTES (the Content-Length,
        # then the bytes as they come) and says so in plain words; the framework's limit is lifted here only
        # because it would answer a bare 413 over those words.
        Route(
            "/api/v1/district/lists/import",
            post_import,
            methods=["POST"],
            max_body_size=2**62,
        ),
        Route("/api/v1/district/lists/imports/{job}", get_import, methods=["GET"]),
        Route("/api/v1/district/lists/trail", get_trail, methods=["GET"]),
        Route("/api/v1/district/settings", get_settings, methods=["GET"]),
        Route("/api/v1/district/settings", post_setting, methods=["POST"]),
        Route("/api/v1/district/settings/unset", post_setting_unset, methods=["POST"]),
    ]
    try:
        from district.hub.visit_routes import routes as visit_routes
    except ImportError:  # the visits arrive with hub-sync's tables
        return found
    return [*found, *visit_routes(app_ctx, run, staff_of)]
