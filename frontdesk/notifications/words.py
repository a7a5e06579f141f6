"""What each email and text says: short enough for a text, in the office's plain words.

Every message says what happened, where, when, who decided and what to do. None carries a date of birth,
a list's reason or notes, the match evidence, or a child's name: a text can be read over a shoulder, and
the desk and the review hold the rest. Each function returns ``(subject, text)``.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

from frontdesk.wire.mail import desk_offline_words

# The hub's screens an email may link to (``notify.link_base`` + path). ``log``: one school's day on the
# hub (the district's web views of issue 15, ``/district/``, with the school and the date as its visit
# search's fields); ``board``: the dispatch console's live board, the hub's front page.
LOG = "log"
BOARD = "board"
_PATHS = {LOG: "/district/", BOARD: "/"}


def link(base: str, screen: str, school: str, day: date | None = None) -> str:
    """The address of a hub screen: only the school's name and a date go in it, never a person's data."""
    params = {k: v for k, v in (("school", school), ("date", day.isoformat() if day else "")) if v}
    query = f"?{urlencode(params)}" if params and screen == LOG else ""
    return f"{base.rstrip('/')}{_PATHS[screen]}{query}"


def with_link(text: str, url: str) -> str:
    """An email's text with its link on a line of its own at the end (texts never carry one)."""
    return f"{text}\n\nOpen on the district hub: {url}" if url else text


def _at(moment: datetime) -> str:
    return f"{moment.astimezone():%H:%M}"


def one_line(text: str) -> str:
    """A name or a place on one line (every message puts people's words through this). A line separator (U+2028,
    NEL) passes the fields' control-character checks, and a name holding two of them and "Open on the district
    hub: https://…" put a link line of the attacker's into the email, like the school's own (the message's shape
    is ours; people's words stay words)."""
    return " ".join(text.splitlines())


def match(
    kind: str, where: str, moment: datetime, listed_name: str, source: str, admitted: bool, staff: str
) -> tuple[str, str]:
    """A confirmed barred, registry or custody match (``kind``: ``barred``, ``registry``, ``custody``)."""
    where, listed_name, source, staff = one_line(where), one_line(listed_name), one_line(source), one_line(staff)
    if kind == "custody":
        head = f"Confirmed custody-order match at {where}, {_at(moment)}: {listed_name}, {source}."
        then = "Admitted; do not release the students named in the order (see the desk)."
        subject = f"Custody-order match at {where}"
    else:
        head = f"Confirmed {kind}-list match at {where}, {_at(moment)}: {listed_name}, {source}."
        then = "Admitted." if admitted else "Not admitted."
        subject = f"{kind.capitalize()}-list match at {where}"
    return subject, f"{head} {then} Desk: {staff}."


def watch(where: str, moment: datetime, listed_name: str, source: str, staff: str) -> tuple[str, str]:
    """A confirmed watch-list (or registry, when registry admits) visitor, admitted."""
    where, listed_name, source, staff = one_line(where), one_line(listed_name), one_line(source), one_line(staff)
    return (
        f"Watch-list visitor at {where}",
        f"Watch-list visitor on site at {where}, {_at(moment)}: {listed_name}, {source}. Admitted; an "
        f"administrator should check in with the desk. Desk: {staff}.",
    )


def release_refused(where: str, moment: datetime, adult: str, staff: str) -> tuple[str, str]:
    """A student release refused (no child's name: the desk has it)."""
    where, adult, staff = one_line(where), one_line(adult), one_line(staff)
    return (
        f"Student release refused at {where}",
        f"Student release refused at {where}, {_at(moment)}: {adult} was not allowed to take a student. "
        f"Desk: {staff}. See the desk before calling the family.",
    )


def panic(where: str, moment: datetime, action: str, mode: str, staff: str, status: str) -> tuple[str, str]:
    """A panic alert pressed at this school, with what happened to it."""
    where, staff = one_line(where), one_line(staff)
    drill = "" if mode == "Actual" else f" ({mode.upper()}, not real)"
    what = action.replace("_", " ").title()
    return (
        f"{what} alert at {where}{drill}",
        f"{what} alert pressed at {where}, {_at(moment)}{drill}. By: {staff or 'the desk'}. {status}",
    )


def _alert(where: str, moment: datetime, action: str, mode: str) -> tuple[str, str]:
    # "Lockdown alert at Lincoln Elementary (DRILL, not real)", and the press's own words for the body.
    where = one_line(where)
    drill = "" if mode == "Actual" else f" ({mode.upper()}, not real)"
    what = action.replace("_", " ").title()
    return f"{what} alert at {where}{drill}", f"The {what} alert pressed at {where}, {_at(moment)}{drill}"


def panic_not_delivered(
    where: str, moment: datetime, action: str, mode: str, waited: str, numbers: str
) -> tuple[str, str]:
    """An alert pressed here that district dispatch has still not received (``waited``: "1 minute")."""
    subject, said = _alert(where, moment, action, mode)
    if mode != "Actual":
        return (
            f"NOT DELIVERED to dispatch: {subject}",
            f"{said} has NOT reached district dispatch after {waited}. The desk keeps trying. A drill: no call "
            "needed; tell district IT the panic link is not getting through.",
        )
    return (
        f"NOT DELIVERED to dispatch: {subject}",
        f"{said} has NOT reached district dispatch after {waited}. The desk keeps trying. "
        f"Call {one_line(numbers)} now if no one has. Follow the school's plan.",
    )


def panic_rejected(where: str, moment: datetime, action: str, mode: str, numbers: str) -> tuple[str, str]:
    """An alert pressed here that district dispatch refused: it is not retried, and dispatch does not have it."""
    subject, said = _alert(where, moment, action, mode)
    then = (
        "A drill: no call needed; tell district IT."
        if mode != "Actual"
        else f"Call {one_line(numbers)} now if no one has. Follow the school's plan."
    )
    return (
        f"REFUSED by dispatch: {subject}",
        f"{said} was refused by district dispatch: dispatch does not have it. {then}",
    )


def panic_delivered_late(
    where: str, moment: datetime, action: str, mode: str, received: datetime
) -> tuple[str, str]:
    """An alert reported not delivered that dispatch has now received."""
    subject, said = _alert(where, moment, action, mode)
    return (
        f"Dispatch now has the {subject}",
        f"{said} reached district dispatch at {_at(received)}, late. The desk shows when a dispatcher "
        "acknowledges it.",
    )


def all_clear(where: str, moment: datetime, staff: str) -> tuple[str, str]:
    """The all clear for an alert pressed at this school."""
    where, staff = one_line(where), one_line(staff)
    return (
        f"All clear at {where}",
        f"All clear at {where}, {_at(moment)}. By: {staff or 'the desk'}.",
    )


def desk_offline(desk: str, since: datetime) -> tuple[str, str]:
    """A desk the district has not heard from for more than an hour (the hub says it the same way)."""
    return desk_offline_words(one_line(desk), since)


def checks_expiring(where: str, count: int, soonest: date) -> tuple[str, str]:
    """Volunteer background checks about to expire (a count: names are on the volunteers screen)."""
    checks = "check expires" if count == 1 else "checks expire"
    return (
        f"{count} volunteer {checks} soon",
        f"{count} volunteer background {checks} at {where}, the first on {soonest:%m/%d/%Y}. "
        "See the volunteers screen at the desk.",
    )


def test(where: str, moment: datetime) -> tuple[str, str]:
    """The test message ``frontdesk notify test`` sends."""
    return (
        f"FrontDesk test from {where}",
        f"Test message from FrontDesk at {where}, {_at(moment)}. You will be told here of the events you "
        "subscribe to. Nothing to do.",
    )


def grouped(text: str, repeats: int) -> str:
    """A message that stands for ``repeats`` more identical events (a flood is one message, counted)."""
    if repeats <= 0:
        return text
    times = "time" if repeats == 1 else "times"
    head, sep, rest = text.partition("\n\n")  # the count belongs to the message, before any link
    return f"{head} (Happened {repeats} more {times}.){sep}{rest}"
