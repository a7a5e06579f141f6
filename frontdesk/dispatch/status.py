"""The words the station shows for a message's delivery: exact, and never ahead of the facts.

queued → received by dispatch (at …) → acknowledged by <dispatcher>. A message not received within
``not_delivered_after`` seconds of the press turns into the red "NOT DELIVERED — CALL 911 NOW (still
retrying)" with the school's numbers, and once it does arrive it says "Delivered late at hh:mm:ss".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from frontdesk.dispatch.outbox import OutboxEntry

NOT_DELIVERED = "NOT DELIVERED — CALL 911 NOW (still retrying)"
LINK_DOWN = "Panic link to dispatch is DOWN — use the phone: {numbers}"
INSECURE_LINK = (
    "Panic link to dispatch is NOT ENCRYPTED (connected with --insecure): the roster travels in clear and "
    "a fake console could answer. Ask IT to connect it over https://"
)


@dataclass(frozen=True)
class DeliveryStatus:
    """What to show for one message: a level (for colour), the words, and whether to call 911."""

    level: str  # sending | not_delivered | received | late | acknowledged | rejected | expired
    text: str
    call_911: bool = False


def _hms(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M:%S")


def _late(entry: OutboxEntry, not_delivered_after: float) -> bool:
    if entry.confirmed_at is None:
        return False
    return (entry.confirmed_at - entry.pressed_at).total_seconds() > not_delivered_after


NOT_SENT = "NOT SENT — no panic link to dispatch is set up — CALL 911 NOW"


def _call(numbers: str) -> str:
    # "CALL 911 NOW: 911" says nothing twice: the numbers follow only when there is more than 911.
    return "" if numbers.strip() in ("", "911") else f": {numbers}"


def describe(
    entry: OutboxEntry, now: datetime, numbers: str, not_delivered_after: float = 5.0, *, linked: bool = True
) -> DeliveryStatus:
    """The status of ``entry`` at ``now``; ``numbers`` are the school's emergency numbers; ``linked`` says
    whether this desk has a panic link at all (without one nothing is sent or retried, so it says NOT SENT from
    the press on).
    """
    prefix = {"Exercise": "DRILL — ", "Test": "TEST — "}.get(entry.cap_status, "")
    if entry.state == "acknowledged":
        late = f" (delivered late at {_hms(entry.confirmed_at)})" if _late(entry, not_delivered_after) else ""
        when = f" at {_hms(entry.acked_at)}" if entry.acked_at else ""
        return DeliveryStatus("acknowledged", f"{prefix}Acknowledged by {entry.acked_by}{when}{late}")
    if entry.state == "received":
        assert entry.confirmed_at is not None
        if _late(entry, not_delivered_after):
            return DeliveryStatus("late", f"{prefix}Delivered late at {_hms(entry.confirmed_at)}")
        return DeliveryStatus("received", f"{prefix}Received by dispatch at {_hms(entry.confirmed_at)}")
    if entry.state == "rejected":
        return DeliveryStatus(
            "rejected",
            f"{prefix}REJECTED by dispatch ({entry.rejected_reason}) — NOT DELIVERED — "
            f"CALL 911 NOW{_call(numbers)}",
            call_911=entry.cap_status == "Actual",
        )
    if entry.state == "expired":
        return DeliveryStatus(
            "expired", f"{prefix}Not delivered; gave up (drills and tests are not retried forever)"
        )
    waited = (now - entry.pressed_at).total_seconds()
    # Without a link nothing is being sent: "Queued — sending…" for the grace a real delivery gets would hold
    # back the call to 911 for nothing. Said at once.
    if not linked:
        waited = not_delivered_after
    # Pressed "in the future": the clock stepped back since (or the pressing process's clock was ahead). How long
    # the message has waited cannot be known, so it is not shown young: "sending" would hide the call to 911
    # for as long as the step (an hour's correction, an hour). The cost: after such a step, a message pressed
    # under 5 s before it turns red early.
    if waited >= not_delivered_after or waited < 0:
        if entry.cap_status != "Actual":  # a drill or test that fails must not send anyone to the phone
            if not linked:
                return DeliveryStatus("not_delivered", f"{prefix}NOT SENT — no panic link to dispatch is set up")
            return DeliveryStatus("not_delivered", f"{prefix}NOT DELIVERED to dispatch (still retrying)")
        if not linked:
            return DeliveryStatus("not_delivered", f"{NOT_SENT}{_call(numbers)}", call_911=True)
        return DeliveryStatus("not_delivered", f"{NOT_DELIVERED}{_call(numbers)}", call_911=True)
    return DeliveryStatus("sending", f"{prefix}Queued — sending to dispatch…")
