"""JSON of the network of a territory: nodes, edges and the figures of its ecosystem."""

from ninja import Router, Schema

from actors.network import network_of
from catalyseur.schemas import ErrorOut
from territories.policy import get_visible_territory

router = Router(tags=["Acteurs"])


class Node(Schema):
    id: str
    name: str
    kind: str
    kind_label: str
    degree: int
    inside: bool
    is_demo: bool
    url: str


class Edge(Schema):
    source: str
    target: str
    type: str
    partnership: int


class Count(Schema):
    label: str
    count: int


class Connected(Schema):
    id: str
    name: str
    kind: str
    partnerships: int


class NetworkOut(Schema):
    territory: dict
    partnerships: int
    organizations_inside: int
    connected: int
    isolated: int
    by_type: list[Count]
    by_pair: list[Count]
    most_connected: list[Connected]
    graph_is_partial: bool
    graph_cap: int
    nodes_total: int
    nodes_not_drawn: int
    edges_total: int
    edges_not_drawn: int
    nodes: list[Node]
    edges: list[Edge]


@router.get("/territories/{level}/{code}/network", response={200: NetworkOut, 404: ErrorOut}, url_name="territory_network",
            summary="Réseau des partenariats d'un territoire")
def territory_network(request, level: str, code: str):
    """Organisations reliées par des partenariats actifs, chiffres de l'écosystème (par type, par couple
    de natures, acteurs les plus reliés, acteurs isolés). Le graphe se limite aux `graph_cap` (150)
    organisations les plus reliées et à 2 000 liens entre elles ; les chiffres comptent tout.
    `graph_is_partial` dit si le graphe est limité, `nodes_not_drawn` et `edges_not_drawn` combien
    d'organisations et de liens (un partenariat de n partenaires relie n(n-1)/2 paires) n'y sont pas."""
    territory = get_visible_territory(request.user, level, code)
    network = network_of(territory, request.user)
    return {
        "territory": {"level": territory.level, "code": territory.code, "name": territory.name},
        "partnerships": network.partnerships, "organizations_inside": network.organizations_inside,
        "connected": network.connected, "isolated": network.isolated_count,
        "by_type": [{"label": label, "count": n} for _code, label, n in network.by_type],
        "by_pair": [{"label": pair, "count": n} for pair, n in network.by_pair],
        "most_connected": [{"id": o.slug, "name": o.name, "kind": o.kind, "partnerships": n} for o, n in network.most_connected],
        "graph_is_partial": network.graph_is_partial, "graph_cap": network.graph_nodes,
        "nodes_total": network.nodes_total, "nodes_not_drawn": network.nodes_not_drawn,
        "edges_total": network.edges_total, "edges_not_drawn": network.edges_not_drawn,
        "nodes": network.nodes, "edges": network.edges,
    }
