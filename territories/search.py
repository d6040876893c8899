"""Territory search for the autocomplete, the search page and the API.

Matches, best first: the exact official code; the exact name; names starting with the
text; then names containing it. A numeric text also matches postal codes. Within each
group, larger population first. Names are compared on their stored searchable form (see
``normalize.searchable``) through a B-tree index: exact and prefix matches are index
range scans; the "contains" group is only computed when the first groups leave room.
"""

from django.db.models import F

from territories.models import OFFICIAL_LEVELS, PostalCode, Territory
from territories.normalize import searchable
from territories.policy import visible_filter

MAX_LIMIT = 50
# Every searchable form is made of [a-z0-9 ]; "~" sorts after all of them byte-wise.
_AFTER_ALL = "~"


def _base(user, levels, include_obsolete):
    qs = Territory.objects.filter(visible_filter(user))
    if not include_obsolete:
        qs = qs.filter(is_obsolete=False)
    if levels:
        qs = qs.filter(level__in=levels)
    return qs.order_by(F("population").desc(nulls_last=True), "name", "level")


def search_territories(text: str, *, user=None, levels=None, limit: int = 10, include_obsolete: bool = False) -> list[Territory]:
    limit = max(1, min(limit, MAX_LIMIT))
    raw = (text or "").strip()
    wanted = searchable(raw)
    if not wanted:
        return []
    base = _base(user, levels, include_obsolete)
    found: list[Territory] = []
    seen: set[int] = set()

    def take(qs):
        if len(found) >= limit:
            return
        for territory in qs.exclude(pk__in=seen)[: limit - len(found)]:
            seen.add(territory.pk)
            found.append(territory)

    compact = raw.replace(" ", "")
    if compact.isalnum() and any(ch.isdigit() for ch in compact):
        # Exact official code, through the (level, code) unique index.
        take(base.filter(level__in=levels or OFFICIAL_LEVELS, code=compact.upper()))
        if compact.isdigit() and len(compact) <= 5:
            # Postal codes are five digits: a prefix is a range that any collation sorts alike.
            postal = PostalCode.objects.filter(code__gte=compact.ljust(5, "0"), code__lte=compact.ljust(5, "9"))
            take(base.filter(pk__in=postal.values("territory_id")))
    take(base.filter(search_name=wanted))
    take(base.filter(search_name__gt=wanted, search_name__lt=wanted + _AFTER_ALL))
    if not wanted.replace(" ", "").isdigit():
        # Names hold no postal code: a number never needs the (unindexed) "contains" scan.
        take(base.filter(search_name__contains=wanted))
    return found
