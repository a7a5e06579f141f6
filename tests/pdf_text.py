"""The text a PDF draws, read without a PDF library: every content stream, inflated where compressed."""

from __future__ import annotations

import zlib
from pathlib import Path


def pdf_text(path: Path) -> str:
    """The file as latin-1 text with each FlateDecode stream inflated and appended (strings as drawn)."""
    data = path.read_bytes()
    text = data.decode("latin-1")
    for part in data.split(b"stream")[1:]:
        body = part.split(b"endstream")[0].strip(b"\r\n")
        try:
            text += zlib.decompress(body).decode("latin-1")
        except zlib.error:
            continue
    return text
