"""Keeping the full-text index of the fiches in step: one place, called by every write path.

Only published fiches are in the index, so a draft or submitted fiche can never surface
in a search, a facet count or an export built on the search.
"""

from typing import Iterable

from django.db import transaction

from practices.models import CaseStudy, Status
from search.backends import Document, SearchIndex

INDEX = SearchIndex("practices")


def document_of(case: CaseStudy) -> Document:
    return Document(id=case.pk, title=case.title, summary=case.summary, body=case.search_body())


def reindex(cases: Iterable[CaseStudy]) -> None:
    cases = list(cases)
    INDEX.replace(document_of(c) for c in cases if c.status == Status.PUBLISHED)
    INDEX.delete(c.pk for c in cases if c.status != Status.PUBLISHED)


@transaction.atomic
def reindex_all(batch: int = 2000, progress=None) -> int:
    """Rebuild the whole index in one transaction: searches see the old index until the
    new one is complete, and SQLite writes it once instead of committing every batch."""
    INDEX.clear()
    done = 0
    queryset = CaseStudy.objects.published().prefetch_related("domains", "partnership_types").order_by("pk")
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last)[:batch])
        if not chunk:
            return done
        INDEX.replace(document_of(c) for c in chunk)
        done += len(chunk)
        last = chunk[-1].pk
        if progress:
            progress(len(chunk))
