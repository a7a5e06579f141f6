"""Names as a passport's machine-readable zone writes them, and back (ICAO Doc 9303, part 3, section 6).

A zone has only A-Z, so some letters are written as two: Å as AA, Ä and Æ as AE, Ö, Ø and Œ as OE, Ü as UE,
ß as SS, Þ as TH, Ĳ as IJ (the others lose their accent: É as E, Ñ as N). The matcher folds Ångström to
"angstrom", and the zone's AANGSTROEM is two letters away from it, AASA (Åsa) one more: a listed person was
screened clear on their own passport. The screener therefore reads the visitor's name

- **as a zone writes it**, when it holds such a letter (a visitor typed as "Jürgen Müller" meets a list
  written from passports, JUERGEN MUELLER);
- **as it was before the zone wrote it**, when it holds AA, AE, OE or UE (the zone's ANGSTROEM read back as
  Angstrom). Names such as Michael, Joel or Samuel hold these pairs too, so an entry found only this way is
  kept only when its own name holds one of the letters the zone writes as that pair (:func:`written_as_pair`).
"""

from __future__ import annotations

import re

from frontdesk.wire.names import fold

# ICAO 9303-3, 6.A: the Latin letters the zone writes as two letters (after casefold).
_AS_ZONE = str.maketrans(
    {"å": "aa", "ä": "ae", "æ": "ae", "ö": "oe", "ø": "oe", "œ": "oe", "ü": "ue", "ß": "ss", "þ": "th", "ĳ": "ij"}
)
# The pairs read back: each to the letter the matcher folds the original to (Å, Ä -> a; Ö, Ø -> o; Ü -> u).
_PAIR = re.compile(r"aa|ae|oe|ue")
_BACK = {"aa": "a", "ae": "a", "oe": "o", "ue": "u"}
# The letters whose zone spelling is one of those pairs.
_PAIRED_LETTERS = frozenset("åäöøüæœ")


def zone_spelling(name: str) -> str:
    """``name`` as a zone writes it, in the case people write names (Müller -> Mueller); "" when the same."""
    if not name or name.isascii():
        return ""
    spelled = name.casefold().translate(_AS_ZONE)
    if spelled == name.casefold():
        return ""
    return " ".join(w[:1].upper() + w[1:] for w in spelled.split())


def read_back(name: str) -> str:
    """``name``'s pairs AA, AE, OE, UE read back as the letter a zone wrote that way (Angstroem -> Angstrom);
    "" when it holds none."""
    folded = fold(name)
    if not folded or not _PAIR.search(folded):
        return ""
    back = _PAIR.sub(lambda m: _BACK[m.group(0)], folded)
    return " ".join(w.capitalize() for w in back.split())


def written_as_pair(text: str) -> bool:
    """True when ``text`` holds a letter a zone writes as AA, AE, OE or UE (Å, Ä, Æ, Ö, Ø, Œ, Ü)."""
    return not text.isascii() and any(c in _PAIRED_LETTERS for c in text.casefold())
