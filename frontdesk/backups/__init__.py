"""Backups: online copies of the database (SQLite's backup API) to a folder, on a schedule, with rotation."""
