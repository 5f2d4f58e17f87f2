"""What a person types — an enrolment code, a unit number — brought to one form before it
is checked or looked up.

A code read off paper or a unit number typed with a Chinese input method often comes in
full-width forms (“１２３４５－ＡＢＣＤＥ”, “１-１-１０１”), with an ideographic space, or with an
invisible character pasted along (zero-width space, BOM, directional mark). None of these
changes what was meant, so each is folded away here rather than refused: Unicode NFKC
(full-width letters, digits and punctuation become ASCII), every dash-like character a
hyphen, and every space, separator and invisible or control character (Unicode categories
Z*, Cc, Cf) removed. Letter case is kept: codes are upper-cased by their own check, and a
unit number is looked up as the register has it.

Pure: no I/O.
"""

from __future__ import annotations

import unicodedata

# Dashes an input method or a word processor puts where a hyphen was meant (NFKC already
# maps the full-width hyphen-minus U+FF0D and the small one U+FE63 to "-").
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70"), "-")


def typed(text: str) -> str:
    """`text` as typed, in the one form it is checked in (see the module's docstring)."""
    folded = unicodedata.normalize("NFKC", text).translate(_DASHES)
    return "".join(c for c in folded if unicodedata.category(c)[0] not in "CZ" and not c.isspace())
