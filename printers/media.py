"""Badge media presets as data: the paper or label a printer holds, in the printer's own dots.

A preset says how wide the print head's printable area is, how long one badge is, the resolution, and
which output path uses it. Code never hard-codes a width: it takes the preset (STYLE rule 7).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Media:
    """One badge stock at one printer resolution.

    ``width`` is the printable width across the head and ``length`` the badge length along the paper,
    both in dots. ``continuous`` stock is cut after each badge; die-cut labels have a fixed length.
    ``orientation`` is the default: ``portrait`` draws the badge upright across the head, ``landscape``
    draws it along the paper (long side running out of the printer) and turns it a quarter turn.
    """

    key: str
    label: str
    family: str  # "escpos", "brother" or "system": which drivers accept it
    dpi: int
    width: int
    length: int
    continuous: bool
    orientation: str = "portrait"
    red: bool = False  # a second ink (Brother DK-22251 black/red on two-colour models)
    brother_label: str = ""  # the label id brother-ql-next knows ("62x100", "62", "62red")
    escpos_profile: str = ""  # a python-escpos profile whose media width matches

    @property
    def size_mm(self) -> tuple[float, float]:
        """Printable width and badge length in millimetres (for the settings screen and the OS queue)."""
        return (round(self.width * 25.4 / self.dpi, 1), round(self.length * 25.4 / self.dpi, 1))

    def canvas(self, orientation: str | None = None) -> tuple[int, int]:
        """The size the badge is drawn at (before any quarter turn) for an orientation."""
        if (orientation or self.orientation) == "landscape":
            return (self.length, self.width)
        return (self.width, self.length)


PRESETS: dict[str, Media] = {
    m.key: m
    for m in [
        Media(
            "80mm",
            "80 mm receipt roll (203 dpi, 576 dots)",
            "escpos",
            203,
            576,
            880,
            True,
            escpos_profile="TM-T20II",
        ),
        Media(
            "80mm-180dpi",
            "80 mm receipt roll, TM-T88 class (180 dpi, 512 dots)",
            "escpos",
            180,
            512,
            780,
            True,
            escpos_profile="TM-T88V",
        ),
        Media(
            "58mm",
            "58 mm receipt roll (203 dpi, 384 dots)",
            "escpos",
            203,
            384,
            640,
            True,
            escpos_profile="NT-5890K",
        ),
        Media(
            "brother-62x100",
            "Brother DK-11202 62 × 100 mm die-cut",
            "brother",
            300,
            696,
            1109,
            False,
            orientation="landscape",
            brother_label="62x100",
        ),
        Media(
            "brother-62",
            "Brother DK-22205 62 mm continuous",
            "brother",
            300,
            696,
            1109,
            True,
            orientation="landscape",
            brother_label="62",
        ),
        Media(
            "brother-62-red",
            "Brother DK-22251 62 mm continuous, black and red",
            "brother",
            300,
            696,
            1109,
            True,
            orientation="landscape",
            red=True,
            brother_label="62red",
        ),
        Media(
            "dymo-30857",
            "DYMO 30857 badge label 2¼ × 4 in",
            "system",
            300,
            660,
            1164,
            False,
            orientation="landscape",
        ),
    ]
}

ORIENTATIONS = ("portrait", "landscape")


def media(key: str) -> Media:
    """The preset called ``key``, or an InputError listing the presets."""
    from frontdesk.errors import InputError

    try:
        return PRESETS[key]
    except KeyError:
        raise InputError(f"No badge media {key!r}; choose one of: {', '.join(PRESETS)}") from None
