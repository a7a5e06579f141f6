"""What ``create_app`` hands each hub module's ``routes(app_ctx)``: the console's service and its helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AppContext:
    """The console app's pieces a hub module's routes reuse (station and dispatcher authentication, JSON)."""

    service: Any  # district.console.service.ConsoleService
    station_of: Callable[..., Any]  # async (request) -> (Station, None): 401/403 otherwise
    dispatcher_of: Callable[..., Any]  # async (request) -> Dispatcher (signed-in web users)
    endpoint: Callable[..., Any]  # wraps a handler: district errors become their HTTP answers
    parse_json: Callable[..., Any]  # (request, raw bytes) -> dict, 400 otherwise
