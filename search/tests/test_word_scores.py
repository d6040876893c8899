"""The scores of frequent words kept in memory give exactly what FTS5 gives alone."""

import random

import pytest
from django.db import connection

from search import word_scores
from search.backends import Document, SearchIndex, SQLiteBackend

pytestmark = pytest.mark.django_db

WORDS = ("partenariat association entreprise territoire projet emploi insertion numerique senior "
         "mobilite sante culture sport logement jeunesse energie climat agriculture").split()
INDEX = SearchIndex("practices")


@pytest.fixture
def corpus(db):
    if connection.vendor != "sqlite":
        pytest.skip("the kept scores serve SQLite's FTS5 only")
    rng = random.Random(7)
    weights = [1 / (rank + 1) for rank in range(len(WORDS))]  # a few words in most documents

    def text(n):
        return " ".join(rng.choices(WORDS, weights, k=n))

    INDEX.clear()
    INDEX.replace(Document(i, text(rng.randint(1, 6)), text(rng.randint(0, 20)), text(rng.randint(0, 80)))
                  for i in range(1, 401))
    word_scores._indexes.clear()
    return rng


def queries(rng, n=60):
    return [INDEX.terms(" ".join(rng.sample(WORDS[:12], rng.randint(1, 3)))) for _ in range(n)]


def test_searches_of_kept_words_rank_and_match_exactly_as_fts5(corpus, settings):
    settings.SEARCH_WORD_SCORES_MIN_MATCHES = 1
    fts5 = SQLiteBackend("practices")
    for terms in queries(corpus):
        assert word_scores.for_backend(fts5).search(terms, INDEX.token()) is not None
        assert INDEX.ranked(terms, limit=25) == fts5.ranked(terms, 25), terms
        assert INDEX.ranked(terms, limit=1000) == fts5.ranked(terms, 1000), terms
        assert list(map(int, INDEX.matching_ids(terms))) == sorted(fts5.matching_ids(terms)), terms


def test_a_rare_word_leaves_the_search_to_fts5(corpus, settings):
    settings.SEARCH_WORD_SCORES_MIN_MATCHES = 10**6
    kept = word_scores.for_backend(SQLiteBackend("practices"))
    assert kept.search(INDEX.terms("partenariat"), INDEX.token()) is None
    assert not kept.words
    assert INDEX.ranked(INDEX.terms("partenariat"), limit=5) == SQLiteBackend("practices").ranked(INDEX.terms("partenariat"), 5)


def test_a_change_of_the_index_drops_what_was_kept(corpus, settings):
    settings.SEARCH_WORD_SCORES_MIN_MATCHES = 1
    senior = INDEX.terms("senior")
    before = INDEX.ranked(senior, limit=5)
    INDEX.replace([Document(9999, "senior senior senior", "senior", "senior")])
    after = INDEX.ranked(senior, limit=5)
    assert after[0][0] == 9999 and after != before
    assert after == SQLiteBackend("practices").ranked(senior, 5)
    INDEX.delete([9999])
    assert 9999 not in INDEX.matching_ids(senior)


def test_the_least_recently_used_words_go_first_under_the_memory_cap(corpus, settings):
    settings.SEARCH_WORD_SCORES_MIN_MATCHES = 1
    settings.SEARCH_WORD_SCORES_MAX_ENTRIES = 500
    fts5 = SQLiteBackend("practices")
    for terms in queries(corpus, 20):
        assert INDEX.ranked(terms, limit=10) == fts5.ranked(terms, 10)
    kept = word_scores.for_backend(fts5)
    assert kept.entries == sum(len(s) for s in kept.words.values())
    assert kept.entries <= 500 or len(kept.words) == 1


def test_the_counts_of_searched_words_are_forgotten_past_a_bound(corpus, settings, monkeypatch):
    settings.SEARCH_WORD_SCORES_MIN_MATCHES = 1
    monkeypatch.setattr(word_scores, "MAX_COUNTS", 5)
    kept = word_scores.for_backend(SQLiteBackend("practices"))
    for n in range(12):
        assert kept.search([f"motinconnu{n}"], INDEX.token()) is None  # no match: FTS5 answers
        assert len(kept.counts) <= 5


def test_ids_beyond_32_bits_are_kept_whole(corpus, settings):
    settings.SEARCH_WORD_SCORES_MIN_MATCHES = 1
    big = 2**31 + 7
    INDEX.replace([Document(big, "senior", "", "")])
    senior = INDEX.terms("senior")
    assert big in set(map(int, INDEX.matching_ids(senior)))
    assert INDEX.ranked(senior, limit=1000) == SQLiteBackend("practices").ranked(senior, 1000)
