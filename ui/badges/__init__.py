"""Badges in the window: the printer worker, the panel, printer settings, the OS print queue."""
