"""Earlier releases of FrontDesk, built from this repository's history, and a desk's folder made by each.

Each release is a commit on main (the stop it landed at). Its tree is written once per test session with ``git
archive`` into the session's tmp folder and run with this venv (``PYTHONPATH`` = that tree): the folder it makes
is real data written by the real old code, through its own command line (``tests/old_release_steps.py``).
Without the history (a shallow clone) the tests that need it are skipped, saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STEPS = Path(__file__).resolve().parent / "old_release_steps.py"

# The releases so far (each a commit on main), oldest first.
RELEASES = ["4c37a11", "ef12b88", "fdeb624", "3acce18", "ff2602c", "0a2eacb", "08faff7"]

ADMIN_PW = "district-secret"
PRINCIPAL_PW = "principal-pw"

_trees: dict[str, Path] = {}


def release_tree(tmp_path_factory, commit: str) -> Path:
    """The source tree of ``commit``, written once per session (skips the test when the history is absent)."""
    if commit in _trees:
        return _trees[commit]
    if shutil.which("git") is None:
        pytest.skip("needs git (the earlier releases are written from the history)")
    found = subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{commit}^{{commit}}"], capture_output=True)
    if found.returncode != 0:
        pytest.skip(f"release {commit} is not in this clone's history (a shallow clone?)")
    tree = tmp_path_factory.mktemp(f"rel-{commit}")
    archive = tree / "tree.tar"
    with archive.open("wb") as out:
        subprocess.run(
            [
                "git",
                "-C",
                str(ROOT),
                "archive",
                commit,
                "frontdesk",
                "ui",
                "printers",
                "scanners",
                "district",
                "tests/dispatch_keyring.py",
            ],
            stdout=out,
            check=True,
        )
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    archive.unlink()
    _trees[commit] = tree
    return tree


def keyring_env(folder: Path) -> dict[str, str]:
    """A keyring of the test's own in a file (tests.dispatch_keyring), for this process's children."""
    return {
        "FRONTDESK_TEST_KEYRING_FILE": str(folder / "keyring.json"),
        "FRONTDESK_ALLOW_FILE_KEYRING": "1",
        "PYTHON_KEYRING_BACKEND": "tests.dispatch_keyring.FileKeyring",
        "FRONTDESK_READ_KEYS_ASIDE": "0",
    }


def run_steps(tree: Path, data: Path, steps: list[dict], env: dict[str, str]) -> list[dict]:
    """Run the ``frontdesk`` command lines ``steps`` on the folder ``data`` in one process of ``tree``'s code."""
    steps = [{**s, "argv": ["--data-dir", str(data), *s["argv"]]} for s in steps]
    proc = subprocess.run(
        [sys.executable, "-P", str(STEPS)],
        input=json.dumps(steps),
        capture_output=True,
        text=True,
        env={**os.environ, **env, "PYTHONPATH": str(tree)},
        cwd=tree,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    answer = json.loads(proc.stdout.strip().splitlines()[-1])
    assert Path(answer["tree"]).resolve() == tree.resolve(), answer["tree"]  # the old code ran, not this tree's
    return answer["results"]


def frontdesk_now(data: Path, *args: str, env: dict[str, str], stdin: str = "", timeout: float = 120):
    """This tree's ``frontdesk ARGS`` as a process (the upgraded program)."""
    return subprocess.run(
        [sys.executable, "-m", "ui.main", "--data-dir", str(data), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        timeout=timeout,
    )


def step(*argv: str, env: dict | None = None, stdin: str = "") -> dict:
    return {"argv": list(argv), "env": env or {}, "stdin": stdin}
