"""Run a list of ``frontdesk`` commands in ONE process of whatever FrontDesk the path puts first.

The upgrade tests run this file with an earlier release's tree first on ``PYTHONPATH`` (``python -P``, so this
file's own folder is not put first): each step goes through that release's own command line,
``frontdesk.cli.main(argv)``, as school IT would type it, without paying a process start per command. It imports
nothing of this repository's tests, so it runs under any release. Steps come as JSON on standard input
(``[{"argv": [...], "env": {...}, "stdin": "..."}]``); the answer is one JSON line on standard output: the
tree the code came from, and each step's exit code, output and error.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys


def main() -> int:
    steps = json.loads(sys.stdin.read())
    import frontdesk
    from frontdesk.cli import main as cli_main

    results = []
    real_stdin = sys.stdin
    for step in steps:
        os.environ.update(step.get("env", {}))
        out, err = io.StringIO(), io.StringIO()
        sys.stdin = io.StringIO(step.get("stdin", ""))
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli_main(step["argv"])
            except SystemExit as exc:  # argparse's own refusals
                code = exc.code if isinstance(exc.code, int) else 2
        sys.stdin = real_stdin
        results.append({"argv": step["argv"], "code": code, "out": out.getvalue(), "err": err.getvalue()})
    print(json.dumps({"tree": os.path.dirname(os.path.dirname(frontdesk.__file__)), "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
