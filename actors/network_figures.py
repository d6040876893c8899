"""The cold computation of a territory's network: a few lean statements, then counting in
Python. ``actors.network`` stores the result and serves it until the next write.

Which partnerships belong to a territory, which organisations are in it: see
``actors.network`` (``partnerships_of`` and ``actors.places.organizations_in`` say the
same thing with the ORM; ``actors/tests/test_network.py`` checks every figure against a
brute-force count over every row, at every level). Here:

1. **The partner rows**: ``(partnership, type, organisation)`` for every partner of the
   territory's active partnerships, grouped by partnership. A département or a région
   reads its partnerships from the covering index ``(departement|region, status, type)``
   and their partners from the unique index ``(partnership, organization)``: no table row
   is read. A smaller territory (EPCI, commune, project) unites the partnerships located
   in it with those having a partner located in it.
2. **The organisations located in the territory**, with their kind, from a covering index:
   the map's ``(departement|region, kind, latitude, longitude)``, or ``(commune, kind)``
   for the smaller territories. The kinds of the partners located elsewhere are then read
   by primary key. Reading every partner's kind in the first statement (a join) reads one
   table row per partner row: at 90,000 partner rows it took about twice as long as the
   partner rows and these two look-ups together.
3. Counting: partnerships and types, each organisation's partnerships (degree), the
   pairs of kinds (one kind tuple per partnership, counted, then expanded once per
   distinct tuple), connected and isolated organisations, all with C-level iteration.
4. Only the organisations shown are read whole: the graph's (the ``graph_nodes`` with
   the most partnerships), the first isolated ones by name, and the partner rows of the
   graph's organisations for its edges.

The result is a JSON-ready dict of ids and codes; labels (kinds, partnership types) are
put on when it is read, so a renamed type never needs a recomputation.
"""

from __future__ import annotations

import json
from collections import Counter
from itertools import combinations, groupby
from operator import itemgetter

from django.db import connection

from actors.models import Organization, Partnership, PartnershipMember, PartnershipStatus
from territories.models import Level, Territory, TerritoryLink

FORMAT = 1  # bump when the stored dict changes shape: older rows are then recomputed
LISTED = 15  # most connected and isolated organisations listed

_P = Partnership._meta.db_table
_M = PartnershipMember._meta.db_table
_O = Organization._meta.db_table
_L = TerritoryLink._meta.db_table
# The organisation's indexed copy of its place (actors.places.LOCATED_BY).
_COLUMN = {Level.REGION: "region_id", Level.DEPARTEMENT: "departement_id"}


def ids_condition(column: str, ids) -> tuple[str, list]:
    """``column`` among ``ids``, as one parameter whatever their number."""
    ids = list(ids)
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [ids]
    if connection.vendor == "sqlite":
        return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]
    return (f"{column} IN ({', '.join(['%s'] * len(ids))})", ids) if ids else ("1 = 0", [])


def partner_rows_sql(territory: Territory) -> tuple[str, list]:
    """``(partnership id, type id, organisation id)`` of every partner of the territory's
    active partnerships, the rows of one partnership next to each other."""
    active = PartnershipStatus.ACTIVE
    if territory.level in _COLUMN:
        column = _COLUMN[territory.level]
        # The ORDER BY is the covering index's own order (no sort on SQLite): it keeps
        # each partnership's rows together whatever join the database picks.
        return (f"SELECT p.id, p.type_id, m.organization_id FROM {_P} p JOIN {_M} m ON m.partnership_id = p.id "
                f"WHERE p.{column} = %s AND p.status = %s ORDER BY p.type_id, p.id"), [territory.pk, active]
    inside, params = organizations_inside_sql(territory, "o")
    sql = (f"WITH located(id) AS ("
           f"SELECT id FROM {_P} WHERE territory_id = %s "
           f"UNION SELECT p.id FROM {_L} l JOIN {_P} p ON p.territory_id = l.descendant_id WHERE l.ancestor_id = %s "
           f"UNION SELECT m.partnership_id FROM {_O} o JOIN {_M} m ON m.organization_id = o.id WHERE {inside}) "
           f"SELECT p.id, p.type_id, m.organization_id FROM located JOIN {_P} p ON p.id = located.id "
           f"JOIN {_M} m ON m.partnership_id = p.id WHERE p.status = %s ORDER BY p.id")
    return sql, [territory.pk, territory.pk, *params, active]


def organizations_inside_sql(territory: Territory, alias: str) -> tuple[str, list]:
    """The condition on organisations ``alias`` located in the territory (actors.places.located_in)."""
    if territory.level in _COLUMN:
        return f"{alias}.{_COLUMN[territory.level]} = %s", [territory.pk]
    if territory.level == Level.COMMUNE:
        return f"{alias}.commune_id = %s", [territory.pk]
    return (f"{alias}.commune_id IN (SELECT descendant_id FROM {_L} WHERE ancestor_id = %s AND descendant_level = %s)",
            [territory.pk, Level.COMMUNE])


def statements(territory: Territory) -> list[tuple[str, str, list]]:
    """The statements whose cost grows with the territory, for query plans: (label, SQL, params)."""
    inside, params = organizations_inside_sql(territory, "o")
    some = ids_condition("id", [1, 2, 3])
    return [("partner rows", *partner_rows_sql(territory)),
            ("organisations located inside, with their kind", f"SELECT o.id, o.kind FROM {_O} o WHERE {inside}", params),
            ("kinds of the partners located elsewhere", f"SELECT id, kind FROM {_O} WHERE {some[0]}", some[1])]


def compute(territory: Territory, *, graph_nodes: int, graph_edges: int) -> dict:
    with connection.cursor() as cursor:
        sql, params = partner_rows_sql(territory)
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        inside_sql, inside_params = organizations_inside_sql(territory, "o")
        cursor.execute(f"SELECT o.id, o.kind FROM {_O} o WHERE {inside_sql}", inside_params)
        kind_of = dict(cursor.fetchall())
        inside = set(kind_of)

        pids = list(map(itemgetter(0), rows))
        orgs = list(map(itemgetter(2), rows))
        degree = Counter(orgs)
        type_of = dict(zip(pids, map(itemgetter(1), rows)))
        elsewhere = degree.keys() - inside
        if elsewhere:
            condition, params = ids_condition("id", sorted(elsewhere))
            cursor.execute(f"SELECT id, kind FROM {_O} WHERE {condition}", params)
            kind_of.update(cursor.fetchall())
        for pk in degree.keys() - kind_of.keys():
            kind_of[pk] = ""  # deleted since the partner rows were read: the next write's token retires this

        # Pairs of kinds: one sorted kind tuple per partnership, counted; each distinct tuple
        # is expanded once (a tuple of n partners holds n(n-1)/2 pairs).
        kinds = map(kind_of.get, orgs)
        tuples = Counter(tuple(sorted(map(itemgetter(1), group)))
                         for _pid, group in groupby(zip(pids, kinds), itemgetter(0)))
        pairs: Counter = Counter()
        for kinds_of_one, n in tuples.items():
            counted = Counter(kinds_of_one)
            for a, b in combinations(sorted(counted), 2):
                pairs[(a, b)] += n * counted[a] * counted[b]
            for a, c in counted.items():
                if c > 1:
                    pairs[(a, a)] += n * c * (c - 1) // 2

        shown = _most_connected(degree, max(graph_nodes, LISTED))
        isolated = inside - degree.keys()
        info = _organizations(cursor, shown)
        shown = [pk for pk in shown if pk in info]
        first_isolated = _first_by_name(cursor, isolated, LISTED)
        drawn = shown[:graph_nodes]
        edges, edges_among_drawn = _edges(cursor, drawn, type_of, info, graph_edges)

    def org(pk):
        slug, name, kind, is_demo = info[pk]
        return [pk, slug, name, kind, bool(is_demo)]

    return {
        "format": FORMAT,
        "partnerships": len(type_of),
        "organizations_inside": len(inside),
        "connected": len(inside) - len(isolated),
        "by_type": sorted(Counter(type_of.values()).items()),
        "by_pair": [[a, b, n] for (a, b), n in sorted(pairs.items())],
        "most_connected": [org(pk) + [degree[pk]] for pk in shown[:LISTED]],
        "isolated_count": len(isolated),
        "isolated": [[pk, slug, name, kind, bool(is_demo)] for pk, slug, name, kind, is_demo in first_isolated],
        "nodes": [org(pk) + [degree[pk], pk in inside] for pk in drawn],
        "nodes_total": len(degree),
        "edges": edges,
        "edges_total": sum(pairs.values()),
        "edges_among_drawn": edges_among_drawn,
        "graph_nodes": graph_nodes,
        "graph_edges": graph_edges,
    }


def _most_connected(degree: Counter, n: int) -> list[int]:
    """The ``n`` organisations with the most partnerships, ties to the oldest (smallest id).
    Only those at or above the n-th degree are sorted."""
    if len(degree) <= n:
        return sorted(degree, key=lambda pk: (-degree[pk], pk))
    at_least = Counter(degree.values())
    total, threshold = 0, 0
    for value in sorted(at_least, reverse=True):
        total += at_least[value]
        threshold = value
        if total >= n:
            break
    candidates = [pk for pk, d in degree.items() if d >= threshold]
    candidates.sort(key=lambda pk: (-degree[pk], pk))
    return candidates[:n]


def _organizations(cursor, ids: list[int]) -> dict[int, tuple]:
    if not ids:
        return {}
    condition, params = ids_condition("id", ids)
    cursor.execute(f"SELECT id, slug, name, kind, is_demo FROM {_O} WHERE {condition}", params)
    return {pk: rest for pk, *rest in cursor.fetchall()}


def _first_by_name(cursor, ids: set[int], n: int) -> list[tuple]:
    if not ids:
        return []
    condition, params = ids_condition("id", sorted(ids))
    cursor.execute(f"SELECT id, slug, name, kind, is_demo FROM {_O} WHERE {condition} ORDER BY name, id LIMIT {int(n)}",
                   params)
    return cursor.fetchall()


def _edges(cursor, drawn: list[int], type_of: dict, info: dict, cap: int) -> tuple[list, int]:
    """Edges between the organisations drawn, one per partnership and pair of its partners
    (first partner first), in partnership order, at most ``cap``; and how many there were."""
    if len(drawn) < 2:
        return [], 0
    condition, params = ids_condition("organization_id", drawn)
    cursor.execute(f"SELECT partnership_id, organization_id FROM {_M} WHERE {condition} "
                   f"ORDER BY partnership_id, id", params)
    edges, total = [], 0
    for pid, group in groupby(cursor.fetchall(), itemgetter(0)):
        if pid not in type_of:
            continue  # a partnership of another territory, or not active
        members = [org for _pid, org in group]
        for a, b in combinations(members, 2):
            total += 1
            if len(edges) < cap:
                edges.append([info[a][0], info[b][0], type_of[pid], pid])
    return edges, total
