"""The same tests run on SQLite FTS5 and on PostgreSQL (CI runs the suite on both)."""

import pytest
from django.http import QueryDict

from practices.importer import clean_rows, save_rows
from practices.models import CaseStudy, Status
from practices.search import PracticeSearchForm, run_search

pytestmark = pytest.mark.django_db


def search(query_string="", user=None):
    data = QueryDict(query_string)
    form = PracticeSearchForm(data)
    form.user = user
    assert form.is_valid(), form.errors
    return run_search(form, {k: data.getlist(k) for k in data}, user)


def slugs(outcome):
    return [r.case.slug for r in outcome.results]


def facet(outcome, name):
    return {v.value: v.count for f in outcome.facets if f.name == name for v in f.values}


def test_it_stems_french_and_ignores_accents_and_case(fiches):
    # In Labo's summary, but only in the body of the insertion worksite: Labo ranks first.
    assert slugs(search("q=partenariats")) == ["labo", "insertion"]
    assert set(slugs(search("q=PARTENARIAT"))) == {"labo", "insertion"}
    assert set(slugs(search("q=numérique"))) == {"silver", "insertion"}
    assert set(slugs(search("q=numeriques"))) == {"silver", "insertion"}


def test_all_words_must_match_and_the_title_weighs_more(fiches):
    assert slugs(search("q=fracture+numérique+seniors")) == ["silver"]
    # "numérique" is in Silver's summary but only in the body of the insertion worksite.
    assert slugs(search("q=numérique")) == ["silver", "insertion"]


def test_snippets_highlight_the_matched_words(fiches):
    snippet = search("q=seniors").results[0].snippet
    assert "<mark>seniors</mark>" in snippet


def test_user_text_never_breaks_the_query(fiches):
    for text in ['"', "AND", "NOT OR", "(((", "seniors*", "col:seniors", "'; DROP TABLE", "NEAR(a b)", "é"]:
        search("q=" + text.replace(" ", "+").replace("&", ""))


def test_facets_count_and_combine_with_the_query(fiches):
    outcome = search("q=emploi")
    assert set(slugs(outcome)) == {"labo", "insertion"}
    assert facet(outcome, "domaine")["emploi"] == 2
    assert facet(outcome, "domaine")["insertion_jeunes"] == 1
    narrowed = search("q=emploi&domaine=insertion_jeunes")
    assert slugs(narrowed) == ["insertion"]
    # Within a facet, values combine with OR, and the facet still shows the alternatives.
    both = search("domaine=insertion_jeunes&domaine=numerique")
    assert set(slugs(both)) == {"insertion", "silver"}
    assert facet(both, "domaine")["emploi"] == 2


def test_the_territory_facet_honours_containment(fiches):
    top = facet(search(""), "territoire")
    assert top == {"region/11": 1, "region/24": 2}
    inside = search("territoire=region/11")
    assert slugs(inside) == ["silver"]
    assert facet(inside, "territoire") == {"region/11": 1, "departement/94": 1}
    assert slugs(search("territoire=departement/94")) == ["silver"]
    assert slugs(search("territoire=commune/94018")) == ["silver"]


def test_sort_by_date_and_pagination(fiches, monkeypatch):
    import practices.search as module

    monkeypatch.setattr(module, "PAGE_SIZE", 2)
    outcome = search("")
    assert outcome.count == 3 and outcome.pages == 2 and len(outcome.results) == 2
    assert outcome.next_url.endswith("page=2")
    assert len(search("page=2").results) == 1


def test_unpublished_fiches_never_show_in_results_or_counts(fiches):
    save_rows(clean_rows([{"slug": "secret", "title": "Projet secret seniors", "summary": "Brouillon seniors", "domains": ["numerique"]}]),
              status=Status.SUBMITTED)
    outcome = search("q=seniors")
    assert slugs(outcome) == ["silver"]
    assert facet(search(""), "domaine")["numerique"] == 1


def test_a_fiche_unpublished_later_leaves_the_index(fiches):
    from practices.indexing import reindex

    case = CaseStudy.objects.get(slug="silver")
    case.status = Status.ARCHIVED
    case.save()
    reindex([case])
    assert search("q=seniors").count == 0


def test_bad_filters_are_reported(fiches):
    form = PracticeSearchForm(QueryDict("territoire=region/99&domaine=inconnu&annee=abc"))
    assert not form.is_valid()
    assert "Territoire « region/99 » introuvable." in form.errors["territoire"]
    assert "domaine" in form.errors and "annee" in form.errors


def test_pages_by_relevance_follow_the_ranking_within_the_filters(fiches, monkeypatch):
    import practices.search as module

    monkeypatch.setattr(module, "PAGE_SIZE", 1)
    assert slugs(search("q=numérique")) == ["silver"]
    assert slugs(search("q=numérique&page=2")) == ["insertion"]
    assert slugs(search("q=numérique&domaine=insertion_jeunes")) == ["insertion"]
    assert search("q=numérique&domaine=insertion_jeunes&page=2").results[0].case.slug == "insertion"  # last page


def test_a_search_repeated_after_a_new_fiche_is_published_finds_it(fiches):
    assert search("q=seniors").count == 1  # the words' matches are now kept with the snapshot
    save_rows(clean_rows([{"slug": "nouvelle", "title": "Ateliers seniors", "summary": "Des ateliers pour les seniors"}]),
              status=Status.PUBLISHED)
    again = search("q=seniors")
    assert again.count == 2
    assert set(slugs(again)) == {"silver", "nouvelle"}
