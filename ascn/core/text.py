"""Text folding for search: accent- and case-insensitive matching that also works for Vietnamese.

Pure Python, no Django. `fold("Đà Nẵng") == "da nang"`; Thai and other scripts without
decomposable marks are kept as they are (only case-folded), so Thai input matches Thai text.
"""

from __future__ import annotations

import unicodedata

# Letters that Unicode does not decompose into a base letter plus a mark.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "ß": "ss"})
_LATIN_MARKS = range(0x0300, 0x0370)  # combining diacritical marks used by Latin scripts


def fold(text: str) -> str:
    """Lower-case `text`, strip Latin diacritics (Đ→d, ẵ→a) and collapse white space."""
    text = text.translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if ord(ch) not in _LATIN_MARKS)
    return " ".join(unicodedata.normalize("NFC", stripped).casefold().split())


def search_blob(*parts: str | None) -> str:
    """Join the folded forms of `parts` into one string for `icontains`-style lookups."""
    return " | ".join(fold(part) for part in parts if part)
