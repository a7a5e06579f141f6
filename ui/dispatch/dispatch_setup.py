"""Wires the panic alert station into the front-desk window (composition root helper for ``ui.app``).

``install_dispatch`` builds the one dispatch worker, the panic control (in the window's ``panic_area``),
the incident status and the banners (with the window's banners), the hot-key, the check-in freeze and the
status-bar health. It starts no thread: :meth:`DispatchDesk.start` does, called by ``ui.app.run`` once
the desk window exists (tests that only build the window never leave a thread behind). In demo mode,
``start`` first runs a local console in-process so the button works end to end on one machine.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Slot

from frontdesk.context import Services
from frontdesk.dispatch.link import LinkHealth
from frontdesk.dispatch.outbox import SchoolState
from frontdesk.settings import PANIC_HOLD_MS, PANIC_HOTKEY, PANIC_HOTKEY_HOLD
from ui.dispatch.dispatch_worker import DispatchWorker
from ui.dispatch.panic import DispatchBanners, PanicPanel

# Link states as the status bar's health states.
HEALTH = {
    "up": ("ok", "connected"),
    "unknown": ("warning", "connecting…"),
    "down": ("error", "DOWN — use the phone"),
    "not_connected": ("unconfigured", "not configured"),
}


class DispatchDesk(QObject):
    """The station's widgets and worker inside one window, and the slots that tie them to it."""

    def __init__(self, window, services: Services, *, demo: bool = False, role: Callable[[], str] | None = None):
        super().__init__(window)
        self._window = window
        self._services = services
        self._demo = demo
        self._demo_console = None
        station = services.station
        # Until staff roles exist (another issue), nobody at the desk is a principal, except in demo mode:
        # the all clear is then sent with `frontdesk panic all-clear --role principal`. The seam is `role`.
        self.role = role or ((lambda: "principal") if demo else (lambda: ""))
        self.worker = DispatchWorker(station, parent=self)
        self.panel = PanicPanel(
            station, self.worker, hold_ms=services.settings.get(PANIC_HOLD_MS), role=lambda: self.role()
        )
        self.banners = DispatchBanners(station, self.worker)
        window.panic_area.addWidget(self.panel)
        window.add_banner(self.banners)
        window.add_banner(self.panel.status_box)
        self.panel.install_hotkey(
            window, services.settings.get(PANIC_HOTKEY), hold=services.settings.get(PANIC_HOTKEY_HOLD)
        )
        self.worker.school_state_changed.connect(self.on_school_state_changed)
        self.worker.health_changed.connect(self.on_health_changed)
        self._last_state = station.school_state()
        self.on_school_state_changed(self._last_state)
        # A state set by another process on this desk's data (``frontdesk panic secure`` at the command line)
        # is noticed by looking, every two seconds; presses here and district pushes are told at once.
        self._state_timer = QTimer(self)
        self._state_timer.setInterval(2000)
        self._state_timer.timeout.connect(self.on_state_timer)
        self._state_timer.start()
        if station.endpoint() is None:  # never connected: say so before the link first tries
            window.set_health("dispatch", *HEALTH["not_connected"])
        else:
            self.on_health_changed(self.worker.link.health)

    def start(self) -> None:
        """Start the link (and, in demo mode, the local console first)."""
        if self._demo and self._demo_console is None:
            from frontdesk.demo.dispatch import connect_demo_console

            console = connect_demo_console(self._services, self._services.store.data_dir / "dispatch-console")
            self._demo_console = console
            if console is None:
                self._window.message.show_message(
                    "Demo: no dispatch console is installed on this PC, so panic alerts stay queued here.", "info"
                )
            else:
                self._window.message.show_message(
                    f"Demo dispatch console at {console.url} (sign in as {console.dispatcher!r}, password "
                    f"{console.password!r}, to acknowledge alerts; the demo principal's all-clear code is "
                    f"{console.all_clear_code}).",
                    "info",
                )
        self.worker.start()

    @Slot()
    def stop(self) -> None:
        """Stop the link (and the demo console)."""
        self.worker.stop()
        if self._demo_console is not None:
            self._demo_console.stop()
            self._demo_console = None

    @Slot()
    def on_state_timer(self) -> None:
        self._services.station.catch_up(0.05)  # a press's audit record the main file was too busy to take
        self._services.station.tell_delivery(0.05)  # an alert dispatch has not got: its subscribers are told
        state = self._services.station.school_state()
        if (state.state, state.exercise, state.source) != (
            self._last_state.state,
            self._last_state.exercise,
            self._last_state.source,
        ):
            self.worker.school_state_changed.emit(state)  # every listener hears it, as for a district push

    @Slot(object)
    def on_school_state_changed(self, state: SchoolState) -> None:
        self._last_state = state
        self._window.set_check_in_frozen(
            f"{state.banner}. Check-in is frozen." if state.admissions_frozen else None
        )

    @Slot(object)
    def on_health_changed(self, health: LinkHealth) -> None:
        state, text = HEALTH.get(health.state, ("warning", health.state))
        if health.insecure and health.state == "up":
            state, text = "warning", "connected, NOT ENCRYPTED (--insecure)"
        self._window.set_health("dispatch", state, text)


def install_dispatch(
    window, services: Services, *, demo: bool = False, role: Callable[[], str] | None = None
) -> DispatchDesk:
    """Put the panic control, its status and banners into ``window``; call ``start()`` to go live."""
    return DispatchDesk(window, services, demo=demo, role=role)


class DispatchStarter(QObject):
    """Starts the desk window's dispatch link once that window exists (after first-run set-up if needed),
    and stops it when the application quits."""

    def __init__(self, shell, app):
        super().__init__(shell)
        self._shell = shell
        self._started: DispatchDesk | None = None
        shell.currentChanged.connect(self.on_current_changed)
        app.aboutToQuit.connect(self.on_quit)
        self.on_current_changed()

    @Slot()
    def on_current_changed(self, _index: int = 0) -> None:
        desk = self._shell.desk.dispatch if self._shell.desk is not None else None
        if desk is not None and self._started is None:
            self._started = desk
            desk.start()

    @Slot()
    def on_quit(self) -> None:
        if self._started is not None:
            self._started.stop()
