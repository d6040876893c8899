import pytest

from territories.models import Level, Territory
from territories.projects import MemberError, parse_picks, resolve_communes, save_project


def test_picks_accept_bare_codes_and_level_prefixes():
    picks = parse_picks(["45234, epci:244500468\ndepartement:45 ; region/24 2a004"])
    assert [(p.level, p.code) for p in picks] == [
        ("commune", "45234"), ("epci", "244500468"), ("departement", "45"), ("region", "24"), ("commune", "2A004"),
    ]


def test_bad_picks_are_each_reported_with_their_position():
    with pytest.raises(MemberError) as error:
        parse_picks(["45234 canton:12 <script>"])
    assert len(error.value.problems) == 2
    assert error.value.problems[0].startswith("« canton:12 » (n° 2)")


@pytest.mark.django_db
def test_an_epci_stands_for_its_communes(sample_territories):
    ids = resolve_communes(parse_picks(["epci:244500468"]))
    codes = set(Territory.objects.filter(pk__in=ids).values_list("code", flat=True))
    assert codes == {"45234", "45232", "45147", "45284", "45302"}


@pytest.mark.django_db
def test_unknown_codes_are_named(sample_territories):
    with pytest.raises(MemberError, match="Commune « 12345 » : introuvable"):
        resolve_communes(parse_picks(["12345"]))


@pytest.mark.django_db
def test_population_is_the_sum_of_the_communes_and_behaves_like_a_territory(sample_territories, member):
    ids = resolve_communes(parse_picks(["94018 94069 94046"]))
    project = save_project(owner=member, name="Boucle de la Marne", description="", is_private=False, commune_ids=ids)
    expected = sum(Territory.objects.filter(code__in=["94018", "94069", "94046"], level="commune").values_list("population", flat=True))
    assert project.population == expected
    assert project.level == Level.PROJECT and project.code == "boucle-de-la-marne"
    charenton = Territory.objects.get(level="commune", code="94018")
    assert project in Territory.objects.containing(charenton)
    # Same name again: a distinct, stable slug.
    other = save_project(owner=member, name="Boucle de la Marne", description="", is_private=False, commune_ids=ids)
    assert other.code != project.code and other.code.startswith("boucle-de-la-marne-")
    # Editing the set keeps the slug and updates the population.
    save_project(owner=member, project=project, name="Renommé", description="", is_private=False, commune_ids=ids[:1])
    project.refresh_from_db()
    assert project.code == "boucle-de-la-marne" and project.communes().count() == 1
