"""An organisation's logo: checked by content, re-encoded, stored under a random name, served
inert; and two members editing the organisation at once."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from actors.models import Kind, Membership, Organization
from catalyseur.tests import images
from territories.models import Level, Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def association(sample_territories):
    charenton = Territory.objects.get(level=Level.COMMUNE, code="94018")
    return Organization.objects.create(slug="jardins", name="Les jardins partagés (fictive)", kind=Kind.ASSOCIATION,
                                       commune=charenton)


@pytest.fixture
def manager(client, member, association):
    Membership.objects.create(user=member, organization=association)
    client.force_login(member)
    return client


def form_data(org, **extra):
    org.refresh_from_db()
    return {"name": org.name, "kind": org.kind, "commune": "94018", "description": org.description,
            "version": org.version, **extra}


def send(client, org, data: bytes, name="logo.png", content_type="image/png", **extra):
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    return client.post(reverse("actors:organization_edit", args=[org.slug]), {**form_data(org, **extra), "logo": upload})


def stored_files(media):
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


@pytest.mark.parametrize("make, fmt, extension", [(images.png, "png", "png"), (images.jpeg, "jpeg", "jpg"),
                                                  (images.webp, "webp", "webp")])
def test_a_member_uploads_a_logo_stored_re_encoded_under_a_random_name(manager, association, media, make, fmt,
                                                                       extension):
    original = make()
    response = send(manager, association, original, name="mon logo à moi.png")
    assert response.status_code == 302
    association.refresh_from_db()
    assert association.logo_format == fmt
    [stored] = stored_files(media)
    assert stored.parent.name == "logos" and stored.suffix == "." + extension and "logo" not in stored.stem
    assert len(stored.stem) == 32
    with Image.open(stored) as image:
        assert image.size == (40, 30)

    page = manager.get(association.get_absolute_url()).content.decode()
    assert f'src="{association.logo_url}"' in page and 'alt="Logo de Les jardins partagés (fictive)"' in page
    assert "/media/" not in page


def test_the_logo_is_served_with_its_type_and_nothing_that_could_run(client, manager, association, media):
    send(manager, association, images.png())
    association.refresh_from_db()
    response = client.get(association.logo_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["Content-Disposition"] == 'inline; filename="logo-jardins.png"'
    body = b"".join(response.streaming_content)
    assert body == (media / association.logo.name).read_bytes()
    assert client.post(association.logo_url).status_code == 405


def test_no_logo_or_a_lost_file_is_a_404(client, manager, association, media):
    url = reverse("actors:organization_logo", args=[association.slug])
    assert client.get(url).status_code == 404
    assert client.get(reverse("actors:organization_logo", args=["inconnue"])).status_code == 404
    send(manager, association, images.png())
    association.refresh_from_db()
    (media / association.logo.name).unlink()
    assert client.get(url).status_code == 404


def test_a_stored_file_of_an_unknown_format_is_only_ever_a_download(client, association, media):
    association.logo.save("x.html", io.BytesIO(images.HTML), save=False)
    Organization.objects.filter(pk=association.pk).update(logo=association.logo.name, logo_format="")
    response = client.get(reverse("actors:organization_logo", args=[association.slug]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "default-src 'none'"


@pytest.mark.parametrize("data, name, content_type, message", [
    (images.HTML, "logo.png", "image/png", "Ce fichier n'est pas une image PNG, JPEG ou WebP"),
    (images.SVG, "logo.svg", "image/svg+xml", "Ce fichier n'est pas une image PNG, JPEG ou WebP"),
    (images.png() + images.SCRIPT, "logo.png", "image/png", "Le fichier contient du code (HTML ou script)"),
    (images.gif(), "logo.gif", "image/gif", "Ce fichier n'est pas une image PNG, JPEG ou WebP"),
    (images.png()[:-20], "logo.png", "image/png", "L'image est abîmée ou incomplète"),
    (images.png_claiming_size(20_000, 20_000), "logo.png", "image/png", "L'image est trop grande"),
])
def test_a_disguised_or_broken_file_is_refused_in_the_form_and_nothing_is_stored(manager, association, media, data,
                                                                                 name, content_type, message):
    before = form_data(association)
    response = send(manager, association, data, name=name, content_type=content_type, description="Autre texte")
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page.replace("&#x27;", "'")
    assert 'id="id_logo_errors"' in page and 'aria-describedby="id_logo_helptext id_logo_errors"' in page
    assert stored_files(media) == []
    association.refresh_from_db()
    assert not association.logo and association.logo_format == ""
    assert association.description == before["description"] and association.version == before["version"]


def test_a_new_logo_replaces_the_old_file_and_removing_it_deletes_it(manager, association, media,
                                                                   django_capture_on_commit_callbacks):
    send(manager, association, images.png())
    [first] = stored_files(media)
    with django_capture_on_commit_callbacks(execute=True):  # the old file goes once the new one is committed
        send(manager, association, images.jpeg())
    [second] = stored_files(media)
    assert second != first and second.suffix == ".jpg"
    association.refresh_from_db()
    assert association.logo_format == "jpeg"
    edit = manager.get(reverse("actors:organization_edit", args=[association.slug])).content.decode()
    assert "Retirer le logo actuel" in edit and 'alt="Logo actuel de Les jardins partagés (fictive)"' in edit
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(reverse("actors:organization_edit", args=[association.slug]),
                                form_data(association, remove_logo="on"))
    assert response.status_code == 302
    assert stored_files(media) == []
    association.refresh_from_db()
    assert not association.logo and association.logo_format == ""


def test_only_the_organisations_members_and_editors_may_change_its_logo(client, other_member, association, media):
    client.force_login(other_member)
    response = send(client, association, images.png())
    assert response.status_code == 404
    assert stored_files(media) == []


def test_the_logos_are_among_the_files_the_backup_archives(manager, association, media):
    """The backup (catalyseur.backup, whose own tests round-trip MEDIA_ROOT) takes every file there."""
    from catalyseur.backup import _media_files

    send(manager, association, images.png())
    association.refresh_from_db()
    assert [relative for relative, _ in _media_files(lambda message: None)] == [association.logo.name]


# --- Two members editing at once ------------------------------------------------------------


def test_the_second_of_two_members_saving_the_same_version_is_told_and_overwrites_nothing(client, member, other_member,
                                                                                         association, media):
    for user in (member, other_member):
        Membership.objects.create(user=user, organization=association)
    url = reverse("actors:organization_edit", args=[association.slug])
    loaded = form_data(association)  # both open the form at the same version

    client.force_login(member)
    assert client.post(url, {**loaded, "description": "Texte de la première"}).status_code == 302
    client.force_login(other_member)
    upload = SimpleUploadedFile("logo.png", images.png(), content_type="image/png")
    response = client.post(url, {**loaded, "description": "Texte de la seconde", "logo": upload})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Quelqu&#x27;un d&#x27;autre a enregistré cette page pendant que vous la modifiiez" in page
    assert "Texte de la première" in page and "Texte de la seconde" in page  # theirs in the table, hers kept
    assert "choisissez-le à nouveau" in page  # the logo was not stored either
    assert f'href="{association.get_absolute_url()}"' in page

    association.refresh_from_db()
    assert association.description == "Texte de la première" and association.version == 2
    assert not association.logo and stored_files(media) == []
    # The form shown carries the current version: saving again is a choice made knowing.
    assert 'name="version" value="2"' in page
    assert client.post(url, {**loaded, "version": 2, "description": "Texte de la seconde"}).status_code == 302
    association.refresh_from_db()
    assert association.description == "Texte de la seconde" and association.version == 3


def test_a_form_without_its_version_saves_nothing(manager, association):
    data = form_data(association, description="Sans version")
    del data["version"]
    response = manager.post(reverse("actors:organization_edit", args=[association.slug]), data)
    assert response.status_code == 400 and "rechargez la page" in response.content.decode()
    association.refresh_from_db()
    assert association.description == ""


def test_a_register_import_makes_an_open_form_out_of_date(sample_territories):
    from actors.importers.rna import import_rna
    from actors.tests.test_pages import DATA

    from territories.centres import import_commune_centres

    import_commune_centres()
    import_rna(DATA / "rna_waldec_94.csv", "departement/94")
    jardins = Organization.objects.get(rna="W941012345")
    Organization.objects.filter(pk=jardins.pk).update(name="Ancien nom")
    import_rna(DATA / "rna_waldec_94.csv", "departement/94")
    assert Organization.objects.get(pk=jardins.pk).version == jardins.version + 1


def test_a_new_organisation_may_come_with_its_logo(client, member, media, sample_territories):
    client.force_login(member)
    upload = SimpleUploadedFile("logo.webp", images.webp(), content_type="image/webp")
    response = client.post(reverse("actors:organization_create"),
                           {"name": "Nouvelle association (fictive)", "kind": "association", "logo": upload})
    assert response.status_code == 302
    organization = Organization.objects.get(name="Nouvelle association (fictive)")
    assert organization.logo_format == "webp" and organization.version == 1
    assert [p.name for p in stored_files(media)] == [organization.logo.name.rsplit("/", 1)[-1]]
