"""The network of a territory: its organisations linked by active partnerships, and the
figures of its ecosystem (seed 002: partnerships by type and by pair of partners' kinds,
the most connected actors, the isolated ones).

Which partnerships belong to a territory: for a région or a département, those located
there (``Partnership.region`` / ``departement``, copied from the partnership's territory
or, without one, from its first partner); for a smaller territory (EPCI, commune, project),
those whose territory lies inside it or that have a partner located in it
(``partnerships_of``). Only active partnerships count: every visitor may see them
(``policy.visible_partnerships``), so one answer serves everyone.

**Stored, never stale.** The figures only change when an organisation, a partnership or a
partner is written, or when the territories' containment changes (an import of the
official territories, a project's communes). Every such write renews one token,
``search.IndexVersion`` « actors-network » (``touch``), in the write's own transaction
(``actors.signals``; the bulk importers call ``touch`` per batch). The first read of a
territory's network after a change computes it (``actors.network_figures``: a few lean
statements) and stores it with the token it read *before* computing
(``actors.NetworkFigures``); the next reads load that row as long as the token is still
the current one, in one query. A computation that overlaps a write is stored under the
token the write replaced, so it is never served again.

**The graph is capped.** It draws the ``GRAPH_NODES`` organisations with the most
partnerships (ties: the older organisation first) and the edges between them, at most
``GRAPH_EDGES``; the figures count every organisation and every link, and the answer says
how many organisations and links are not drawn.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from actors import network_figures
from actors.models import Kind, NetworkFigures, Organization, PartnershipMember, PartnershipStatus
from actors.places import organizations_in
from actors.policy import visible_partnerships
from search.models import IndexVersion
from taxonomy.models import PartnershipType
from territories.models import Level, Territory, at_or_inside

GRAPH_NODES = 150  # the graph shows the most connected organisations, the figures count them all
GRAPH_EDGES = 2000  # and at most this many of the partnerships between them
LISTED = network_figures.LISTED
TOKEN_NAME = "actors-network"
STORE_WAIT_MS = 100  # SQLite: how long a read waits for the write lock to store what it computed

logger = logging.getLogger(__name__)


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
    graph_nodes: int = GRAPH_NODES  # the cap on organisations drawn
    graph_edges: int = GRAPH_EDGES  # the cap on links drawn
    nodes_total: int = 0  # organisations in at least one of the territory's partnerships
    nodes_not_drawn: int = 0
    edges_total: int = 0  # links: a partnership of n partners links n(n-1)/2 pairs
    edges_not_drawn: int = 0


def partnerships_of(territory: Territory, user=None):
    """The territory's partnerships, as a queryset (the definition ``network_figures`` computes with SQL)."""
    active = visible_partnerships(user).filter(status=PartnershipStatus.ACTIVE)
    if territory.level == Level.REGION:
        return active.filter(region=territory)
    if territory.level == Level.DEPARTEMENT:
        return active.filter(departement=territory)
    located = at_or_inside(territory)
    with_partner = Q(pk__in=PartnershipMember.objects.filter(organization__in=organizations_in(territory))
                     .values("partnership_id"))
    return active.filter(located | with_partner)


# --- The token ---------------------------------------------------------------------------


def touch() -> None:
    """Every stored network is now out of date: call it in the transaction of the write."""
    token = uuid.uuid4().hex
    if not IndexVersion.objects.filter(name=TOKEN_NAME).update(token=token):
        IndexVersion.objects.update_or_create(name=TOKEN_NAME, defaults={"token": token})


def current_token() -> str:
    return IndexVersion.objects.filter(name=TOKEN_NAME).values_list("token", flat=True).first() or ""


# --- Reading ------------------------------------------------------------------------------


def network_of(territory: Territory, user=None, *, graph_nodes: int = GRAPH_NODES,
               graph_edges: int = GRAPH_EDGES) -> Network:
    """The territory's network: stored figures when they are current, else computed (and
    stored when the caps are the default ones). ``user`` is accepted for symmetry with the
    other views: the network shows active partnerships only, which anyone may see."""
    if (graph_nodes, graph_edges) != (GRAPH_NODES, GRAPH_EDGES):
        return _network(territory, compute(territory, graph_nodes=graph_nodes, graph_edges=graph_edges))
    figures = stored_figures(territory)
    if figures is None:
        token = current_token()  # read before computing: a write meanwhile retires what is stored
        figures = compute(territory)
        store(territory, token, figures)
    return _network(territory, figures)


def stored_figures(territory: Territory) -> dict | None:
    """The stored figures when their token is the current one (one query)."""
    current = IndexVersion.objects.filter(name=TOKEN_NAME).values("token")[:1]
    figures = (NetworkFigures.objects.filter(territory_id=territory.pk, token=current)
               .values_list("figures", flat=True).first())
    if figures is None or figures.get("format") != network_figures.FORMAT:
        return None
    return figures


def compute(territory: Territory, *, graph_nodes: int = GRAPH_NODES, graph_edges: int = GRAPH_EDGES) -> dict:
    return network_figures.compute(territory, graph_nodes=graph_nodes, graph_edges=graph_edges)


def store(territory: Territory, token: str, figures: dict) -> bool:
    """Keep the figures for the next reads. Best effort: when the database is busy writing
    (SQLite during a long import), the figures are not kept and a later read computes them."""
    row = NetworkFigures(territory_id=territory.pk, token=token, figures=figures, computed_at=timezone.now())
    try:
        with _short_lock_wait(), transaction.atomic():
            NetworkFigures.objects.bulk_create([row], update_conflicts=True, unique_fields=["territory"],
                                               update_fields=["token", "figures", "computed_at"])
    except DatabaseError as error:
        logger.info("network of %s/%s not stored: %s", territory.level, territory.code, error)
        return False
    return True


@contextmanager
def _short_lock_wait():
    """SQLite: wait ``STORE_WAIT_MS`` at most for the write lock (the connection waits 20 s
    otherwise, which a page must not), then give up."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    before = raw.execute("PRAGMA busy_timeout").fetchone()[0]
    raw.execute(f"PRAGMA busy_timeout = {int(STORE_WAIT_MS)}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(before)}")


def _network(territory: Territory, figures: dict) -> Network:
    """A ``Network`` from stored figures, with today's labels of kinds and partnership types."""
    kind_label = dict(Kind.choices)
    types = sorted(PartnershipType.objects.all(), key=lambda t: (t.position, t.pk))
    type_code = {t.pk: t.code for t in types}
    type_counts = dict((type_id, n) for type_id, n in figures["by_type"])
    labelled: Counter = Counter()
    for a, b, n in figures["by_pair"]:
        labelled[" – ".join(sorted((kind_label.get(a, a), kind_label.get(b, b))))] += n

    def organization(pk, slug, name, kind, is_demo):
        return Organization(pk=pk, slug=slug, name=name, kind=kind, is_demo=is_demo)

    nodes = [{"id": slug, "name": name, "kind": kind, "kind_label": kind_label.get(kind, kind), "degree": degree,
              "inside": inside, "is_demo": is_demo, "url": f"/acteurs/organisations/{slug}/"}
             for _pk, slug, name, kind, is_demo, degree, inside in figures["nodes"]]
    edges = [{"source": source, "target": target, "type": type_code.get(type_id, ""), "partnership": pid}
             for source, target, type_id, pid in figures["edges"]]
    nodes_not_drawn = figures["nodes_total"] - len(nodes)
    edges_not_drawn = figures["edges_total"] - len(edges)
    return Network(
        territory=territory,
        partnerships=figures["partnerships"],
        organizations_inside=figures["organizations_inside"],
        connected=figures["connected"],
        by_type=[(t.code, t.label, type_counts.get(t.pk, 0)) for t in types],
        by_pair=sorted(labelled.items(), key=lambda item: (-item[1], item[0])),
        most_connected=[(organization(*row[:5]), row[5]) for row in figures["most_connected"]],
        isolated_count=figures["isolated_count"],
        isolated=[organization(*row) for row in figures["isolated"]],
        nodes=nodes,
        edges=edges,
        graph_is_partial=nodes_not_drawn > 0 or edges_not_drawn > 0,
        graph_nodes=figures["graph_nodes"],
        graph_edges=figures["graph_edges"],
        nodes_total=figures["nodes_total"],
        nodes_not_drawn=nodes_not_drawn,
        edges_total=figures["edges_total"],
        edges_not_drawn=edges_not_drawn,
    )


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
