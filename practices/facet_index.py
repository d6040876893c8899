"""Facet counts and date-ordered pages from an in-memory snapshot of the published fiches.

Counting each facet in SQL means re-applying every other filter for every facet: at
100,000 fiches that is several full passes over the matches per request. Here, instead,
each facet value holds a *presence map*: a Python ``int`` whose bit ``i`` is set when
fiche number ``i`` has the value. Intersecting two sets is ``a & b`` and counting one is
``m.bit_count()``, both done in C (12.5 kB per map at 100,000 fiches). A list of ids
becomes a map without a Python-level loop over bits: one byte per fiche is set first
(``bytearray``, through ``map``), then the bytes are packed eight to a byte with a few
shifts and masks on the whole number (``pack_bytes``).

Fiche numbers follow the public order, newest published first, so the page of a
date-sorted list is found by scanning the map from the start.

Only published fiches are in the snapshot: it answers for every visitor alike, as
``policy.searchable_case_studies`` does. It is rebuilt in the process that needs it when
the full-text index of the fiches changes (every write path reindexes, which renews the
index token) or when the territories are imported again (containment may have changed).
"""

from __future__ import annotations

import re
import threading
from array import array
from collections import Counter, OrderedDict, defaultdict, deque
from itertools import repeat
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np
from django.db.models import F

from practices import policy
from practices.indexing import INDEX
from practices.models import CaseStudy
from territories.models import ImportRun, Level, Territory, TerritoryLink

# The matches and the best hits of the last searches are kept with the snapshot, for the
# requests that usually follow with the same words: a facet ticked, the next page.
RECENT_SEARCHES = 32

# Containment levels whose maps are kept ready: they are the facet's first two steps
# (régions, then the départements of a région). Smaller territories are built on demand.
READY_LEVELS = (Level.REGION, Level.DEPARTEMENT)


_NONZERO_BYTE = re.compile(rb"[^\x00]")
_BITS_IN_BYTE = bytes(bin(i).count("1") for i in range(256))


@lru_cache(maxsize=8)
def _packing_masks(length: int) -> tuple[int, int, int]:
    return (int.from_bytes(b"\x03\x00" * (length // 2), "little"),
            int.from_bytes(b"\x0f\x00\x00\x00" * (length // 4), "little"),
            int.from_bytes(b"\xff\x00\x00\x00\x00\x00\x00\x00" * (length // 8), "little"))


def pack_bytes(flags: bytes | bytearray) -> int:
    """The map whose bit ``i`` is set when byte ``i`` of ``flags`` is 1 (bytes are 0 or 1).

    Read as one little-endian number, byte ``i`` is bit ``8i``. Three shift-or-mask steps
    gather the bits of each run of 8 bytes into its first byte (2, then 4, then 8 bits),
    and a slice with step 8 keeps those bytes."""
    data = bytes(flags) + bytes(-len(flags) % 8)
    one, two, three = _packing_masks(len(data))
    x = int.from_bytes(data, "little")
    x = (x | x >> 7) & one
    x = (x | x >> 14) & two
    x = (x | x >> 28) & three
    return int.from_bytes(x.to_bytes(len(data), "little")[::8], "little")


def presence(positions: Iterable[int], size: int) -> int:
    """The presence map of fiche numbers ``positions`` among ``size`` fiches."""
    flags = bytearray(size)
    for position in positions:
        flags[position] = 1
    return pack_bytes(flags)


def positions_in(found: int, size: int, *, skip: int = 0, limit: int | None = None) -> list[int]:
    """The fiche numbers present in a map, in order, after skipping the first ``skip``."""
    data = found.to_bytes((size + 7) // 8, "little")
    out: list[int] = []
    for match in _NONZERO_BYTE.finditer(data):
        index = match.start()
        byte = data[index]
        if skip >= _BITS_IN_BYTE[byte]:
            skip -= _BITS_IN_BYTE[byte]
            continue
        for bit in range(8):
            if byte >> bit & 1:
                if skip:
                    skip -= 1
                    continue
                out.append(8 * index + bit)
                if limit is not None and len(out) >= limit:
                    return out
    return out


@dataclass
class Snapshot:
    stamp: tuple
    pks: list[int]  # fiche number → primary key
    slot: array  # primary key → fiche number, or ``size`` (outside every map) when not published
    everything: int
    values: dict[str, dict[str, int]]  # facet → value → presence map
    domain_order: list[str]  # domain codes in taxonomy order (ties between equal counts)
    type_order: list[str]
    within: dict[int, int]  # région or département id → map of the fiches inside it
    territory_of: list[int | None]  # fiche number → its own territory id
    level_of: dict[int, str]  # territory id → level, for the territories of fiches
    numbers_at: dict[int, list[int]] = field(default_factory=dict)  # territory id → fiche numbers located there
    level_of_ready: dict[int, str] = field(default_factory=dict)  # the level of each key of ``within``
    recent: "RecentSearches" = field(default_factory=lambda: RecentSearches(RECENT_SEARCHES))

    def matches(self, terms: list[str]) -> int:
        """The map of the fiches matching all the words (kept for the next requests)."""
        key = ("matches", tuple(terms))
        found = self.recent.get(key)
        if found is None:
            found = self.recent.put(key, self.of_ids(INDEX.matching_ids(terms)))
        return found

    def ranking(self, terms: list[str], limit: int) -> list[tuple[int, float]]:
        """At least the ``limit`` best matches (all of them when fewer), best first."""
        key = ("ranking", tuple(terms))
        known = self.recent.get(key)
        if known is not None and (len(known[1]) >= limit or len(known[1]) < known[0]):
            return known[1]
        return self.recent.put(key, (limit, INDEX.ranked(terms, limit=limit)))[1]

    @property
    def size(self) -> int:
        return len(self.pks)

    def number_of(self, pk: int) -> int | None:
        """The fiche's number, or None when it is not in the snapshot."""
        n = self.slot[pk] if 0 <= pk < len(self.slot) else self.size
        return n if n < self.size else None

    def of_ids(self, ids: Sequence[int]) -> int:
        """The map of the given fiches (ids not in the snapshot are left out).

        Tens of thousands of ids per search: the loop runs in C (``map`` over the
        array of slots, then over ``bytearray.__setitem__``, or numpy's indexing when the
        ids come as an array); unknown ids all land on the flag after the last fiche,
        which the final ``& everything`` drops."""
        if isinstance(ids, np.ndarray) and (not len(ids) or int(ids.max()) < len(self.slot)):
            flags = np.zeros(self.size + 1, dtype=np.uint8)
            flags[np.frombuffer(self.slot, dtype=np.dtype(self.slot.typecode))[ids]] = 1
            return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little") & self.everything
        flags = bytearray(self.size + 1)
        try:
            deque(map(flags.__setitem__, map(self.slot.__getitem__, ids), repeat(1)), maxlen=0)
        except IndexError:  # an id newer than the snapshot: the slow way
            return presence((n for n in map(self.number_of, ids) if n is not None), self.size)
        return pack_bytes(flags) & self.everything

    def first_found(self, ranking: list[tuple[int, float]], found: int, *, skip: int, limit: int) -> list[tuple[int, float]]:
        """The entries of a ranking (id, score) whose fiche is in ``found``, in the
        ranking's order, after skipping the first ``skip`` of them."""
        present = found.to_bytes((self.size + 7) // 8, "little")
        number_of = self.number_of
        out = []
        for entry in ranking:
            n = number_of(entry[0])
            if n is not None and present[n >> 3] >> (n & 7) & 1:
                if skip:
                    skip -= 1
                else:
                    out.append(entry)
                    if len(out) == limit:
                        break
        return out

    def of_values(self, facet: str, selected: Iterable) -> int:
        """Fiches with any of the selected values of one facet."""
        maps = self.values[facet]
        found = 0
        for value in selected:
            found |= maps.get(str(value), 0)
        return found

    def inside(self, territory: Territory) -> int:
        """Fiches located in the territory or anywhere inside it."""
        if territory.pk in self.within:
            return self.within[territory.pk]
        ids = {territory.pk}
        ids.update(TerritoryLink.objects.filter(ancestor=territory).values_list("descendant_id", flat=True))
        return presence((n for tid in ids & self.numbers_at.keys() for n in self.numbers_at[tid]), self.size)

    def count_by_value(self, facet: str, found: int) -> list[tuple[str, int]]:
        return [(value, n) for value, m in self.values[facet].items() if (n := (m & found).bit_count())]

    def count_within(self, level: str, found: int) -> dict[int, int]:
        """How many of the fiches found lie in each territory of a ready level."""
        counts = {}
        for territory_id, m in self.within.items():
            if self.level_of_ready[territory_id] == level and (n := (m & found).bit_count()):
                counts[territory_id] = n
        return counts

    def count_located_at(self, level: str, found: int) -> dict[int, int]:
        """How many of the fiches found are located right at a territory of ``level``
        (used below the ready levels, where the fiches found are few)."""
        counter = Counter(self.territory_of[n] for n in positions_in(found, self.size))
        return {tid: n for tid, n in counter.items() if tid is not None and self.level_of.get(tid) == level}


class RecentSearches:
    """A small least-recently-used store, safe to share between threads."""

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def put(self, key, value):
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value


def _build(stamp: tuple) -> Snapshot:
    published = policy.searchable_case_studies(None)
    rows = list(
        published.order_by(F("published_at").desc(nulls_last=True), "-pk")
        .values_list("pk", "category", "carrier_status", "year_started", "territory_id")
    )
    size = len(rows)
    pks = [row[0] for row in rows]
    slot = array("l", repeat(size, max(pks, default=0) + 1))
    for n, pk in enumerate(pks):
        slot[pk] = n
    numbers: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    numbers_at: dict[int, list[int]] = defaultdict(list)
    for n, (_pk, category, carrier_status, year, territory_id) in enumerate(rows):
        if category:
            numbers["categorie"][category].append(n)
        if carrier_status:
            numbers["statut"][carrier_status].append(n)
        if year is not None:
            numbers["annee"][str(year)].append(n)
        if territory_id is not None:
            numbers_at[territory_id].append(n)
    for facet, through, column in (("domaine", CaseStudy.domains.through, "domain__code"),
                                   ("type", CaseStudy.partnership_types.through, "partnershiptype__code")):
        pairs = through.objects.filter(casestudy__in=published.values("pk")).values_list("casestudy_id", column)
        for case_id, code in pairs.iterator(chunk_size=10_000):
            n = slot[case_id] if case_id < len(slot) else size
            if n < size:
                numbers[facet][code].append(n)
    values = {facet: {value: presence(ns, size) for value, ns in by_value.items()}
              for facet, by_value in numbers.items()}
    for facet in ("domaine", "type", "categorie", "statut", "annee"):
        values.setdefault(facet, {})

    located = published.values("territory_id")
    level_of = dict(Territory.objects.filter(pk__in=located).values_list("pk", "level"))
    inside_ready: dict[int, list[int]] = defaultdict(list)
    level_of_ready: dict[int, str] = {}
    for territory_id, ns in numbers_at.items():
        if level_of.get(territory_id) in READY_LEVELS:
            inside_ready[territory_id].extend(ns)
            level_of_ready[territory_id] = level_of[territory_id]
    links = TerritoryLink.objects.filter(descendant_id__in=located, ancestor__level__in=READY_LEVELS)
    for descendant_id, ancestor_id, ancestor_level in links.values_list("descendant_id", "ancestor_id", "ancestor__level"):
        inside_ready[ancestor_id].extend(numbers_at.get(descendant_id, ()))
        level_of_ready[ancestor_id] = ancestor_level

    territory_of = [row[4] for row in rows]
    return Snapshot(
        stamp=stamp, pks=pks, slot=slot, everything=(1 << size) - 1, values=values,
        domain_order=_codes_in_order("domains"), type_order=_codes_in_order("partnership_types"),
        within={tid: presence(ns, size) for tid, ns in inside_ready.items()},
        territory_of=territory_of, level_of=level_of, numbers_at=dict(numbers_at), level_of_ready=level_of_ready,
    )


def _codes_in_order(relation: str) -> list[str]:
    model = CaseStudy._meta.get_field(relation).related_model
    return list(model.objects.order_by("position", "code").values_list("code", flat=True))


def _stamp() -> tuple:
    latest_import = ImportRun.objects.order_by("-pk").values_list("pk", "finished_at").first()
    return (INDEX.token(), latest_import)


_current: Snapshot | None = None
_lock = threading.Lock()


def current() -> Snapshot:
    """The snapshot of the fiches as they are now (rebuilt first when they changed)."""
    global _current
    stamp = _stamp()
    snapshot = _current
    if snapshot is not None and snapshot.stamp == stamp:
        return snapshot
    with _lock:
        if _current is None or _current.stamp != stamp:
            _current = _build(stamp)
        return _current
