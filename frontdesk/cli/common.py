"""Helpers shared by the command modules: opening the services, printing JSON and tables."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from frontdesk import clock
from frontdesk.context import Services, default_data_dir
from frontdesk.models import Visit
from frontdesk.text import format_badge_code


def open_services(args: argparse.Namespace) -> Services:
    """The services over ``--data-dir`` (or the default, or the demo folder), signed in as ``--user``.

    Without ``--user`` the command acts as the front desk once accounts exist (set-up mode before).
    """
    if getattr(args, "demo", False):
        from frontdesk.demo import demo_services

        services = demo_services()
    else:
        services = Services.open(args.data_dir or default_data_dir())
    if getattr(args, "user", None):
        services.accounts.sign_in(args.user, user_secret(args))
    return services


def user_secret(args: argparse.Namespace) -> str:
    """The PIN or password of ``--user``: ``FRONTDESK_PASSWORD`` or ``FRONTDESK_PIN``, else asked."""
    secret = os.environ.get("FRONTDESK_PASSWORD") or os.environ.get("FRONTDESK_PIN")
    if secret is None:
        secret = read_secret(f"PIN or password for {args.user}: ")
    return secret


def read_secret(prompt: str) -> str:
    """A PIN or password from the terminal (not echoed), or one line of standard input in a script."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\r\n")


def to_jsonable(value: Any) -> Any:
    """Dataclasses, dates, enums and bytes as plain JSON values."""
    if is_dataclass(value) and not isinstance(value, type):
        return {k: to_jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return None
    return value


def print_json(value: Any) -> None:
    """One JSON document on standard output."""
    json.dump(to_jsonable(value), sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


def visit_record(visit: Visit) -> dict[str, Any]:
    """A visit as the flat JSON / CSV record the CLI prints."""
    return {
        "id": visit.id,
        "badge_code": visit.badge_code,
        "first_name": visit.visitor.first_name,
        "middle_name": visit.visitor.middle_name,
        "last_name": visit.visitor.last_name,
        "dob": visit.visitor.dob.isoformat() if visit.visitor.dob else None,
        "category": visit.category.value,
        "purpose": visit.purpose,
        "destination": visit.destination,
        "time_in": visit.time_in.astimezone().isoformat(timespec="seconds"),
        "time_out": visit.time_out.astimezone().isoformat(timespec="seconds") if visit.time_out else None,
        "station": visit.station,
        "staff": visit.staff,
        "note": visit.note,
    }


def visit_line(visit: Visit, day: date | None = None) -> str:
    """A visit on one human-readable line: local times, with their date when it is not ``day`` (default today:
    a visitor on site since three days ago read "13:00", as if in the building since this afternoon)."""
    day = day or clock.now().astimezone().date()

    def when(moment: datetime) -> str:
        local = moment.astimezone()
        return clock.local_hm(local) if local.date() == day else f"{local:%Y-%m-%d} {clock.local_hm(local)}"

    out = f" out {when(visit.time_out)}" if visit.time_out else ""
    dest = f" -> {visit.destination}" if visit.destination else ""
    return (
        f"{when(visit.time_in)}{out}  {format_badge_code(visit.badge_code)}  "
        f"{visit.visitor.full_name} ({visit.category.label}){dest}"
    )
