"""One full-text search interface, two backends: SQLite FTS5 (the embedded default) and
PostgreSQL full-text search (``french_unaccent`` configuration: unaccent, then the French
Snowball stemmer). The backend follows the database in use.

An *index* holds, for each object id, three weighted fields: ``title`` (heaviest),
``summary`` and ``body``. Callers never write SQL: they ``replace`` and ``delete``
documents, ask for the ``matching`` ids (as a subquery to combine with ORM filters, or as
a list), and for the best matches ``ranked`` (callers filter and page them). Every change gives the
index a new ``token`` (``search.models.IndexVersion``), so caches derived from it know
when to rebuild.

SQLite: the FTS5 table stores the analysed text (see ``search.text``), so stemming and
accents are handled in Python the same way when indexing and when querying; the ranking
is ``bm25()`` with per-column weights. User text never reaches FTS5 raw: it is reduced to
stemmed terms made of letters and digits, each quoted. A search made only of frequent
words is matched and ranked from their scores kept in memory (``search.word_scores``):
the same ids and scores, without FTS5 scoring every match again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Iterable, Sequence

from django.db import connection
from django.db.models.expressions import RawSQL

from search import word_scores
from search.text import STOPWORDS, analyze, fold, query_terms, words

WEIGHTS = (10.0, 4.0, 1.0)  # title, summary, body


@dataclass(frozen=True)
class Document:
    id: int
    title: str
    summary: str
    body: str


class SQLiteBackend:
    def __init__(self, name: str):
        self.table = f"search_{name}"

    def create(self, schema_editor) -> None:
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.table} USING fts5("
            "title, summary, body, tokenize = 'unicode61 remove_diacritics 2')"
        )

    def drop(self, schema_editor) -> None:
        schema_editor.execute(f"DROP TABLE IF EXISTS {self.table}")

    def replace(self, documents: Iterable[Document]) -> None:
        rows = [
            (d.id, " ".join(analyze(d.title)), " ".join(analyze(d.summary)), " ".join(analyze(d.body)))
            for d in documents
        ]
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {self.table} WHERE rowid = %s", [(r[0],) for r in rows])
            cursor.executemany(f"INSERT INTO {self.table} (rowid, title, summary, body) VALUES (%s, %s, %s, %s)", rows)

    def delete(self, ids: Iterable[int]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {self.table} WHERE rowid = %s", [(i,) for i in ids])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table}")

    @staticmethod
    def _match(terms: list[str]) -> str:
        return " ".join(f'"{t}"' for t in terms)

    def matching(self, terms: list[str]) -> tuple[str, list]:
        return f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s", [self._match(terms)]

    def matching_ids(self, terms: list[str]) -> list[int]:
        # One string of ids rather than a row per id: a third faster at tens of thousands.
        sql = f"SELECT group_concat(rowid) FROM {self.table} WHERE {self.table} MATCH %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [self._match(terms)])
            joined = cursor.fetchone()[0]
        return list(map(int, joined.split(","))) if joined else []

    def _score(self) -> str:
        """The score of a row: bm25 with the column weights, higher is better."""
        return f"-bm25({self.table}, {', '.join(str(w) for w in WEIGHTS)})"

    def ranked(self, terms: list[str], limit: int) -> list[tuple[int, float]]:
        sql = (f"SELECT rowid, {self._score()} AS score FROM {self.table} "
               f"WHERE {self.table} MATCH %s ORDER BY score DESC, rowid LIMIT %s")
        with connection.cursor() as cursor:
            cursor.execute(sql, [self._match(terms), limit])
            return cursor.fetchall()

    def count(self, terms: list[str]) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {self.table} WHERE {self.table} MATCH %s", [self._match(terms)])
            return cursor.fetchone()[0]

    def scored(self, terms: list[str]) -> list[tuple[int, float]]:
        """Every match as (id, score), by id: the same score as ``ranked`` gives."""
        sql = f"SELECT rowid, {self._score()} FROM {self.table} WHERE {self.table} MATCH %s ORDER BY rowid"
        with connection.cursor() as cursor:
            cursor.execute(sql, [self._match(terms)])
            return cursor.fetchall()


class PostgreSQLBackend:
    config = "french_unaccent"

    def __init__(self, name: str):
        self.table = f"search_{name}"

    def create(self, schema_editor) -> None:
        schema_editor.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (id bigint PRIMARY KEY, document tsvector NOT NULL)")
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {self.table}_document ON {self.table} USING gin (document)")

    def drop(self, schema_editor) -> None:
        schema_editor.execute(f"DROP TABLE IF EXISTS {self.table}")

    def _vector_sql(self) -> str:
        parts = [f"setweight(to_tsvector('{self.config}', %s), '{w}')" for w in "ABC"]
        return " || ".join(parts)

    def replace(self, documents: Iterable[Document]) -> None:
        # PostgreSQL reads the words the queries are made of (see terms()), folded the same
        # way: its own parser would keep « 2.0 », « -5 » or an e-mail address whole, and its
        # unaccent does not fold « º », « ³ » or « µ » as the queries do; none would be found.
        rows = [(d.id, *(" ".join(map(fold, words(text))) for text in (d.title, d.summary, d.body))) for d in documents]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.table} (id, document) VALUES (%s, {self._vector_sql()}) "
                "ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document",
                rows,
            )

    def delete(self, ids: Iterable[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table} WHERE id = ANY(%s)", [list(ids)])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table}")

    def _query(self) -> str:
        return f"to_tsquery('{self.config}', %s)"

    @staticmethod
    def _terms(terms: list[str]) -> str:
        # Terms are already made of letters and digits only: safe to join with '&'.
        return " & ".join(terms)

    def matching(self, terms: list[str]) -> tuple[str, list]:
        return f"SELECT id FROM {self.table} WHERE document @@ {self._query()}", [self._terms(terms)]

    # ts_rank's weights are given as {D, C, B, A}; title is A, summary B, body C.
    weights = "{0.05, " + ", ".join(str(w / WEIGHTS[0]) for w in reversed(WEIGHTS)) + "}"

    def matching_ids(self, terms: list[str]) -> list[int]:
        sql, params = self.matching(terms)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]

    def ranked(self, terms: list[str], limit: int) -> list[tuple[int, float]]:
        sql = (f"SELECT id, ts_rank('{self.weights}', document, q) AS score FROM {self.table}, {self._query()} q "
               "WHERE document @@ q ORDER BY score DESC, id LIMIT %s")
        with connection.cursor() as cursor:
            cursor.execute(sql, [self._terms(terms), limit])
            return [(row[0], float(row[1])) for row in cursor.fetchall()]


class SearchIndex:
    """The full-text index of one kind of object, on whichever database is in use."""

    def __init__(self, name: str):
        self.name = name

    @property
    def backend(self):
        return PostgreSQLBackend(self.name) if connection.vendor == "postgresql" else SQLiteBackend(self.name)

    def terms(self, text: str) -> list[str]:
        """The query's terms as this backend searches them (empty: no text filter)."""
        terms = query_terms(text)
        if connection.vendor == "postgresql":
            # PostgreSQL stems with its own dictionary: give it the words, accents removed.
            plain = [fold(w) for w in words(text)]
            return list(dict.fromkeys(w for w in plain if w and w not in STOPWORDS))
        return terms

    def replace(self, documents: Iterable[Document]) -> None:
        documents = list(documents)
        if documents:
            self.backend.replace(documents)
            self.touch()

    def delete(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if ids:
            self.backend.delete(ids)
            self.touch()

    def clear(self) -> None:
        self.backend.clear()
        self.touch()

    def touch(self) -> None:
        """Give the index a new token: whatever was derived from it is now stale."""
        from search.models import IndexVersion

        IndexVersion.objects.update_or_create(name=self.name, defaults={"token": uuid.uuid4().hex})

    def token(self) -> str:
        from search.models import IndexVersion

        return IndexVersion.objects.filter(name=self.name).values_list("token", flat=True).first() or ""

    def matching(self, terms: list[str]) -> RawSQL:
        sql, params = self.backend.matching(terms)
        return RawSQL(sql, params)

    def matching_ids(self, terms: list[str]) -> Sequence[int]:
        """The ids of the rows matching every term: a list, or a numpy array when the
        matches come from the kept word scores."""
        kept = self._kept_scores(terms)
        if kept is not None:
            return kept.ids
        return self.backend.matching_ids(terms)

    def ranked(self, terms: list[str], *, limit: int) -> list[tuple[int, float]]:
        """The ``limit`` best matches as (id, score), best first. Callers filter the
        ranking themselves: a filter inside the full-text query is applied row by row."""
        kept = self._kept_scores(terms)
        if kept is not None:
            return kept.best(limit)
        return self.backend.ranked(terms, limit)

    def _kept_scores(self, terms: list[str]):
        """On SQLite, the matches and scores of a search made only of frequent words, from
        the scores kept in memory (``search.word_scores``); None otherwise."""
        if connection.vendor != "sqlite" or not terms:
            return None
        return word_scores.for_backend(self.backend).search(terms, self.token())


    def create(self, schema_editor) -> None:
        self._for(schema_editor).create(schema_editor)

    def drop(self, schema_editor) -> None:
        self._for(schema_editor).drop(schema_editor)

    def _for(self, schema_editor):
        vendor = schema_editor.connection.vendor
        return PostgreSQLBackend(self.name) if vendor == "postgresql" else SQLiteBackend(self.name)
