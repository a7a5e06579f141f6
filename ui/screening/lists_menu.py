"""Tools > Barred and custody lists in the desk window: the menu entry, and the list manager built when first
opened (its module, with the list importer's, is imported then, not before the desk's first paint)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QKeySequence

from ui.asking import show_clear

if TYPE_CHECKING:
    from frontdesk.context import Services
    from ui.screening.screening_lists import ListManager


class ListsMenu(QObject):
    """Tools > Barred and custody lists (Ctrl+B): opens the administrators' list manager, built on first use."""

    def __init__(self, window, services: Services):
        super().__init__(window)
        self._window = window
        self._services = services
        self.manager: ListManager | None = None
        window.tools_menu.addAction("&Barred and custody lists", QKeySequence("Ctrl+B"), self.open)

    @Slot()
    def open(self) -> None:
        """Show (or raise) the list manager (not while the desk is locked: anyone at the desk would read it)."""
        if self._window.refused_while_locked("The barred and custody lists"):
            return
        if self.manager is None:
            from ui.screening.screening_lists import ListManager

            self.manager = ListManager(self._services, self._window)
        show_clear(self.manager)
        self.manager.refresh()

    @Slot()
    def on_desk_locked(self) -> None:
        """The desk locked: the list manager closes with it (it opens again after someone signs in)."""
        if self.manager is not None:
            self.manager.close()
