"""The scores of frequent words, kept in memory, for SQLite's FTS5 index.

FTS5 ranks a search by computing ``bm25()`` for every row that matches: a word found in
most of 100,000 fiches means 100,000 scores computed per request (80 ms), and as many ids
read to count the matches. But the bm25 of several words is the sum, word after word, of
each word's bm25 alone: a word's weight (its idf) depends on that word only, and the
length of a fiche is the same for every word. So FTS5 computes once the score of every
fiche for one word, the scores are kept here, and the next searches with that word add
them up with a few array operations over the matches.

Only words found in at least ``SEARCH_WORD_SCORES_MIN_MATCHES`` rows are kept (a setting,
5,000 by default): a search with a rarer word matches few rows, and FTS5 alone is quick.
A search goes through here when all its words are kept words, or frequent enough to be
(a word is read on its first use). The scores are FTS5's own and are added in the order
of the query's words, as ``bm25()`` adds them, so the ranking is the same, ties by id. At
most ``SEARCH_WORD_SCORES_MAX_ENTRIES`` (id, score) pairs are kept per process (12 bytes
each; 8 million, 96 MB, by default), the least recently used word going first; everything
is dropped when the index changes (its token, ``search.backends.SearchIndex.token``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from django.conf import settings

DEFAULT_MIN_MATCHES = 5_000
DEFAULT_MAX_ENTRIES = 8_000_000
RECENT_COMBINATIONS = 8
MAX_COUNTS = 100_000  # words whose number of matches is known (any word searched): then forgotten


def min_matches() -> int:
    return getattr(settings, "SEARCH_WORD_SCORES_MIN_MATCHES", DEFAULT_MIN_MATCHES)


def max_entries() -> int:
    return getattr(settings, "SEARCH_WORD_SCORES_MAX_ENTRIES", DEFAULT_MAX_ENTRIES)


@dataclass(frozen=True)
class Scores:
    """Rows matching a word (or all the words of a search), ascending, with their score."""

    ids: np.ndarray  # int32 (int64 for ids beyond it)
    scores: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.ids)

    def best(self, limit: int) -> list[tuple[int, float]]:
        """The ``limit`` best (id, score), best first, ties by id."""
        ids, scores = self.ids, self.scores
        if len(ids) > limit > 0:
            # Everything at least as good as the limit-th score, then the exact order there.
            threshold = np.partition(scores, len(scores) - limit)[len(scores) - limit]
            keep = scores >= threshold
            ids, scores = ids[keep], scores[keep]
        order = np.lexsort((ids, -scores))[:limit]
        return list(zip(ids[order].tolist(), scores[order].tolist()))


class WordScores:
    """The kept words of one FTS5 index, for the process."""

    def __init__(self, backend):
        self.backend = backend  # search.backends.SQLiteBackend
        self.lock = threading.Lock()
        self.token: str | None = None
        self.counts: dict[str, int] = {}
        self.words: OrderedDict[str, Scores] = OrderedDict()
        self.combinations: OrderedDict[tuple[str, ...], Scores] = OrderedDict()
        self.entries = 0

    def search(self, terms: list[str], token: str) -> Scores | None:
        """The rows matching every term with their summed score, or None when a term is too
        rare to be kept (FTS5 then answers alone)."""
        if not terms:
            return None
        with self.lock:
            if token != self.token:
                self.token, self.counts, self.words, self.combinations, self.entries = token, {}, OrderedDict(), OrderedDict(), 0
            key = tuple(terms)
            found = self.combinations.get(key)
            if found is not None:
                self.combinations.move_to_end(key)
                return found
            floor = min_matches()
            if any(self._count(term) < floor for term in terms):
                return None
            parts = [self._word(term) for term in terms]
            found = combine(parts)
            self.combinations[key] = found
            while len(self.combinations) > RECENT_COMBINATIONS:
                self.combinations.popitem(last=False)
            return found

    def _count(self, term: str) -> int:
        count = self.counts.get(term)
        if count is None:
            if len(self.counts) >= MAX_COUNTS:
                self.counts.clear()
            count = self.counts[term] = self.backend.count([term])
        return count

    def _word(self, term: str) -> Scores:
        found = self.words.get(term)
        if found is not None:
            self.words.move_to_end(term)
            return found
        rows = self.backend.scored([term])
        id_type = np.int32 if not rows or rows[-1][0] <= np.iinfo(np.int32).max else np.int64
        found = Scores(np.fromiter((r[0] for r in rows), dtype=id_type, count=len(rows)),
                       np.fromiter((r[1] for r in rows), dtype=np.float64, count=len(rows)))
        self.words[term] = found
        self.entries += len(found)
        limit = max_entries()
        while self.entries > limit and len(self.words) > 1:
            _word, dropped = self.words.popitem(last=False)
            self.entries -= len(dropped)
        return found


def combine(parts: list[Scores]) -> Scores:
    """The rows in every part, each with the sum of its scores taken in the parts' order
    (as bm25() adds its phrases' scores). Ids are sorted: each part is searched by
    bisection (``searchsorted``), from the smallest part's ids."""
    ids = min(parts, key=len).ids
    for part in parts:
        if part.ids is ids or not len(ids):
            continue
        if not len(part.ids):
            ids = part.ids
            break
        at = np.minimum(np.searchsorted(part.ids, ids), len(part.ids) - 1)
        ids = ids[part.ids[at] == ids]
    total = np.zeros(len(ids), dtype=np.float64)
    for part in parts:
        if len(ids):
            total += part.scores[np.searchsorted(part.ids, ids)]
    return Scores(ids, total)


_indexes: dict[str, WordScores] = {}
_indexes_lock = threading.Lock()


def for_backend(backend) -> WordScores:
    """The kept words of a ``SQLiteBackend``'s index (one per table and process)."""
    with _indexes_lock:
        if backend.table not in _indexes:
            _indexes[backend.table] = WordScores(backend)
        return _indexes[backend.table]
