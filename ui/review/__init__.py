"""The principal's review window, its charts and its printed day log."""
