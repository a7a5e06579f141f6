"""The district staff's read-only API over the desks' visits: schools and desks, on site, a search."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from district.errors import InputError
from district.hub.context import AppContext
from district.hub.visits import HubVisits, zone_of


def routes(app_ctx: AppContext, run: Callable[..., Any], staff_of: Callable[..., Any]) -> list[Route]:
    """``/api/v1/district/schools``, ``/onsite?school=``, ``/visits?q=&date=&school=&tz=`` (staff only; ``tz``, an
    IANA zone, says whose day ``date`` is: default the hub machine's)."""
    visits = HubVisits(app_ctx.service.db)
    offline_after = getattr(app_ctx.service, "offline_after", 90)

    @app_ctx.endpoint
    async def get_schools(request: Request) -> Response:
        await staff_of(request)
        return JSONResponse({"schools": await run(visits.schools, offline_after)})

    @app_ctx.endpoint
    async def get_onsite(request: Request) -> Response:
        await staff_of(request)
        school = (request.query_params.get("school") or "").strip()
        if not school:
            raise InputError("give the school: ?school=NAME")
        return JSONResponse({"school": school, "visits": await run(visits.onsite, school)})

    @app_ctx.endpoint
    async def get_visits(request: Request) -> Response:
        await staff_of(request)
        q = request.query_params
        day = None
        if q.get("date"):
            try:
                day = date.fromisoformat(q["date"])
            except ValueError:
                raise InputError("date must look like 2026-03-14") from None
        zone = zone_of(q["tz"]) if q.get("tz") else None  # whose day: the page sends the browser's zone
        found = await run(
            visits.search, (q.get("q") or "")[:200], day, (q.get("school") or "").strip() or None, zone=zone
        )
        return JSONResponse({"visits": found})

    return [
        Route("/api/v1/district/schools", get_schools, methods=["GET"]),
        Route("/api/v1/district/onsite", get_onsite, methods=["GET"]),
        Route("/api/v1/district/visits", get_visits, methods=["GET"]),
    ]
