"""French text analysis shared by the search backends and the snippets.

Words are cut on anything that is not a letter or a digit, lower-cased, stemmed with the
Snowball French stemmer (PyStemmer), then stripped of accents: "Partenariats" and
"partenariat" both give "partenariat", "numérique" and "numeriques" both give "numer".
"""

import re
import unicodedata
from functools import lru_cache

import Stemmer
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_stemmer = Stemmer.Stemmer("french")

# Words too common to help a search; dropped from queries and from the index alike.
STOPWORDS = frozenset(
    """a au aux avec ce ces dans de des du elle en et eux il je la le les leur lui ma mais me
    meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te
    tes toi ton tu un une vos votre vous c d j l m n s t y ete etre est sont""".split()
)


def strip_accents(word: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))


def fold(word: str) -> str:
    """Lower case, without accents, letters and digits only: the compatibility decomposition
    can bring spaces or punctuation (« ͺ », « ⑴ », « ½ »), and a term must stay one token
    for FTS5 and for PostgreSQL's to_tsquery."""
    return "".join(_WORD.findall(strip_accents(word.lower())))


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    return fold(_stemmer.stemWord(word.lower()))


def words(text: str) -> list[str]:
    return _WORD.findall(text or "")


@lru_cache(maxsize=200_000)
def index_term(word: str) -> str:
    """The term a word is indexed under, or "" for a stopword."""
    term = stem(word)
    if term in STOPWORDS or strip_accents(word.lower()) in STOPWORDS:
        return ""
    return term


def analyze(text: str) -> list[str]:
    """The index terms of a text, in order (repetitions kept: they weigh in the ranking).
    Numbers are their own term and stay out of the cache: identifiers (SIREN, RNA…) are
    each seen once, and would only fill it."""
    return [term for word in words(text) if (term := (word if word.isdigit() else index_term(word)))]


def query_terms(text: str) -> list[str]:
    """The distinct terms of a query, in the order typed."""
    return list(dict.fromkeys(analyze(text)))


def highlight(text: str, terms: list[str], *, width: int = 220) -> SafeString:
    """An escaped excerpt of ``text`` around its first matched words, each in <mark>."""
    text = text or ""
    wanted = set(terms)
    matches = [m for m in _WORD.finditer(text) if stem(m.group()) in wanted]
    if not matches:
        excerpt = text[:width]
        return mark_safe(escape(excerpt) + ("…" if len(text) > width else ""))
    start = max(0, matches[0].start() - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < matches[0].start() else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > matches[0].end() else end
    pieces, cursor = [], start
    for match in matches:
        if match.start() < start or match.end() > end:
            continue
        pieces.append(escape(text[cursor : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        cursor = match.end()
    pieces.append(escape(text[cursor:end]))
    return mark_safe(("…" if start else "") + "".join(pieces) + ("…" if end < len(text) else ""))
