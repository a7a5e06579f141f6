"""A keyring backend in a JSON file, for tests (subprocesses share it through the environment).

Selected with ``PYTHON_KEYRING_BACKEND=tests.dispatch_keyring.FileKeyring``; the file is named by
``FRONTDESK_TEST_KEYRING_FILE``. Small on purpose: importing it must not slow a ``frontdesk`` subprocess.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend

KEYRING_FILE_ENV = "FRONTDESK_TEST_KEYRING_FILE"


class FileKeyring(KeyringBackend):
    """A keyring kept in a JSON file named by ``FRONTDESK_TEST_KEYRING_FILE`` (shared with subprocesses)."""

    priority = 1  # type: ignore[assignment]

    def _path(self) -> Path:
        return Path(os.environ[KEYRING_FILE_ENV])

    def _load(self) -> dict:
        path = self._path()
        return json.loads(path.read_text()) if path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\n{username}"] = password
        self._path().write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        data.pop(f"{service}\n{username}", None)
        self._path().write_text(json.dumps(data))
