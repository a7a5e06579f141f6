"""What the students feature prints: the words of a late pass, a release slip and a request card, rendered
by :mod:`printers.slips` on the badge printer's media (and printed by :meth:`BadgeService.print_slip`)."""

from __future__ import annotations

from frontdesk.errors import InputError
from frontdesk.students.models import Movement, MovementKind
from frontdesk.students.reunify import Reunification, ReunifyRequest
from frontdesk.students.service import ordinal
from printers.badge import Badge
from printers.media import Media
from printers.slips import (
    LatePassData,
    ReleaseSlipData,
    RequestCardData,
    render_late_pass,
    render_release_slip,
    render_request_card,
)


def late_pass(movement: Movement, school: str, media: Media) -> Badge:
    """The late pass of a late arrival."""
    if movement.kind is not MovementKind.ARRIVE:
        raise ValueError("a late pass is for a late arrival")
    count = f"{ordinal(movement.late_count)} late arrival this term" if movement.late_count else "Late arrival"
    data = LatePassData(
        school=school,
        student=movement.student.full_name,
        grade=movement.student.grade,
        time=movement.time,
        reason=movement.reason,
        excused=movement.excused,
        destination=movement.destination,
        count_text=count,
        over_threshold=movement.over_threshold,
        code=movement.code,
        staff=movement.staff,
    )
    return render_late_pass(data, media)


def release_slip(movement: Movement, school: str, media: Media) -> Badge:
    """The release slip of an early dismissal."""
    if movement.kind is not MovementKind.RELEASE:
        raise ValueError("a release slip is for a release")
    data = ReleaseSlipData(
        school=school,
        student=movement.student.full_name,
        grade=movement.student.grade,
        time=movement.time,
        adult=movement.adult,
        authorised_as=movement.authorised_as,
        reason=movement.reason,
        staff=movement.staff,
        code=movement.code,
        approved_by=movement.approved_by,
    )
    return render_release_slip(data, media)


def request_card(request: ReunifyRequest, run: Reunification, school: str, media: Media) -> Badge:
    """The card a runner takes to fetch a student during reunification."""
    data = RequestCardData(
        school=school,
        student=request.student.full_name,
        homeroom=request.student.homeroom,
        adult=request.adult,
        time=request.requested_at,
        card=request.card,
        drill=run.drill,
    )
    return render_request_card(data, media)


def slip_of(movement: Movement, school: str, media: Media) -> tuple[Badge, str]:
    """The slip a movement prints and what it is called: a late pass, or a release slip (the desk's window and
    the command line print the same one)."""
    if movement.kind is MovementKind.ARRIVE:
        return late_pass(movement, school, media), "Late pass"
    if movement.kind is MovementKind.RELEASE:
        return release_slip(movement, school, media), "Release slip"
    raise InputError(f"A {movement.kind.value} has no slip to print (late arrivals and releases have one)")
