import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from practices.models import CaseStudy, Status

pytestmark = pytest.mark.django_db


def exported_csv(client, query=""):
    response = client.get(reverse("practices:export", args=["csv"]) + query)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_export_of_the_published_base_and_of_a_result_set(client, fiches):
    rows = exported_csv(client)
    assert {r["slug"] for r in rows} == {"silver", "labo", "insertion"}
    silver = next(r for r in rows if r["slug"] == "silver")
    assert silver["territory"] == "commune/94018" and silver["domains"] == "vieillissement | numerique"
    assert [r["slug"] for r in exported_csv(client, "?q=seniors")] == ["silver"]
    assert [r["slug"] for r in exported_csv(client, "?territoire=region/24&domaine=insertion_jeunes")] == ["insertion"]


def test_json_export_carries_its_filters(client, fiches):
    response = client.get(reverse("practices:export", args=["json"]) + "?domaine=emploi")
    body = json.loads(b"".join(response.streaming_content))
    assert body["meta"]["filters"] == {"domaine": ["emploi"]}
    assert {f["slug"] for f in body["fiches"]} == {"labo", "insertion"}


def test_exports_never_contain_unpublished_fiches(client, fiches):
    CaseStudy.objects.filter(slug="labo").update(status=Status.SUBMITTED)
    assert "labo" not in {r["slug"] for r in exported_csv(client)}


def test_an_export_imports_back_unchanged(client, fiches, editor):
    before = exported_csv(client)
    text = b"".join(client.get(reverse("practices:export", args=["csv"])).streaming_content)
    client.force_login(editor)
    response = client.post(reverse("practices:import"), {"file": SimpleUploadedFile("base.csv", text), "status": "published"})
    assert response.status_code == 302
    assert CaseStudy.objects.count() == 3
    after = exported_csv(client)
    assert [{k: v for k, v in r.items() if k != "published_at"} for r in after] == \
        [{k: v for k, v in r.items() if k != "published_at"} for r in before]


def test_import_reports_every_bad_line_and_field_and_imports_nothing(client, sample_territories, editor):
    content = (
        "title;summary;territory;domains;year_started\n"
        "Bonne fiche;Résumé;commune/45234;emploi;2015\n"
        ";Sans titre;commune/45234;;\n"
        "Territoire faux;Résumé;commune/99999;;\n"
        "Domaine faux;Résumé;;cuisine;\n"
        "Année fausse;Résumé;;;deux mille\n"
    ).encode()
    client.force_login(editor)
    html = client.post(reverse("practices:import"), {"file": SimpleUploadedFile("f.csv", content), "status": "draft"}).content.decode()
    assert "4 problèmes, rien n&#x27;a été importé" in html or "4 problèmes, rien n'a été importé" in html
    assert "ligne 3, champ « title » : le titre est obligatoire" in html
    assert "ligne 4, champ « territory » : territoire commune/99999 introuvable" in html
    assert "ligne 5, champ « domains » : valeur(s) inconnue(s) cuisine" in html
    assert "ligne 6, champ « year_started » : année invalide « deux mille »" in html
    assert not CaseStudy.objects.exists()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("f.txt", b"x", "Format non reconnu"),
        ("f.csv", b"", "Le fichier soumis est vide."),
        ("f.csv", b"\n\n", "Le fichier est vide."),
        ("f.csv", "title,summary\nÉté,x\n".encode("latin-1"), "enregistrez le fichier en UTF-8"),
        ("f.csv", b"titre,resume\nA,B\n", "la colonne « title » est obligatoire"),
        ("f.csv", b"title,summary,couleur\nA,B,C\n", "colonne(s) inconnue(s) couleur"),
        ("f.json", b'{"fiches": [', "JSON invalide ligne 1"),
        ("f.json", b'{"autre": 1}', "une liste de fiches est attendue"),
    ],
)
def test_unreadable_files_are_refused_with_the_reason(client, sample_territories, editor, name, content, message):
    client.force_login(editor)
    html = client.post(reverse("practices:import"), {"file": SimpleUploadedFile(name, content), "status": "draft"}).content.decode()
    assert message in html.replace("&#x27;", "'")
    assert not CaseStudy.objects.exists()


def test_json_import_creates_drafts(client, sample_territories, editor):
    payload = json.dumps([{"title": "Fiche JSON", "summary": "Venue d'un fichier", "territory": {"level": "region", "code": "24"}}]).encode()
    client.force_login(editor)
    client.post(reverse("practices:import"), {"file": SimpleUploadedFile("f.json", payload), "status": "draft"})
    case = CaseStudy.objects.get()
    assert case.status == Status.DRAFT and case.territory.code == "24"


def test_only_editors_import(client, sample_territories, member):
    client.force_login(member)
    assert client.get(reverse("practices:import")).status_code == 404
