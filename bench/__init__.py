"""Benchmarks (`make bench`). Each feature has a module here with ``run() -> str`` returning Markdown.

Figures are never asserted in tests; they are recorded in ``docs/benchmarks/<name>.md`` with the machine
and the date, and joined into ``docs/benchmarks.md``.
"""


def settings_from(variable: str) -> list[tuple[str, str]]:
    """Settings a screening bench screens with, from the environment variable ``variable`` ("key=value;key=value",
    each set with ``frontdesk config set`` before the screens): a point of a trade-off table. None by default: a
    bench measures the desk as installed."""
    import os

    chosen = os.environ.get(variable, "")
    return [(key, value) for key, _, value in (part.partition("=") for part in chosen.split(";") if "=" in part)]
