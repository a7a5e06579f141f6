"""Printed jobs turned back into images: ESC/POS ``GS v 0`` raster and Brother QL raster.

Tests use these to prove what a printer received (decode the picture, read its QR code); support staff
can use them on a captured job. They read only the commands our drivers send and skip everything else.
"""

from __future__ import annotations

from PIL import Image


def escpos_raster(job: bytes) -> Image.Image:
    """Every ``GS v 0`` image in an ESC/POS job, stacked top to bottom, as one mode ``1`` image."""
    strips: list[Image.Image] = []
    at = 0
    while True:
        at = job.find(b"\x1dv0", at)
        if at < 0:
            break
        width_bytes = job[at + 4] | job[at + 5] << 8
        height = job[at + 6] | job[at + 7] << 8
        start = at + 8
        data = job[start : start + width_bytes * height]
        if len(data) < width_bytes * height:
            raise ValueError(f"GS v 0 image cut short: {len(data)} of {width_bytes * height} bytes")
        # Set bits are dots of ink; mode 1 keeps 1 for white, so invert.
        strips.append(Image.frombytes("1", (width_bytes * 8, height), bytes(b ^ 0xFF for b in data)))
        at = start + len(data)
    if not strips:
        raise ValueError("no GS v 0 raster image in the job")
    out = Image.new("1", (max(s.width for s in strips), sum(s.height for s in strips)), 1)
    y = 0
    for strip in strips:
        out.paste(strip, (0, y))
        y += strip.height
    return out


def brother_raster(job: bytes, head_dots: int = 720) -> tuple[Image.Image, Image.Image | None]:
    """The black plane (and the red one, if any) of a Brother QL raster job, as printed (mode ``1``).

    Raster rows are ``g`` 0x00 (one colour) or ``w`` + plane 1 or 2 (two colour), then a length byte, then
    the row, packbits compressed if ``M 0x02`` was sent. The head prints rows mirrored: they are flipped back.
    """
    black: list[bytes] = []
    red: list[bytes] = []
    compressed = False
    row_bytes = head_dots // 8
    at = job.find(b"\x1b@")  # skip the invalidate preamble of zero bytes
    if at < 0:
        raise ValueError("not a Brother QL raster job")
    while at < len(job):
        op = job[at]
        if job.startswith(b"\x1bi", at):
            sub = job[at + 2]
            length = {0x7A: 10, 0x4D: 1, 0x41: 1, 0x4B: 1, 0x64: 2, 0x61: 1, 0x21: 1, 0x53: 0}.get(sub)
            if length is None:
                raise ValueError(f"unknown ESC i {sub:#x} at {at}")
            at += 3 + length
        elif job.startswith(b"\x1b@", at):
            at += 2
        elif op == 0x4D:  # M: compression
            compressed = job[at + 1] == 0x02
            at += 2
        elif op in (0x67, 0x77):  # g / w: a raster row
            plane = job[at + 1] if op == 0x77 else None
            n = job[at + 2]
            payload = job[at + 3 : at + 3 + n]
            at += 3 + n
            row = _unpackbits(payload) if compressed else payload
            (red if plane == 0x02 else black).append(row.ljust(row_bytes, b"\x00"))
        elif op == 0x5A:  # Z: an empty row (compressed mode)
            black.append(b"\x00" * row_bytes)
            at += 1
        elif op in (0x0C, 0x1A):  # print
            break
        elif op == 0x00:
            at += 1
        else:
            raise ValueError(f"unknown Brother command {op:#x} at {at}")

    def plane(rows: list[bytes]) -> Image.Image | None:
        """Rows of packed bits as an image, flipped back from the head's mirror order."""
        if not rows:
            return None
        width = len(rows[0]) * 8
        img = Image.frombytes("1", (width, len(rows)), bytes(b ^ 0xFF for b in b"".join(rows)))
        return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)

    return plane(black), plane(red)  # type: ignore[return-value]


def _unpackbits(data: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(data):
        n = data[i]
        if n > 127:
            out += bytes([data[i + 1]]) * (257 - n)
            i += 2
        else:
            out += data[i + 1 : i + 2 + n]
            i += 2 + n
    return bytes(out)
