"""The searchable form of a territory name: lower case ASCII, words separated by one space.

"Saint-Étienne-du-Rouvray" -> "saint etienne du rouvray"; "L'Haÿ-les-Roses" -> "l hay les roses".
Both the stored names and user queries go through the same function, so an accent, a
capital or a hyphen never prevents a match, and the comparison runs on an index.
"""

import re
import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def searchable(text: str) -> str:
    text = (text or "").translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    # Drop the accents only; any other sign (’, —, ·) separates words.
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return _NON_ALNUM.sub(" ", bare).strip()
