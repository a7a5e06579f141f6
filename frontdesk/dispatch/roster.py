"""The on-site roster printed in one action during SECURE or LOCKDOWN (who to account for)."""

from __future__ import annotations

import html
from datetime import datetime

from frontdesk.dispatch.outbox import SchoolState
from frontdesk.models import Visit


def roster_html(school: str, state: SchoolState, visits: list[Visit], now: datetime) -> str:
    """A printable page: the school, the state, the time, and everyone checked in now."""
    rows = "".join(
        "<tr>"
        f"<td>{html.escape(v.visitor.full_name)}</td>"
        f"<td>{html.escape(v.category.label)}</td>"
        f"<td>{html.escape(v.destination)}</td>"
        f"<td>{v.time_in.astimezone():%H:%M}</td>"
        f"<td>{html.escape(v.badge_code)}</td>"
        "</tr>"
        for v in visits
    )
    drill = " (DRILL)" if state.exercise else ""
    return (
        f"<h1>{html.escape(state.state)}{drill} — on-site roster</h1>"
        f"<p><b>{html.escape(school)}</b> · printed {now.astimezone():%Y-%m-%d %H:%M:%S} · "
        f"{len(visits)} visitor(s) checked in</p>"
        "<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
        "<tr><th>Name</th><th>Category</th><th>Visiting</th><th>In</th><th>Badge</th></tr>"
        f"{rows}</table>"
    )
