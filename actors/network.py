"""The network of a territory: its organisations linked by active partnerships, and the
figures of its ecosystem (seed 002: partnerships by type and by pair of partners' kinds,
the most connected actors, the isolated ones).

Which partnerships belong to a territory: for a région or a département, those located
there (``Partnership.region`` / ``departement``, copied from the partnership's territory
or, without one, from its first partner); for a smaller territory, those whose territory
lies inside it or that have a partner located in it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import Q

from actors.models import Kind, Organization, PartnershipMember, PartnershipStatus
from actors.places import organizations_in
from actors.policy import visible_partnerships
from taxonomy.models import PartnershipType
from territories.models import Level, Territory, at_or_inside

GRAPH_NODES = 150  # the graph shows the most connected organisations, the figures count them all
LISTED = 15


@dataclass
class Network:
    territory: Territory
    partnerships: int = 0
    organizations_inside: int = 0
    connected: int = 0
    by_type: list[tuple[str, str, int]] = field(default_factory=list)  # (code, label, count)
    by_pair: list[tuple[str, int]] = field(default_factory=list)  # ("Association – Entreprise", count)
    most_connected: list[tuple[Organization, int]] = field(default_factory=list)
    isolated_count: int = 0
    isolated: list[Organization] = field(default_factory=list)
    nodes: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    graph_is_partial: bool = False


def partnerships_of(territory: Territory, user=None):
    active = visible_partnerships(user).filter(status=PartnershipStatus.ACTIVE)
    if territory.level == Level.REGION:
        return active.filter(region=territory)
    if territory.level == Level.DEPARTEMENT:
        return active.filter(departement=territory)
    located = at_or_inside(territory)
    with_partner = Q(pk__in=PartnershipMember.objects.filter(organization__in=organizations_in(territory))
                     .values("partnership_id"))
    return active.filter(located | with_partner)


def network_of(territory: Territory, user=None, *, graph_nodes: int = GRAPH_NODES) -> Network:
    network = Network(territory)
    members_rows = PartnershipMember.objects.filter(partnership__in=partnerships_of(territory, user).values("pk"))
    # One pass over the partner rows, each with what the figures need of its organisation.
    rows = members_rows.values_list(
        "partnership_id", "partnership__type_id", "organization_id", "organization__name", "organization__slug",
        "organization__kind", "organization__is_demo")
    partners: dict[int, list[int]] = defaultdict(list)
    type_of: dict[int, int] = {}
    info: dict[int, tuple] = {}
    for partnership_id, type_id, organization_id, *organization in rows.iterator(chunk_size=10_000):
        partners[partnership_id].append(organization_id)
        type_of[partnership_id] = type_id
        info[organization_id] = tuple(organization)
    network.partnerships = len(partners)

    degree: Counter = Counter()
    for members in partners.values():
        degree.update(set(members))
    kind_label = dict(Kind.choices)

    types = {t.pk: t for t in PartnershipType.objects.all()}
    type_counts = Counter(type_of.values())
    network.by_type = [(types[t].code, types[t].label, type_counts.get(t, 0)) for t in sorted(types, key=lambda t: types[t].position)]

    pairs: Counter = Counter()  # by pair of kind codes; labelled once at the end
    for members in partners.values():
        kinds = [info[pk][2] for pk in set(members)]
        for a, b in combinations(kinds, 2):
            pairs[(a, b) if a <= b else (b, a)] += 1
    labelled: Counter = Counter()
    for (a, b), n in pairs.items():
        labelled[" – ".join(sorted((kind_label[a], kind_label[b])))] += n
    network.by_pair = labelled.most_common()

    inside = organizations_in(territory)
    inside_ids = set(inside.values_list("pk", flat=True))
    network.organizations_inside = len(inside_ids)
    network.connected = len(inside_ids & degree.keys())
    network.isolated_count = network.organizations_inside - network.connected
    network.isolated = list(inside.exclude(pk__in=members_rows.values("organization_id")).order_by("name")[:LISTED])

    top_ids = [pk for pk, _n in degree.most_common(LISTED)]
    by_pk = Organization.objects.in_bulk(top_ids)
    network.most_connected = [(by_pk[pk], degree[pk]) for pk in top_ids if pk in by_pk]

    shown = {pk for pk, _n in degree.most_common(graph_nodes)}
    network.graph_is_partial = len(shown) < len(degree)
    network.nodes = [
        {"id": info[pk][1], "name": info[pk][0], "kind": info[pk][2], "kind_label": kind_label[info[pk][2]],
         "degree": degree[pk], "inside": pk in inside_ids, "is_demo": info[pk][3],
         "url": f"/acteurs/organisations/{info[pk][1]}/"}
        for pk in sorted(shown, key=lambda pk: (-degree[pk], info[pk][0]))
    ]
    for partnership_id, members in partners.items():
        members = [m for m in dict.fromkeys(members) if m in shown]
        for a, b in combinations(members, 2):
            network.edges.append({"source": info[a][1], "target": info[b][1], "type": types[type_of[partnership_id]].code,
                                  "partnership": partnership_id})
    return network


GRAPH_SIZE = 640


def circle_layout(network: Network, size: int = GRAPH_SIZE) -> dict:
    """Positions for an SVG drawing without JavaScript: the organisations on a circle,
    grouped by kind (most connected first within a kind), partnerships as chords."""
    order = sorted(network.nodes, key=lambda n: (n["kind"], -n["degree"], n["name"]))
    centre, radius = size / 2, size / 2 - 40
    position = {}
    nodes = []
    for i, node in enumerate(order):
        angle = 2 * math.pi * i / max(1, len(order)) - math.pi / 2
        x, y = centre + radius * math.cos(angle), centre + radius * math.sin(angle)
        position[node["id"]] = (x, y)
        nodes.append({**node, "x": round(x, 1), "y": round(y, 1), "r": round(3 + 2 * math.sqrt(node["degree"]), 1)})
    edges = [{**e, "x1": round(position[e["source"]][0], 1), "y1": round(position[e["source"]][1], 1),
              "x2": round(position[e["target"]][0], 1), "y2": round(position[e["target"]][1], 1)}
             for e in network.edges]
    return {"size": size, "nodes": nodes, "edges": edges}
