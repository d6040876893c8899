"""« Pratiques similaires »: fiches close by their taxonomy and their words."""

from django.db.models import Q

from practices.models import CaseStudy
from search.text import analyze

CANDIDATES = 300


def _terms(case: CaseStudy) -> set[str]:
    return set(analyze(f"{case.title} {case.summary} {case.objet}"))


def similar_to(case: CaseStudy, visible, limit: int = 4) -> list[CaseStudy]:
    domains = set(case.domains.values_list("pk", flat=True))
    types = set(case.partnership_types.values_list("pk", flat=True))
    related = Q(domains__in=domains) | Q(partnership_types__in=types)
    if case.category:
        related |= Q(category=case.category)
    candidates = list(
        visible.exclude(pk=case.pk).filter(pk__in=CaseStudy.objects.filter(related).values("pk"))
        .prefetch_related("domains", "partnership_types").order_by("-published_at")[:CANDIDATES]
    )
    mine = _terms(case)

    def score(other: CaseStudy) -> float:
        shared_domains = len(domains & {d.pk for d in other.domains.all()})
        shared_types = len(types & {t.pk for t in other.partnership_types.all()})
        theirs = _terms(other)
        words = len(mine & theirs) / (len(mine | theirs) or 1)
        return 3 * shared_domains + 2 * shared_types + (1 if other.category and other.category == case.category else 0) + 10 * words

    return sorted(candidates, key=lambda other: (-score(other), other.title))[:limit]
