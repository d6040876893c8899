"""Every route of the site and of the API, for every role: no server error, private things
refused (404, or the sign-in page), and never a private title, name or count in any page,
list, facet, export or API answer of someone who may not see it.

The routes come from the URL configuration itself: a new route is walked without being
listed here. A new route with parameters makes this test fail until it is given sample
values in ``SAMPLES`` (and so, a private case to try).
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from actors.models import (
    Catalyst, CatalystMetier, Kind, Membership, Organization, Partnership, PartnershipMember, PartnershipStatus,
)
from practices.importer import clean_rows, save_rows
from practices.models import Status
from taxonomy.models import Metier, PartnershipType
from territories.models import Level, Territory
from territories.projects import save_project

pytestmark = pytest.mark.django_db

ROLES = ("visiteur", "proprietaire", "autre_membre", "editeur")

# Each secret, and the roles that may see it.
SECRETS = {
    "SECRETPROJET": {"proprietaire"},  # a private project territory
    "SECRETFICHE": {"proprietaire", "editeur"},  # a fiche submitted, not published
    "SECRETPARTENARIAT": {"proprietaire", "editeur"},  # a partnership still proposed
    "SECRETPERSONNE": {"proprietaire"},  # a catalyst who did not consent to publication
}


@pytest.fixture
def world(fiches, member, other_member, editor):
    from territories.centres import import_commune_centres

    import_commune_centres()
    charenton = Territory.objects.get(level=Level.COMMUNE, code="94018")
    project = save_project(owner=member, name="Projet SECRETPROJET", description="", is_private=True,
                           commune_ids=[charenton.pk])
    # Markers never appear in URLs or queries, only in what a page might leak.
    Territory.objects.filter(pk=project.pk).update(code="projet-prive")
    project.code = "projet-prive"
    save_rows(clean_rows([{"slug": "fiche-secrete", "title": "Fiche SECRETFICHE", "summary": "Brouillon SECRETFICHE",
                           "territory": "commune/94018", "domains": ["numerique"]}]),
              status=Status.SUBMITTED, author=member)
    mine = Organization.objects.create(slug="asso", name="Association publique", kind=Kind.ASSOCIATION, commune=charenton)
    theirs = Organization.objects.create(slug="entreprise", name="Entreprise publique", kind=Kind.ENTREPRISE,
                                         commune=charenton)
    Membership.objects.create(user=member, organization=mine)
    mecenat = PartnershipType.objects.get(code="mecenat")
    proposed = Partnership.objects.create(title="Partenariat SECRETPARTENARIAT", type=mecenat, proposed_by=member,
                                          status=PartnershipStatus.PROPOSED, departement=charenton_departement())
    active = Partnership.objects.create(title="Partenariat public", type=mecenat, status=PartnershipStatus.ACTIVE,
                                        departement=charenton_departement())
    for partnership in (proposed, active):
        PartnershipMember.objects.create(partnership=partnership, organization=mine)
        PartnershipMember.objects.create(partnership=partnership, organization=theirs)
    catalyst = Catalyst.objects.create(slug="personne", name="Camille SECRETPERSONNE", user=member, profile="association",
                                       email="secretpersonne@example.org", job_title="SECRETPERSONNE",
                                       territory=charenton, structure=mine)
    CatalystMetier.objects.create(catalyst=catalyst, metier=Metier.objects.get(code="dialogue_territorial"))
    return {
        "users": {"proprietaire": member, "autre_membre": other_member, "editeur": editor},
        "project": project.code, "proposed": proposed.pk, "active": active.pk,
    }


def charenton_departement():
    return Territory.objects.get(level=Level.DEPARTEMENT, code="94")


def SAMPLES(world) -> dict[str, list[dict]]:
    """Parameters for each route that has some: a public case and, where there is one, a private case."""
    project = {"level": "project", "code": world["project"]}
    return {
        "territories:project-edit": [{"code": world["project"]}],
        "territories:project-delete": [{"code": world["project"]}],
        "territories:detail": [{"level": "region", "code": "11"}, project],
        "accounts:password_reset_confirm": [{"uidb64": "MQ", "token": "jeton-invalide"}],
        "practices:export": [{"fmt": "csv"}, {"fmt": "json"}],
        "practices:detail": [{"slug": "silver"}, {"slug": "fiche-secrete"}],
        "practices:edit": [{"slug": "silver"}, {"slug": "fiche-secrete"}],
        "practices:review": [{"slug": "fiche-secrete"}],
        "actors:organization": [{"slug": "asso"}],
        "actors:organization_edit": [{"slug": "asso"}],
        "actors:organization_logo": [{"slug": "asso"}],
        "actors:organization_claim": [{"slug": "entreprise"}],
        "actors:partnership": [{"pk": world["active"]}, {"pk": world["proposed"]}],
        "actors:catalyst": [{"slug": "personne"}],
        "actors:network": [{"level": "departement", "code": "94"}, project],
        "api:territory": [{"level": "region", "code": "11"}, project],
        "api:practice": [{"slug": "silver"}, {"slug": "fiche-secrete"}],
        "api:territory_network": [{"level": "departement", "code": "94"}, project],
        "api:indicator": [{"code": "population"}],
        "api:territory_indicators": [{"level": "departement", "code": "94"}, project],
        "api:territory_peers": [{"level": "departement", "code": "94"}, project],
        "api:territory_portrait": [{"level": "departement", "code": "94"}, project],
        "observatory:portrait": [{"level": "departement", "code": "94"}, project],
        "observatory:portrait_csv": [{"level": "departement", "code": "94", "section": "indicateurs"},
                                     {**project, "section": "indicateurs"}, {**project, "section": "enquetes"}],
        "observatory:portrait_pdf": [{"level": "departement", "code": "94"}, project],
        "observatory:indicator": [{"code": "population"}],
        "api:organization": [{"slug": "asso"}],
    }


# Query strings tried on list pages, searches and exports, so that a secret could surface.
QUERIES = ["", "q=brouillon", "q=projet", "q=camille", "territoire=departement/94", "territory=departement/94",
           "territoire=project/projet-prive", "layer=organizations&layer=catalysts&layer=practices&zoom=14"]
LISTS = {"territories:index", "practices:index", "practices:export", "practices:mine", "practices:moderation",
         "actors:directory", "actors:catalysts", "map:index", "map:results", "map:embed", "api:search", "api:practices",
         "api:organizations", "api:catalysts", "api:map",
         "observatory:map", "observatory:map_data"}


def routes():
    """(name, route, has parameters) of every named route but the Django admin site's."""
    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield namespace + pattern.name, prefix + str(pattern.pattern)

    for name, route in walk(get_resolver().url_patterns):
        if not route.startswith("admin/"):
            yield name, route


def url_of(route: str, params: dict) -> str:
    path = route.replace("^", "").replace("$", "")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(params[m.group(1)]), path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(params[m.group(1)]), path)
    return "/" + path.replace("\\.", ".")


def has_parameters(route: str) -> bool:
    return "<" in route


def test_every_route_answers_every_role_without_error_or_leak(client, world):
    samples = SAMPLES(world)
    missing = [name for name, route in routes() if has_parameters(route) and name not in samples]
    assert not missing, f"Routes à paramètres sans valeurs d'essai dans SAMPLES : {missing}"

    problems = []
    for role in ROLES:
        client.logout()
        if role != "visiteur":
            client.force_login(world["users"][role])
        hidden = [secret for secret, allowed in SECRETS.items() if role not in allowed]
        for name, route in routes():
            if name in ("accounts:logout", "set_language"):
                continue  # POST only, and logging out would change the role under test
            for params in samples.get(name, [{}]):
                base = url_of(route, params)
                for query in (QUERIES if name in LISTS else [""]):
                    url = f"{base}?{query}" if query else base
                    response = client.get(url)
                    if response.status_code >= 500:
                        problems.append(f"{role} GET {url} → {response.status_code}")
                        continue
                    body = b"".join(response) if response.streaming else response.content
                    text = body.decode("utf-8", errors="replace").upper()
                    for secret in hidden:
                        if secret in text:
                            problems.append(f"{role} GET {url} → {response.status_code} laisse voir {secret}")
    assert not problems, "\n".join(problems)


PRIVATE = [
    # (route name, parameters key in world, the roles that get it)
    ("territories:detail", {"level": "project"}, {"proprietaire"}),
    ("api:territory", {"level": "project"}, {"proprietaire"}),
    ("actors:network", {"level": "project"}, {"proprietaire"}),
    ("api:territory_indicators", {"level": "project"}, {"proprietaire"}),
    ("api:territory_peers", {"level": "project"}, {"proprietaire"}),
    ("api:territory_portrait", {"level": "project"}, {"proprietaire"}),
    ("practices:detail", {"slug": "fiche-secrete"}, {"proprietaire", "editeur"}),
    ("api:practice", {"slug": "fiche-secrete"}, {"proprietaire", "editeur"}),
    ("actors:partnership", {"pk": "proposed"}, {"proprietaire", "editeur"}),
]


@pytest.mark.parametrize("name, which, allowed", PRIVATE, ids=[p[0] for p in PRIVATE])
def test_private_things_are_a_404_for_everyone_else(client, world, name, which, allowed):
    route = dict(routes())[name]
    params = dict(which)
    if params.get("level") == "project":
        params["code"] = world["project"]
    if params.get("pk") == "proposed":
        params["pk"] = world["proposed"]
    url = url_of(route, params)
    for role in ROLES:
        client.logout()
        if role != "visiteur":
            client.force_login(world["users"][role])
        status = client.get(url).status_code
        if role in allowed:
            assert status == 200, f"{role} {url} → {status}"
        else:
            assert status == 404, f"{role} {url} → {status}"
