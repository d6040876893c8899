"""Two editors saving the same fiche: the second is told, and nothing is overwritten."""

import pytest
from django.urls import reverse

from catalyseur.concurrency import EditConflict, claim_version
from practices.forms import CaseStudyForm
from practices.importer import clean_rows, save_rows
from practices.models import CaseStudy, CaseStudyRevision, Status
from practices.workflow import review

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_editor(django_user_model):
    return django_user_model.objects.create_user(email="relectrice@example.org", password="un mot de passe solide",
                                                 role="editor", display_name="Relectrice")


def loaded_form(case: CaseStudy) -> dict:
    """What the edit page's form sends back untouched (hidden version included)."""
    case.refresh_from_db()
    form = CaseStudyForm(instance=case)
    data = {}
    for bound in form:
        value = bound.value()
        if value is not None:
            data[bound.html_name] = value
    return data


def test_two_editors_load_the_same_version_the_first_saves_the_second_is_told(client, fiches, editor, second_editor):
    case = CaseStudy.objects.get(slug="silver")
    url = reverse("practices:edit", args=[case.slug])
    original_title = case.title
    both = loaded_form(case)
    assert both["version"] == 1
    revisions = CaseStudyRevision.objects.filter(case_study=case).count()

    client.force_login(editor)
    assert 'type="hidden" name="version" value="1"' in client.get(url).content.decode()
    first = client.post(url, {**both, "summary": "Le résumé de la première éditrice.", "action": "submit"})
    assert first.status_code == 302

    client.force_login(second_editor)
    second = client.post(url, {**both, "summary": "Le résumé de la seconde.", "title": "Un autre titre",
                               "action": "submit"})
    assert second.status_code == 409
    page = second.content.decode()
    assert "Quelqu&#x27;un d&#x27;autre a enregistré cette page pendant que vous la modifiiez" in page
    assert "rien n'a été écrasé" in page
    assert "enregistrée par Membre" not in page and "editeur@example.org" not in page  # no e-mail address shown
    # What differs: the summary (theirs, hers); the title is hers alone but differs too.
    assert "Le résumé de la première éditrice." in page and "Le résumé de la seconde." in page
    assert '<th scope="row">Résumé</th>' in page and '<th scope="row">Titre</th>' in page
    assert f'href="{case.get_absolute_url()}"' in page
    assert 'name="version" value="2"' in page  # saving again is now a deliberate choice

    case.refresh_from_db()
    assert case.summary == "Le résumé de la première éditrice." and case.title == original_title
    assert case.version == 2
    assert CaseStudyRevision.objects.filter(case_study=case).count() == revisions + 1

    again = client.post(url, {**both, "version": 2, "summary": "Le résumé de la seconde.", "action": "submit"})
    assert again.status_code == 302
    case.refresh_from_db()
    assert case.summary == "Le résumé de la seconde." and case.version == 3


def test_the_conflict_names_who_saved_when_it_is_someone_with_a_display_name(client, fiches, editor, second_editor):
    case = CaseStudy.objects.get(slug="silver")
    url = reverse("practices:edit", args=[case.slug])
    both = loaded_form(case)
    client.force_login(second_editor)
    client.post(url, {**both, "summary": "Par la relectrice.", "action": "draft"})
    client.force_login(editor)
    page = client.post(url, {**both, "summary": "Par l'éditeur.", "action": "draft"}).content.decode()
    assert "enregistrée par Relectrice le" in page


def test_a_review_meanwhile_makes_an_open_form_out_of_date(client, sample_territories, member, editor, second_editor):
    client.force_login(member)
    client.post(reverse("practices:contribute"), {"title": "Repair café", "summary": "Réparer ensemble.",
                                                  "action": "submit"})
    case = CaseStudy.objects.get()
    assert case.version == 1
    client.force_login(editor)
    stale = loaded_form(case)
    review(case, second_editor, "publish")
    case.refresh_from_db()
    assert case.version == 2
    response = client.post(reverse("practices:edit", args=[case.slug]),
                           {**stale, "summary": "Autre résumé.", "action": "submit"})
    assert response.status_code == 409
    assert '<th scope="row">Résumé</th>' in response.content.decode()
    untouched = client.post(reverse("practices:edit", args=[case.slug]), {**stale, "action": "submit"})
    assert untouched.status_code == 409
    assert "seul son statut ou un autre détail a changé" in untouched.content.decode()
    case.refresh_from_db()
    assert case.summary == "Réparer ensemble." and case.status == Status.PUBLISHED


def test_an_import_meanwhile_makes_an_open_form_out_of_date(client, fiches, editor):
    case = CaseStudy.objects.get(slug="silver")
    stale = loaded_form(case)
    save_rows(clean_rows([{"slug": "silver", "title": case.title, "summary": "Résumé importé.",
                           "territory": "commune/94018"}]))
    case.refresh_from_db()
    assert case.version == 2 and case.summary == "Résumé importé."
    client.force_login(editor)
    response = client.post(reverse("practices:edit", args=[case.slug]), {**stale, "action": "submit"})
    assert response.status_code == 409
    assert "Résumé importé." in response.content.decode()
    case.refresh_from_db()
    assert case.summary == "Résumé importé."


def test_a_form_without_its_version_saves_nothing(client, fiches, editor):
    case = CaseStudy.objects.get(slug="silver")
    data = loaded_form(case)
    del data["version"]
    client.force_login(editor)
    response = client.post(reverse("practices:edit", args=[case.slug]), {**data, "summary": "X", "action": "submit"})
    assert response.status_code == 200 and "rechargez la page" in response.content.decode()
    case.refresh_from_db()
    assert case.summary != "X" and case.version == 1


def test_preview_needs_no_version_check_and_keeps_the_loaded_version(client, fiches, editor):
    case = CaseStudy.objects.get(slug="silver")
    client.force_login(editor)
    page = client.post(reverse("practices:edit", args=[case.slug]),
                       {**loaded_form(case), "summary": "Aperçu", "action": "preview"}).content.decode()
    assert "Prévisualisation" in page and 'name="version" value="1"' in page


def test_claiming_a_version_twice_fails_the_second_time(fiches):
    case = CaseStudy.objects.get(slug="silver")
    assert claim_version(CaseStudy, case.pk, 1) == 2
    with pytest.raises(EditConflict) as caught:
        claim_version(CaseStudy, case.pk, 1)
    assert caught.value.current.version == 2
    with pytest.raises(EditConflict):
        claim_version(CaseStudy, case.pk, None)
