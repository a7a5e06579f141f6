"""The PySide6 desktop application: composition root, windows, table models, workers."""
