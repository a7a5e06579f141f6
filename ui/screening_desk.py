"""Screening at the desk: every check-in is screened before the visit (and so the badge) exists.

``install_screening(window, services)`` takes the window's ``continue_check_in`` seam: clear visitors go
straight on; a possible match puts a :class:`MatchCard` under the form (no dialog) and holds the check-in
until the secretary decides for each flagged record. "Not this person" (with a reason) moves on; "Same
person" follows the list's kind: barred -> not admitted; watch -> admitted, an administrator told;
custody -> admitted with the students not to release on the visit and in the message. Every decision is
stored and linked to the visit when one is made.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QScrollArea,
    QSplitter,
    QWidget,
)

from frontdesk.context import Services
from frontdesk.models import Visit
from frontdesk.screening.dates import UNKNOWN, Dob
from frontdesk.screening.decisions import Consequence, ScreeningDecision
from frontdesk.screening.models import Candidate, Decision, Query, ScreenResult
from frontdesk.settings import STAFF_NAME
from ui.main_window import MainWindow
from ui.notification_bar import NotificationBar
from ui.screening_card import MatchCard
from ui.visitor_form import CheckInRequest


def query_of(request: CheckInRequest) -> Query:
    """The screening query for what the form holds."""
    v = request.visitor
    dob = Dob(v.dob, v.dob.year) if v.dob else UNKNOWN
    return Query(v.first_name, v.last_name, v.middle_name or "", dob)


def who_was_told(decision: ScreeningDecision, audience: str = "the principal") -> str:
    """The desk's sentence on who now knows of a confirmed match (named accounts, or every desk)."""
    told = (
        f"Told on screen: {', '.join(decision.told)}."
        if decision.told
        else f"A notice for {audience} is on every desk's screen (no {audience.split()[-1]} account yet)."
    )
    return told + (" District dispatch has been asked to assist." if decision.dispatched else "")


class DeskScreening(QObject):
    """Sits between the window's check-in request and its commit."""

    screened = Signal(object)  # ScreenResult
    card_shown = Signal(object)  # MatchCard
    check_in_stopped = Signal(object)  # ScreeningDecision: a confirmed match that is not admitted

    def __init__(self, window: MainWindow, services: Services, notifications: NotificationBar | None = None):
        super().__init__(window)
        self.window = window
        self.services = services
        self.notifications = notifications
        self.card: MatchCard | None = None
        self._request: CheckInRequest | None = None
        self._result: ScreenResult | None = None
        self._queue: list[Candidate] = []
        self._decision_ids: list[int] = []
        self._after_commit: str | None = None
        self._saved_sizes: list[int] | None = None
        self._hidden: list[QWidget] = []
        window.continue_check_in = self.screen_request  # type: ignore[method-assign]
        window.visit_checked_in.connect(self.on_visit_checked_in)

    @property
    def staff(self) -> str:
        """Who is deciding: the desk's staff member."""
        return self.services.visits.staff or self.services.settings.get(STAFF_NAME) or "Front desk"

    @property
    def holding(self) -> bool:
        """True while a check-in waits for a decision on the card."""
        return self._request is not None

    # --- the flow ----------------------------------------------------------------------------------
    def screen_request(self, request: CheckInRequest) -> None:
        """Screen the visitor; go on at once when clear, else show the first card."""
        if self.holding:
            self.window.message.show_message("Finish comparing the record below first.", "info")
            return
        query = query_of(request)
        result = self.services.screener.screen(query)
        self.screened.emit(result)
        if result.decision is Decision.CLEAR:
            self._decision_ids = [self.services.decisions.record_clear(result, self.staff).id]
            self.window.commit_check_in(request)
            return
        if not query.dob.known:
            # Without a date of birth every namesake on the lists looks alike: ask for it first.
            self.window.message.show_message(
                f"Please add {request.visitor.first_name}'s date of birth (from their ID) before checking in: "
                "a similar name is on file and the date tells people apart.",
                "info",
            )
            self.window.form.dob.setFocus()
            return
        self._request, self._result = request, result
        self._queue = list(result.candidates)
        self._decision_ids = []
        self.window.check_in_button.setEnabled(False)
        self.window.message.show_message(
            "One moment: please compare the record below with the visitor before continuing.", "info"
        )
        self._show_next()

    def _show_next(self) -> None:
        self._remove_card()
        assert self._result is not None and self._request is not None
        candidate = self._queue[0]
        total = len(self._result.candidates)
        self.card = MatchCard(
            self._result.query,
            candidate,
            visitor_photo=self._request.visitor.photo,
            entry_photo=self.services.lists.photo(candidate.entry.id) if candidate.entry.has_photo else None,
            position=(total - len(self._queue) + 1, total),
        )
        self.card.dismissed.connect(self.on_card_dismissed)
        self.card.confirmed.connect(self.on_card_confirmed)
        if self._saved_sizes is None:
            # Room for the card: the form's fields are on the card already, and the other panels under the
            # form (ID scanning, camera) wait, so they all step aside meanwhile.
            self.window.form.hide()
            layout = self.window.form_actions
            widgets = [layout.itemAt(i).widget() for i in range(layout.count())]
            self._hidden = [w for w in widgets if w is not None and w.isVisible()]
            for widget in self._hidden:
                widget.hide()
            splitter = self.window.findChild(QSplitter)
            if splitter is not None:
                self._saved_sizes = splitter.sizes()
                total = sum(self._saved_sizes)
                splitter.setSizes([int(total * 0.6), total - int(total * 0.6)])
            else:
                self._saved_sizes = []
        self.window.form_actions.addWidget(self.card)
        self.card.reason.setFocus()
        QTimer.singleShot(50, self.on_card_laid_out)
        self.card_shown.emit(self.card)

    @Slot()
    def on_card_laid_out(self) -> None:
        """Scroll the card's decision buttons into view (the form's column may scroll)."""
        if self.card is None:
            return
        parent = self.card.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if parent is not None:
            parent.ensureWidgetVisible(self.card.same_person, 0, 40)

    def _remove_card(self) -> None:
        if self.card is not None:
            self.window.form_actions.removeWidget(self.card)
            self.card.hide()
            self.card.deleteLater()
            self.card = None

    def _release(self) -> CheckInRequest:
        request = self._request
        assert request is not None
        self._remove_card()
        self._request, self._result, self._queue = None, None, []
        self.window.check_in_button.setEnabled(True)
        self.window.form.show()
        for widget in self._hidden:
            widget.show()
        self._hidden = []
        splitter = self.window.findChild(QSplitter)
        if self._saved_sizes and splitter is not None:
            splitter.setSizes(self._saved_sizes)
        self._saved_sizes = None
        return request

    @Slot(object, str)
    def on_card_dismissed(self, candidate: Candidate, reason: str) -> None:
        """Not this person: log it, then the next record, or the check-in goes on."""
        assert self._result is not None
        decision = self.services.decisions.dismiss(self._result.query, candidate, self.staff, reason)
        self._decision_ids.append(decision.id)
        self._queue.pop(0)
        if self._queue:
            self._show_next()
            return
        self.window.commit_check_in(self._release())

    @Slot(object, str)
    def on_card_confirmed(self, candidate: Candidate, reason: str) -> None:
        """Same person: log it and do what the list's kind requires."""
        assert self._result is not None
        decision = self.services.decisions.confirm(self._result.query, candidate, self.staff, reason)
        self._decision_ids.append(decision.id)
        request = self._release()
        if self.notifications is not None:
            self.notifications.refresh()
        name = f"{request.visitor.first_name} {request.visitor.last_name}"
        if decision.consequence is Consequence.DENY:
            self.window.form.clear()
            self.window.message.show_message(
                f"Do not admit {name}: follow the school's procedure for this list. No visit was recorded and "
                f"no badge printed. {who_was_told(decision)}",
                "error",
            )
            self.check_in_stopped.emit(decision)
            self.window.focus_scan_entry()
            return
        if decision.consequence is Consequence.NO_RELEASE:
            students = ", ".join(decision.students) or "the students named in the order"
            note = f"Custody order: do not release {students}"
            request = dataclasses.replace(request, note=f"{request.note} / {note}" if request.note else note)
            self._after_commit = (
                f"{name} is checked in. Do NOT release {students} to them (custody order). "
                f"{who_was_told(decision)}"
            )
        elif decision.consequence is Consequence.ADMIT_AND_NOTIFY:
            self._after_commit = f"{name} is checked in. {who_was_told(decision, 'an administrator')}"
        self.window.commit_check_in(request)

    @Slot(object)
    def on_visit_checked_in(self, visit: Visit) -> None:
        """Link the decisions behind this check-in to its visit; say what follows, if anything."""
        if self._decision_ids:
            self.services.decisions.link_visit(self._decision_ids, visit.id)
            self._decision_ids = []
        if self._after_commit:
            self.window.message.show_message(self._after_commit, "warning")
            self._after_commit = None


def install_screening(window: MainWindow, services: Services) -> DeskScreening:
    """Wire screening into the desk window: the check-in seam, notifications, the list manager."""
    bar = NotificationBar(services)  # the signed-in person's notifications (ui/notification_bar.py)
    window.add_banner(bar)
    screening = DeskScreening(window, services, bar)
    window.screening = screening  # type: ignore[attr-defined]

    def open_lists() -> None:
        from ui.screening_lists import ListManager

        manager = getattr(window, "list_manager", None)
        if manager is None:
            manager = window.list_manager = ListManager(services, window)  # type: ignore[attr-defined]
        manager.show()
        manager.raise_()
        manager.refresh()

    window.tools_menu.addAction("&Barred and custody lists", QKeySequence("Ctrl+B"), open_lists)
    return screening
