"""The desk window's side of admission: it asks the core (``frontdesk.checkin``) and shows the answer.

The window owns one :class:`CheckInFlow`. Check in starts the core workflow; a cleared visitor is committed
at once; a possible match puts a :class:`MatchCard` under the form (no dialog) and holds the check-in until
the secretary decides for each flagged record; a warning (already on site, an expired ID card, a visitor
under 18) is shown in the message line and a second Check in accepts it. The flow never decides who is
admitted: every rule is the core's, so the window, the command line and the kiosk give the same answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QScrollArea, QWidget

from frontdesk.errors import ConflictError, FrontDeskError, StoreError
from frontdesk.text import format_badge_code

if TYPE_CHECKING:  # the workflow (and screening) is imported with the first check-in, not before the first paint
    from frontdesk.checkin.workflow import Admission, CheckInRequest, Cleared, Committed, NeedsDecision, Refused
    from frontdesk.context import Services
    from frontdesk.screening.decisions import ScreeningDecision
    from ui.desk.main_window import MainWindow
    from ui.desk.screening_card import MatchCard


def who_was_told(told: tuple[str, ...], audience: str, dispatched: bool = False) -> str:
    """The desk's sentence on who now knows of a confirmed match (named accounts, or every desk)."""
    said = (
        f"Told on screen: {', '.join(told)}."
        if told
        else f"A notice for {audience} is on every desk's screen (no {audience.split()[-1]} account yet)."
    )
    return said + (" District dispatch has been asked to assist." if dispatched else "")


def person_key(visitor) -> tuple:
    """Who a request is about: an accepted warning carries over to the next Check in for the same person."""
    return (visitor.id, visitor.first_name.casefold(), visitor.last_name.casefold(), visitor.dob)


class CheckInFlow(QObject):
    """Runs one check-in at a time through the core workflow and shows each step in the window."""

    screened = Signal(object)  # ScreenResult
    card_shown = Signal(object)  # MatchCard
    check_in_stopped = Signal(object)  # ScreeningDecision: a confirmed match that is not admitted
    committed = Signal(object)  # Committed

    def __init__(self, window: MainWindow, services: Services):
        super().__init__(window)
        self._window = window
        self._services = services
        self.card: MatchCard | None = None
        self._admission: Admission | None = None
        self._hidden: list[QWidget] = []
        # Warnings shown about a person: the next Check in for the same person accepts them.
        self._warned: tuple[tuple, frozenset[str]] | None = None

    @property
    def holding(self) -> bool:
        """True while a check-in waits for a decision on the card."""
        return self._admission is not None

    # --- the flow ----------------------------------------------------------------------------------
    def start(self, request: CheckInRequest) -> None:
        """Ask the core about this request and show what it says."""
        from frontdesk.checkin.workflow import Refused

        if self.card is not None:
            self._window.message.show_message("Finish comparing the record below first.", "info")
            return
        if self._warned is not None and self._warned[0] == person_key(request.visitor):
            # Check in pressed again after the warnings about this person: the secretary admits anyway.
            request = request.acknowledging(*self._warned[1])
        self._release()
        try:
            outcome = self._services.checkin.start(request)
        except StoreError as exc:  # the database (busy, full, damaged): an error, as the desk shows it everywhere
            self._window.message.show_message(exc.message, "error")
            return
        except FrontDeskError as exc:
            self._window.message.show_message(exc.message, "warning")
            return
        if not isinstance(outcome, Refused):
            self.screened.emit(outcome.admission.result)
        self._show(outcome)

    def load_request(self, request: CheckInRequest, note: str = "", *, start: bool = True) -> None:
        """Put a check-in made at another door (the kiosk's hand-off) into the form and start it here, so the
        desk sees what the core says (a match card, a warning) with the visitor's details already filled.
        ``start=False``: only fill the form and say ``note`` (the person's ID is to be looked at first)."""
        self.cancel()
        self._window.form.fill(request.visitor)
        self._window.form.set_visit_details(request.category, request.purpose, request.destination)
        if note:
            self._window.message.show_message(note, "info" if start else "warning")
        if not start:
            return
        try:
            request = self._window.form.request()
        except ValueError as exc:
            self._window.message.show_message(str(exc), "warning")
            return
        self.start(request)

    def warned(self, visitor, codes: frozenset[str]) -> None:
        """The window has shown these warnings about ``visitor`` (already on site, when picking them)."""
        self._warned = (person_key(visitor), codes)

    def _show(self, outcome: Cleared | NeedsDecision | Refused) -> None:
        from frontdesk.checkin.workflow import Cleared, Refused

        if isinstance(outcome, Cleared):
            self._release()
            self._commit(outcome)
        elif isinstance(outcome, Refused):
            self._refused(outcome)
        elif outcome.candidates:
            if outcome.needs_dob and not self.holding:
                # Without a date of birth every namesake on the lists looks alike: ask for it first.
                visitor = outcome.admission.request.visitor
                self._window.message.show_message(
                    f"Please add {visitor.first_name}'s date of birth (from their ID) before checking in: a "
                    "similar name is on file and the date tells people apart.",
                    "info",
                )
                self._window.form.dob.setFocus()
                return
            self._hold(outcome)
        else:
            self._release()
            request = outcome.admission.request
            self._warned = (person_key(request.visitor), request.acknowledged | {w.code for w in outcome.warnings})
            self._window.message.show_message(
                " ".join(w.message for w in outcome.warnings) + " Press Check in again to admit them anyway.",
                "warning",
            )

    def _refused(self, outcome: Refused) -> None:
        self._release()
        if outcome.decision is None:  # the school is in SECURE or LOCKDOWN
            self._window.message.show_message(outcome.message, "error")
            return
        self._window.form.clear()
        decision: ScreeningDecision = outcome.decision
        self._window.message.show_message(
            f"{outcome.message} Follow the school's procedure for this list. "
            f"{who_was_told(decision.told, 'the principal', decision.dispatched)}",
            "error",
        )
        self.check_in_stopped.emit(decision)
        self._window.focus_scan_entry()

    def _commit(self, cleared: Cleared) -> None:
        try:
            committed = self._services.checkin.commit(cleared)
        except ConflictError as exc:
            if exc.code == "already_on_site":  # checked in at another desk meanwhile: the next press warns
                self._window.message.show_message(exc.message, "warning")
            else:
                self._window.message.show_message(exc.message, "error")
            return
        except FrontDeskError as exc:
            self._window.message.show_message(exc.message, "error")
            return
        self._warned = None
        self._say_committed(committed, cleared.admission.result.notes)
        self._window.on_visit_committed(committed.visit)
        self.committed.emit(committed)

    def _say_committed(self, committed: Committed, notes: tuple = ()) -> None:
        """The line after a check-in; with the list entries shown as notes (the desk was not stopped for
        them: an entry without a date of birth whose name alone says too little), named for the secretary."""
        visit = committed.visit
        name = f"{visit.visitor.first_name} {visit.visitor.last_name}"
        if committed.students_not_to_release:
            self._window.message.show_message(
                f"{name} is checked in. Do NOT release {', '.join(committed.students_not_to_release)} to them "
                f"(custody order). {who_was_told(committed.told, 'the principal')}",
                "warning",
            )
        elif any(d.outcome.value == "confirmed" for d in committed.decisions):
            self._window.message.show_message(
                f"{name} is checked in. {who_was_told(committed.told, 'an administrator')}", "warning"
            )
        else:
            old = self._old_lists()  # screened clear against an old district copy: say so with the result
            shown = "; ".join(f"{c.entry.full_name} ({c.entry.kind.label}, {c.entry.source})" for c in notes)
            if shown:
                shown = (
                    f" Not stopped for {shown}: listed without a date of birth, and the name alone or the ID "
                    "says it is someone else (kept with the visit's screening)."
                )
            self._window.message.show_message(
                f"Checked in {visit.visitor.full_name} at {visit.time_in.astimezone():%H:%M}. "
                f"Badge code {format_badge_code(visit.badge_code)}. Ready for the next visitor."
                + (f" {old}." if old else "")
                + shown,
                "warning" if old or shown else "success",
            )

    def _old_lists(self) -> str:
        """The district copy's age in words when it is older than the setting (or the hub offered an older
        copy, kept), else ""."""
        state = self._services.district_lists.state()
        return state.words if state.warning else ""

    # --- the card ----------------------------------------------------------------------------------
    def _hold(self, outcome: NeedsDecision) -> None:
        self._admission = outcome.admission
        candidate = outcome.candidates[0]
        result = outcome.admission.result
        total = len(result.flagged)
        first_card = self.card is None and not self._hidden
        self._remove_card()
        from ui.desk.screening_card import MatchCard  # with the name statistics: when a card is first shown

        self.card = MatchCard(
            result.query,
            candidate,
            visitor_photo=outcome.admission.request.visitor.photo,
            entry_photo=self._services.lists.photo(candidate.entry.id) if candidate.entry.has_photo else None,
            position=(total - len(outcome.candidates) + 1, total),
            lists_age=self._old_lists(),
        )
        self.card.dismissed.connect(self.on_card_dismissed)
        self.card.confirmed.connect(self.on_card_confirmed)
        if first_card:
            self._window.check_in_button.setEnabled(False)
            self._window.message.show_message(
                "One moment: please compare the record below with the visitor before continuing.", "info"
            )
            # Room for the card: the form's fields are on the card already, and the other panels under the
            # form (ID scanning, camera) wait meanwhile.
            self._hidden = self._window.step_aside_for_card()
        self._window.form_actions.addWidget(self.card)
        self.card.reason.setFocus()
        # Keep the decision buttons in view while the card's wrapped text settles its height.
        scroll = self._card_scroll()
        if scroll is not None:
            scroll.verticalScrollBar().rangeChanged.connect(self.on_card_laid_out)
        QTimer.singleShot(50, self.on_card_laid_out)
        self.card_shown.emit(self.card)

    def _card_scroll(self) -> QScrollArea | None:
        parent = self.card.parentWidget() if self.card is not None else None
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        return parent

    @Slot()
    def on_card_laid_out(self, *_range) -> None:
        """Scroll the card into view, its heading too when the whole card fits (the form's column may scroll);
        else its decision buttons, with as much of the comparison above them as fits."""
        scroll = self._card_scroll()
        if scroll is None or self.card is None:
            return
        if self.card.height() + 16 <= scroll.viewport().height():
            scroll.ensureWidgetVisible(self.card, 0, 8)
        else:
            scroll.ensureWidgetVisible(self.card.same_person, 0, 12)

    def _remove_card(self) -> None:
        if self.card is not None:
            scroll = self._card_scroll()
            if scroll is not None:
                scroll.verticalScrollBar().rangeChanged.disconnect(self.on_card_laid_out)
            self._window.form_actions.removeWidget(self.card)
            self.card.hide()
            self.card.deleteLater()
            self.card = None

    def _release(self) -> None:
        if not self.holding:
            return
        self._remove_card()
        self._admission = None
        self._window.check_in_button.setEnabled(not self._window.check_in_frozen)
        self._window.step_back_after_card(self._hidden)
        self._hidden = []

    @Slot()
    def cancel(self, why: str = "cleared at the desk") -> bool:
        """Drop a held check-in (Esc, the desk locking): nobody is admitted and the core audits it as
        abandoned. True if one was held.
        """
        admission = self._admission
        self._release()
        self._warned = None
        if admission is None:
            return False
        try:
            self._services.checkin.abandon(admission, why)
        except FrontDeskError as exc:
            self._window.message.show_message(exc.message, "warning")
        return True

    @Slot()
    def on_desk_locked(self) -> None:
        """The desk locked: a check-in held on a match card does not outlive it."""
        self.cancel("the desk locked")

    @Slot(object, str)
    def on_card_dismissed(self, candidate, reason: str) -> None:
        """Not this person: the core records it with the visit; the next record, or the check-in goes on."""
        self._decide(candidate, same_person=False, reason=reason)

    @Slot(object, str)
    def on_card_confirmed(self, candidate, reason: str) -> None:
        """Same person: the core follows the list's kind."""
        self._decide(candidate, same_person=True, reason=reason)

    def _decide(self, candidate, *, same_person: bool, reason: str) -> None:
        if self._admission is None:
            return
        try:
            outcome = self._services.checkin.decide(
                self._admission, candidate.entry.id, same_person=same_person, reason=reason
            )
        except FrontDeskError as exc:
            self._window.message.show_message(exc.message, "warning")
            if self.card is not None:
                self.card.reason.setFocus()
            return
        self._show(outcome)
