"""The network of a territory: its figures equal a brute-force count on a small world, for
every level; stored figures are never served after a write of any kind; the graph is
capped and says so."""

import random
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest
from django.db import OperationalError, transaction
from django.urls import reverse

from actors import network as network_module
from actors.importers.rna import import_rna
from actors.models import Kind, NetworkFigures, Organization, Partnership, PartnershipMember, PartnershipStatus
from actors.network import GRAPH_NODES, LISTED, current_token, network_of, touch
from actors.workflow import locate_partnership
from taxonomy.models import PartnershipType
from territories.models import Level, Territory, TerritoryLink
from territories.projects import save_project

pytestmark = pytest.mark.django_db

RNA_FILE = Path(__file__).resolve().parent / "data" / "rna_waldec_94.csv"
COMMUNES = ["94018", "94038", "94046", "94069", "45234", "45232", "45147", "64445", "64335", "33314"]


def commune(code):
    return Territory.objects.get(level=Level.COMMUNE, code=code)


@pytest.fixture
def world(sample_territories, member):
    """About 45 organisations in four départements (two without a commune), 70 partnerships
    of 1 to 4 partners, active, proposed or ended, located or not, and a project territory."""
    rng = random.Random(20240613)
    communes = {code: commune(code) for code in COMMUNES}
    kinds = [k for k, _label in Kind.choices]
    organizations = []
    for i in range(45):
        where = None if i in (7, 31) else communes[rng.choice(COMMUNES)]
        organizations.append(Organization.objects.create(
            slug=f"org-{i:02d}", name=f"Organisation {rng.choice('ABCDEFGH')}{i:02d}", kind=rng.choice(kinds),
            commune=where, is_demo=i % 9 == 0))
    project = save_project(owner=member, name="Boucle (essai)", description="", is_private=False,
                           commune_ids=[communes["94018"].pk, communes["94069"].pk, communes["45234"].pk])
    types = list(PartnershipType.objects.all())
    places = [None, None, None, communes["94018"], communes["45234"], project,
              Territory.objects.get(level=Level.DEPARTEMENT, code="64"),
              Territory.objects.get(level=Level.EPCI, code="200054781"),
              Territory.objects.get(level=Level.REGION, code="24")]
    for i in range(70):
        status = rng.choices([PartnershipStatus.ACTIVE, PartnershipStatus.PROPOSED, PartnershipStatus.ENDED], [7, 2, 1])[0]
        partnership = Partnership.objects.create(title=f"P{i}", type=rng.choice(types), status=status,
                                                 territory=rng.choice(places))
        for organization in rng.sample(organizations, rng.choice([1, 2, 2, 2, 3, 3, 4])):
            PartnershipMember.objects.create(partnership=partnership, organization=organization)
        locate_partnership(partnership)
        partnership.save()
    # Spare organisations in no partnership, for the writes below (creating one is a write of its own).
    for slug, kind in (("spare-1", Kind.ASSOCIATION), ("spare-2", Kind.ENTREPRISE), ("spare-3", Kind.FONDATION)):
        Organization.objects.create(slug=slug, name=slug.title(), kind=kind, commune=communes["94046"])
    # An active partnership whose partners were all deleted: it has no partner row left.
    empty = Partnership.objects.create(title="Vide", type=types[0], status=PartnershipStatus.ACTIVE,
                                       territory=communes["94018"])
    locate_partnership(empty)
    empty.save()
    return project


# --- The brute force: the definitions, written out over every row -----------------------


def brute_force(territory, graph_nodes=GRAPH_NODES, graph_edges=network_module.GRAPH_EDGES):
    links = set(TerritoryLink.objects.values_list("ancestor_id", "descendant_id"))
    communes_inside = {d for a, d in links if a == territory.pk} | {territory.pk}
    organizations = {o.pk: o for o in Organization.objects.all()}

    def located(o):
        if territory.level == Level.REGION:
            return o.region_id == territory.pk
        if territory.level == Level.DEPARTEMENT:
            return o.departement_id == territory.pk
        return o.commune_id in communes_inside

    members = {}
    for row in PartnershipMember.objects.order_by("pk"):
        members.setdefault(row.partnership_id, []).append(row.organization_id)
    chosen = []
    for p in Partnership.objects.order_by("pk"):
        if p.status != PartnershipStatus.ACTIVE or not members.get(p.pk):
            continue
        if territory.level == Level.REGION:
            inside = p.region_id == territory.pk
        elif territory.level == Level.DEPARTEMENT:
            inside = p.departement_id == territory.pk
        else:
            inside = (p.territory_id == territory.pk or (territory.pk, p.territory_id) in links
                      or any(located(organizations[o]) for o in members[p.pk]))
        if inside:
            chosen.append(p)
    types = {t.pk: t for t in PartnershipType.objects.all()}
    label = dict(Kind.choices)
    degree = Counter(o for p in chosen for o in members[p.pk])
    pairs = Counter()
    for p in chosen:
        for a, b in combinations(members[p.pk], 2):
            pairs[" – ".join(sorted((label[organizations[a].kind], label[organizations[b].kind])))] += 1
    inside = {pk for pk, o in organizations.items() if located(o)}
    isolated = inside - degree.keys()
    top = sorted(degree, key=lambda pk: (-degree[pk], pk))
    drawn = top[:graph_nodes]
    edges = [(organizations[a].slug, organizations[b].slug, types[p.type_id].code, p.pk)
             for p in chosen for a, b in combinations([o for o in members[p.pk] if o in drawn], 2)]
    by_type = Counter(p.type_id for p in chosen)
    return {
        "partnerships": len(chosen),
        "organizations_inside": len(inside),
        "connected": len(inside & degree.keys()),
        "isolated_count": len(isolated),
        "isolated": list(Organization.objects.filter(pk__in=isolated).order_by("name", "pk")
                         .values_list("slug", flat=True)[:LISTED]),
        "by_type": [(t.code, t.label, by_type[t.pk]) for t in sorted(types.values(), key=lambda t: (t.position, t.pk))],
        "by_pair": sorted(pairs.items(), key=lambda item: (-item[1], item[0])),
        "most_connected": [(organizations[pk].slug, degree[pk]) for pk in top[:LISTED]],
        "nodes": [(organizations[pk].slug, organizations[pk].name, organizations[pk].kind, degree[pk], pk in inside,
                   organizations[pk].is_demo) for pk in drawn],
        "edges": edges[:graph_edges],
        "nodes_total": len(degree),
        "nodes_not_drawn": len(degree) - len(drawn),
        "edges_total": sum(pairs.values()),
        "edges_not_drawn": sum(pairs.values()) - len(edges[:graph_edges]),
    }


def figures(network):
    return {
        "partnerships": network.partnerships,
        "organizations_inside": network.organizations_inside,
        "connected": network.connected,
        "isolated_count": network.isolated_count,
        "isolated": [o.slug for o in network.isolated],
        "by_type": network.by_type,
        "by_pair": network.by_pair,
        "most_connected": [(o.slug, n) for o, n in network.most_connected],
        "nodes": [(n["id"], n["name"], n["kind"], n["degree"], n["inside"], n["is_demo"]) for n in network.nodes],
        "edges": [(e["source"], e["target"], e["type"], e["partnership"]) for e in network.edges],
        "nodes_total": network.nodes_total,
        "nodes_not_drawn": network.nodes_not_drawn,
        "edges_total": network.edges_total,
        "edges_not_drawn": network.edges_not_drawn,
    }


def every_territory(project):
    return [*Territory.objects.exclude(level=Level.PROJECT).order_by("level", "code"), project]


def test_the_figures_equal_a_brute_force_count_at_every_level(world):
    checked = Counter()
    for territory in every_territory(world):
        expected = brute_force(territory)
        assert figures(network_of(territory)) == expected, f"{territory.level} {territory.code}"
        # The second read comes from the stored figures: the same answer.
        assert NetworkFigures.objects.filter(territory=territory, token=current_token()).exists()
        assert figures(network_of(territory)) == expected, f"{territory.level} {territory.code} (stored)"
        checked[territory.level] += expected["partnerships"] > 0
    # The fixture is not empty anywhere it matters.
    assert checked[Level.REGION] >= 2 and checked[Level.DEPARTEMENT] >= 3 and checked[Level.EPCI] >= 2
    assert checked[Level.COMMUNE] >= 5 and checked[Level.PROJECT] == 1


def test_a_capped_graph_keeps_the_most_connected_and_counts_the_rest(world):
    for territory in every_territory(world):
        for nodes, edges in ((3, 2), (5, 100), (1, 0)):
            network = network_of(territory, graph_nodes=nodes, graph_edges=edges)
            expected = brute_force(territory, graph_nodes=nodes, graph_edges=edges)
            assert figures(network) == expected, f"{territory.level} {territory.code} capped at {nodes}, {edges}"
            assert len(network.nodes) <= nodes and len(network.edges) <= edges
            assert network.graph_is_partial == (expected["nodes_not_drawn"] + expected["edges_not_drawn"] > 0)


def test_figures_computed_with_a_retired_token_are_never_served(world):
    departement = Territory.objects.get(level=Level.DEPARTEMENT, code="94")
    token = current_token()
    before = network_module.compute(departement)
    Organization.objects.create(slug="nouvelle", name="Nouvelle", kind=Kind.ASSOCIATION, commune=commune("94046"))
    # A read that began before the write stores what it computed under the token it read.
    network_module.store(departement, token, before)
    assert network_of(departement).organizations_inside == before["organizations_inside"] + 1


def test_a_rolled_back_write_keeps_the_token(world):
    token = current_token()
    with pytest.raises(RuntimeError), transaction.atomic():
        Organization.objects.create(slug="annulee", name="Annulée", kind=Kind.ASSOCIATION, commune=commune("94046"))
        assert current_token() != token
        raise RuntimeError
    assert current_token() == token


def test_figures_not_stored_when_the_database_is_busy_are_still_answered(world, monkeypatch):
    departement = Territory.objects.get(level=Level.DEPARTEMENT, code="94")

    def busy(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(NetworkFigures.objects, "bulk_create", busy)
    assert figures(network_of(departement)) == brute_force(departement)
    assert not NetworkFigures.objects.exists()


# --- Every kind of write retires the stored figures --------------------------------------


def _active(title, *organizations, territory=None):
    partnership = Partnership.objects.create(title=title, type=PartnershipType.objects.first(),
                                             status=PartnershipStatus.ACTIVE, territory=territory)
    for organization in organizations:
        PartnershipMember.objects.create(partnership=partnership, organization=organization)
    locate_partnership(partnership)
    partnership.save()
    return partnership


def _org(slug, code="94046", kind=Kind.ASSOCIATION):
    return Organization.objects.get_or_create(slug=slug, defaults={"name": slug.title(), "kind": kind,
                                                                   "commune": commune(code)})[0]


def _spare(n):
    return Organization.objects.get(slug=f"spare-{n}")


def _write_partnership(project):
    _active("Nouveau", _spare(1), _spare(2))


def _end_a_partnership(project):
    partnership = Partnership.objects.filter(status=PartnershipStatus.ACTIVE, departement__code="94").first()
    partnership.status = PartnershipStatus.ENDED
    partnership.save(update_fields=["status"])


def _delete_a_partnership(project):
    Partnership.objects.filter(status=PartnershipStatus.ACTIVE, departement__code="94").first().delete()


def _add_a_partner_row(project):
    partnership = Partnership.objects.filter(status=PartnershipStatus.ACTIVE, departement__code="94").first()
    PartnershipMember.objects.create(partnership=partnership, organization=_spare(1))


def _add_a_partner_through_the_relation(project):
    partnership = Partnership.objects.filter(status=PartnershipStatus.ACTIVE, departement__code="94").first()
    partnership.organizations.add(_spare(3))


def _remove_a_partner_row(project):
    for p in Partnership.objects.filter(status=PartnershipStatus.ACTIVE, departement__code="94").order_by("pk"):
        if p.members.count() >= 2:
            p.members.order_by("pk").last().delete()
            return
    raise AssertionError("no partnership of two partners in the 94")


def _rename_the_most_connected(project):
    departement = Territory.objects.get(level=Level.DEPARTEMENT, code="94")
    organization = Organization.objects.get(pk=network_of(departement).most_connected[0][0].pk)
    organization.name = "Un tout autre nom"
    organization.save()


def _change_a_kind(project):
    departement = Territory.objects.get(level=Level.DEPARTEMENT, code="94")
    organization = Organization.objects.get(pk=network_of(departement).most_connected[0][0].pk)
    organization.kind = Kind.ACADEMIQUE if organization.kind != Kind.ACADEMIQUE else Kind.INSTITUTION
    organization.save()


def _move_an_organisation(project):
    organization = Organization.objects.filter(departement__code="94").order_by("pk").first()
    organization.commune = commune("64445")
    organization.save()


def _delete_an_organisation(project):
    Organization.objects.filter(departement__code="94").order_by("pk").first().delete()


def _import_a_register(project):
    import_rna(RNA_FILE, "departement/94", progress=False)


def _change_the_project_communes(project):
    save_project(owner=project.owner, name=project.name, description="", is_private=False, project=project,
                 commune_ids=[commune("94038").pk, commune("94046").pk])


WRITES = [_write_partnership, _end_a_partnership, _delete_a_partnership, _add_a_partner_row,
          _add_a_partner_through_the_relation, _remove_a_partner_row, _rename_the_most_connected, _change_a_kind,
          _move_an_organisation, _delete_an_organisation, _import_a_register, _change_the_project_communes]


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__.strip("_") for w in WRITES])
def test_every_kind_of_write_retires_the_stored_figures(world, write):
    territories = [Territory.objects.get(level=Level.DEPARTEMENT, code="94"),
                   Territory.objects.get(level=Level.REGION, code="11"),
                   Territory.objects.get(level=Level.EPCI, code="200054781"), commune("94046"), world]
    before = {t.pk: figures(network_of(t)) for t in territories}
    token = current_token()
    write(world)
    assert current_token() != token
    changed = False
    for territory in territories:
        territory.refresh_from_db()
        now = figures(network_of(territory))
        assert now == brute_force(territory), f"{write.__name__}: {territory.level} {territory.code}"
        changed |= now != before[territory.pk]
    assert changed, f"{write.__name__} changed none of the networks: the test proves nothing"


def test_the_workflow_confirmation_enters_the_stored_network(member, other_member, world):
    """Propose, then confirm: the stored network of the département follows each step."""
    from actors.models import Membership
    from actors.workflow import confirm_partnership

    first, second = _org("propose-1"), _org("propose-2", kind=Kind.ENTREPRISE)
    Membership.objects.create(user=member, organization=first)
    departement = Territory.objects.get(level=Level.DEPARTEMENT, code="94")
    before = network_of(departement).partnerships
    partnership = Partnership.objects.create(title="Proposé", type=PartnershipType.objects.first(),
                                             status=PartnershipStatus.PROPOSED, proposed_by=member)
    PartnershipMember.objects.create(partnership=partnership, organization=first)
    PartnershipMember.objects.create(partnership=partnership, organization=second)
    locate_partnership(partnership)
    partnership.save()
    assert network_of(departement).partnerships == before
    confirm_partnership(partnership.pk, first, member, [])
    assert network_of(departement).partnerships == before
    confirm_partnership(partnership.pk, second, other_member, [])
    assert network_of(departement).partnerships == before + 1


# --- The capped graph, on the page and in the API ----------------------------------------


@pytest.fixture
def hub(sample_territories):
    """One organisation in a partnership with each of 160 others: 161 organisations to draw."""
    charenton = commune("94018")
    centre = Organization.objects.create(slug="pivot", name="Le pivot", kind=Kind.COLLECTIVITE, commune=charenton)
    others = Organization.objects.bulk_create([
        Organization(slug=f"partenaire-{i:03d}", name=f"Partenaire {i:03d}", kind=Kind.ASSOCIATION, commune_id=charenton.pk,
                     departement_id=centre.departement_id, region_id=centre.region_id) for i in range(160)])
    mecenat = PartnershipType.objects.get(code="mecenat")
    partnerships = Partnership.objects.bulk_create([
        Partnership(title=f"Avec {o.slug}", type=mecenat, status=PartnershipStatus.ACTIVE,
                    departement_id=centre.departement_id, region_id=centre.region_id) for o in others])
    PartnershipMember.objects.bulk_create(
        [PartnershipMember(partnership=p, organization=o) for p, o in zip(partnerships, others)]
        + [PartnershipMember(partnership=p, organization=centre) for p in partnerships])
    touch()  # bulk_create sends no signal
    return centre


def test_the_graph_of_a_large_network_is_capped_and_says_so(client, hub):
    data = client.get("/api/territories/departement/94/network").json()
    assert data["partnerships"] == 160 and data["connected"] == 161
    assert data["graph_is_partial"] is True and data["graph_cap"] == GRAPH_NODES == 150
    assert len(data["nodes"]) == 150 and data["nodes_total"] == 161 and data["nodes_not_drawn"] == 11
    assert data["nodes"][0]["id"] == "pivot" and data["nodes"][0]["degree"] == 160
    assert len(data["edges"]) == 149 and data["edges_total"] == 160 and data["edges_not_drawn"] == 11
    # The first partner is the source of an edge (the partner rows' order).
    assert {e["source"] for e in data["edges"]} == {f"partenaire-{i:03d}" for i in range(149)}
    assert data["most_connected"][0] == {"id": "pivot", "name": "Le pivot", "kind": "collectivite", "partnerships": 160}
    page = client.get(reverse("actors:network", args=["departement", "94"])).content.decode()
    assert "Graphe limité : il montre les 150 organisations les plus reliées et 149 liens entre elles" in page
    assert "11 autres organisations et 11 liens ne sont pas dessinés" in page
    assert page.count('<circle ') == 150


def test_a_small_graph_is_whole(client, hub):
    data = client.get("/api/territories/commune/94069/network").json()
    assert data["graph_is_partial"] is False and data["nodes_not_drawn"] == 0 and data["edges_not_drawn"] == 0
    page = client.get(reverse("actors:network", args=["commune", "94069"])).content.decode()
    assert "Graphe limité" not in page


def test_a_warm_read_is_one_query_for_the_figures(django_assert_max_num_queries, hub):
    departement = Territory.objects.get(level=Level.DEPARTEMENT, code="94")
    network_of(departement)
    with django_assert_max_num_queries(2):  # the stored figures (token compared in SQL), the partnership types
        network = network_of(departement)
    assert network.nodes_total == 161


def test_the_networks_can_be_computed_ahead(world):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("calculer_reseaux", niveaux="region,departement,epci,project", no_progress=True, stdout=out)
    computed = Territory.objects.filter(level__in=[Level.REGION, Level.DEPARTEMENT, Level.EPCI, Level.PROJECT]).count()
    assert f"Réseaux calculés : {computed} ; déjà à jour : 0" in out.getvalue()
    assert NetworkFigures.objects.filter(token=current_token()).count() == computed
    departement = Territory.objects.get(level=Level.DEPARTEMENT, code="94")
    assert figures(network_of(departement)) == brute_force(departement)
    out = io.StringIO()
    call_command("calculer_reseaux", no_progress=True, stdout=out)
    assert "Réseaux calculés : 0 ;" in out.getvalue()
