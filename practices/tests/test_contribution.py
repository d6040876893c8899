import pytest
from django.urls import reverse

from practices.models import CaseStudy, CaseStudyRevision, Status

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Repair café de quartier",
    "summary": "Des bénévoles et un bailleur social réparent ensemble.",
    "territory": "commune/45234",
    "resultats": "<p>Près de <strong>300</strong> objets réparés.</p><script>alert('x')</script>",
    "genese": 'Une idée <img src=x onerror="alert(1)"> née en 2019. <a href="javascript:alert(1)">lien</a>',
    "figures": "300 : objets réparés",
    "organisations": "Bailleur social\nAssociation des habitants",
    "domains": [],
    "year_started": "2019",
}


def domain_ids(*codes):
    from taxonomy.models import Domain

    return [str(pk) for pk in Domain.objects.filter(code__in=codes).values_list("pk", flat=True)]


def test_contributing_needs_an_account(client, sample_territories):
    response = client.get(reverse("practices:contribute"))
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]


def test_preview_shows_the_fiche_and_saves_nothing(client, sample_territories, member):
    client.force_login(member)
    response = client.post(reverse("practices:contribute"), {**FORM, "domains": domain_ids("environnement"), "action": "preview"})
    html = response.content.decode()
    assert "Prévisualisation" in html and "Repair café de quartier" in html and "Environnement" in html
    assert not CaseStudy.objects.exists()


def test_a_member_submits_an_editor_publishes_and_the_fiche_is_found_by_a_word_of_its_results(client, sample_territories, member, editor):
    client.force_login(member)
    response = client.post(reverse("practices:contribute"), {**FORM, "domains": domain_ids("environnement"), "action": "submit"})
    assert response.status_code == 302
    case = CaseStudy.objects.get()
    assert case.status == Status.SUBMITTED and case.contributor == member and case.slug == "repair-cafe-de-quartier"
    # Sanitised on the way in: no script, no event handler, no javascript: link.
    assert "<script" not in case.resultats and "onerror" not in case.genese and "javascript:" not in case.genese
    assert "<strong>300</strong>" in case.resultats
    assert "Soumise à relecture" in client.get(reverse("practices:mine")).content.decode()
    assert client.get("/api/practices", {"q": "réparés"}).json()["count"] == 0  # not public yet

    client.force_login(editor)
    assert "Repair café de quartier" in client.get(reverse("practices:moderation")).content.decode()
    response = client.post(reverse("practices:review", args=[case.slug]), {"decision": "publish"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.PUBLISHED and case.published_at
    client.logout()
    body = client.get("/api/practices", {"q": "réparé"}).json()
    assert [r["id"] for r in body["results"]] == [case.slug]
    page = client.get(case.get_absolute_url()).content.decode()
    assert "<strong>300</strong>" in page and "alert(" not in page
    assert list(CaseStudyRevision.objects.filter(case_study=case).values_list("status", flat=True)) == ["published", "submitted"]


def test_asking_for_changes_needs_a_message_and_returns_the_fiche_to_its_author(client, sample_territories, member, editor):
    client.force_login(member)
    client.post(reverse("practices:contribute"), {**FORM, "action": "submit"})
    case = CaseStudy.objects.get()
    client.force_login(editor)
    response = client.post(reverse("practices:review", args=[case.slug]), {"decision": "changes", "note": ""})
    assert "Dites ce qui doit changer." in response.content.decode()
    client.post(reverse("practices:review", args=[case.slug]), {"decision": "changes", "note": "Précisez le territoire."})
    case.refresh_from_db()
    assert case.status == Status.DRAFT
    client.force_login(member)
    assert "Précisez le territoire." in client.get(reverse("practices:mine")).content.decode()
    assert client.get(reverse("practices:edit", args=[case.slug])).status_code == 200


def test_bad_input_is_explained_field_by_field_and_saves_nothing(client, sample_territories, member):
    client.force_login(member)
    response = client.post(reverse("practices:contribute"), {
        "title": "", "summary": "", "territory": "commune/99999", "year_started": "1492", "figures": "beaucoup", "action": "submit",
    })
    html = response.content.decode()
    assert "Territoire « commune/99999 » introuvable." in html
    assert "Année entre 1800 et" in html
    assert "Ligne 1 : écrivez « valeur : libellé »" in html
    assert html.count("Ce champ est obligatoire.") == 2
    assert not CaseStudy.objects.exists()


def test_only_editors_review_and_others_cannot_edit_a_submitted_fiche(client, sample_territories, member, other_member):
    client.force_login(member)
    client.post(reverse("practices:contribute"), {**FORM, "action": "submit"})
    case = CaseStudy.objects.get()
    assert client.get(reverse("practices:review", args=[case.slug])).status_code == 404
    assert client.get(reverse("practices:edit", args=[case.slug])).status_code == 404  # submitted: locked for its author
    client.force_login(other_member)
    assert client.get(reverse("practices:edit", args=[case.slug])).status_code == 404
    assert client.get(reverse("practices:moderation")).status_code == 404
    assert client.post(reverse("practices:review", args=[case.slug]), {"decision": "publish"}).status_code == 404
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED
