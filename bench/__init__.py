"""Benchmarks (`make bench`). Each feature has a module here with ``run() -> str`` returning Markdown.

Figures are never asserted in tests; they are recorded in ``docs/benchmarks/<name>.md`` with the machine
and the date, and joined into ``docs/benchmarks.md``.
"""
