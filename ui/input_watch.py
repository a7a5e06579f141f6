"""The desk's one event filter for a person's input: the keyboard-wedge detector, the inactivity lock and the
held panic hot-key listen through it.

An event filter on the QApplication sees every event of every object, and PySide6 must find a Python type
for each object that reaches Python: the first time one of Qt's private objects does (a gesture manager, an
animation timer, a file watcher) it loads every class of QtCore, QtGui and QtWidgets with their ~130 enums
(about a tenth of the desk's start-up, landing on its first idle moment). So this filter sits where a
person's input arrives instead: on the window that has the keyboard focus (the platform delivers keys, mouse
and touch to the ``QWindow`` first) and on the focused widget (where ``QTest`` and re-sent keys go), moved as
the focus moves; and on any widget a listener pins (the panic hot-key's window). Input to a window that has
not got the focus (a mouse moved over a second window in the background) is not seen.

Filters are QObjects with Qt's ``eventFilter(watched, event)``; they are called newest first, as Qt calls
application filters, until one returns True (the event is eaten); a filter whose object is gone is dropped, as
Qt drops a destroyed filter. A filter installed with ``first`` (the held panic hot-key) is called before all
the others, whenever they came.

When the application is about to quit the watch stops following the focus. The windows are destroyed after
that, and each destroyed focus widget would emit ``focusChanged`` with a half-destroyed widget. PySide6 wraps
that widget by its base class and loads every QWidget subclass of QtWidgets (~50, with their enums) to look
for a closer type: about 39 M instructions, about half of the desk's exit (``bench startup`` counts it).
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class InputWatch(QObject):
    """The application's input filter (one per QApplication: :meth:`of`)."""

    def __init__(self, app: QCoreApplication):
        super().__init__(app)
        self.setObjectName("inputWatch")
        self._app = app
        self._filters: list[QObject] = []
        self._first: list[QObject] = []  # of those, the ones that hear each event before the others
        self._pinned: list[QObject] = []
        self._watched: list[QObject] = []  # the focus window and widget (and the pinned), while listened to
        app.aboutToQuit.connect(self._on_about_to_quit)

    @classmethod
    def of(cls, app: QCoreApplication | None = None) -> InputWatch:
        """The application's input watch, made on first use (a child of the application)."""
        app = app or QApplication.instance()
        assert app is not None, "a QApplication is needed"
        watch = app.findChild(InputWatch, "inputWatch")
        return watch if watch is not None else cls(app)

    def install(self, event_filter: QObject, *, also: QObject | None = None, first: bool = False) -> None:
        """Pass each input event to ``event_filter.eventFilter`` until :meth:`remove`; ``also``: an object whose
        own input counts too, wherever the focus is (keys sent to that widget directly). ``first``: this filter
        hears each event before every filter installed without it, whenever they were installed (the held panic
        hot-key: the keyboard-wedge filter, installed later, held it back during a scan and it never started)."""
        if not self._filters:
            self._attach()
        if event_filter not in self._filters:
            if first:
                self._first.append(event_filter)
                self._filters.append(event_filter)  # called newest first: the end of the list
            else:  # newest of the others, but after every ``first`` one
                self._filters.insert(len(self._filters) - len(self._first), event_filter)
        if also is not None:
            self._pinned.append(also)
            self._watch(also)

    def remove(self, event_filter: QObject) -> None:
        """Stop passing input to ``event_filter`` (this filter comes off every object once none is left)."""
        if event_filter in self._first:
            self._first.remove(event_filter)
        if event_filter in self._filters:
            self._filters.remove(event_filter)
            if not self._filters:
                self._detach()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() not in INPUT_EVENTS:
            return False
        for event_filter in reversed(self._filters):
            if not shiboken6.isValid(event_filter):
                self.remove(event_filter)
            elif event_filter.eventFilter(watched, event):
                return True
        return False

    # --- following the focus -------------------------------------------------------------------------------
    def _attach(self) -> None:
        if isinstance(self._app, QGuiApplication):
            self._app.focusWindowChanged.connect(self._on_focus_window)
            self._on_focus_window(QGuiApplication.focusWindow())
        if isinstance(self._app, QApplication):
            self._app.focusChanged.connect(self._on_focus_widget)
            self._on_focus_widget(None, QApplication.focusWidget())
        for obj in self._pinned:
            self._watch(obj)

    def _detach(self) -> None:
        if isinstance(self._app, QGuiApplication):
            self._app.focusWindowChanged.disconnect(self._on_focus_window)
        if isinstance(self._app, QApplication):
            self._app.focusChanged.disconnect(self._on_focus_widget)
        for obj in self._watched:
            if shiboken6.isValid(obj):
                obj.removeEventFilter(self)
        self._watched = []
        self._pinned = []

    def _watch(self, obj: QObject | None) -> None:
        if obj is not None and obj not in self._watched:
            obj.installEventFilter(self)
            self._watched.append(obj)

    def _unwatch(self, obj: QObject | None, keep: QObject | None) -> None:
        if obj is None or obj is keep or obj not in self._watched or obj in self._pinned:
            return
        self._watched.remove(obj)
        if shiboken6.isValid(obj):
            obj.removeEventFilter(self)

    def _on_focus_window(self, window) -> None:
        self._forget_dead()
        for old in [w for w in self._watched if w.isWindowType()]:
            self._unwatch(old, keep=window)
        self._watch(window)

    def _on_focus_widget(self, old, new) -> None:
        self._forget_dead()
        self._unwatch(old, keep=new)
        self._watch(new)

    def _on_about_to_quit(self) -> None:
        # No input reaches a quitting desk; the windows are destroyed after this (see the module's note).
        if self._filters:
            self._filters = []
            self._detach()

    def _forget_dead(self) -> None:
        self._watched = [w for w in self._watched if shiboken6.isValid(w)]
        self._pinned = [w for w in self._pinned if shiboken6.isValid(w)]
