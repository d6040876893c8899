"""A member gives their organisation a logo: a script disguised as an image is refused with
a clear message tied to the field, a real image is shown on the organisation's page."""

import pytest
from django.db.models import F
from playwright.sync_api import expect

from actors.models import Kind, Membership, Organization
from catalyseur.tests import images

from .helpers import assert_accessible, assert_no_browser_errors, heading, log_in

pytestmark = pytest.mark.browser
PASSWORD = "un mot de passe solide"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the live server runs in this process: it writes here
    return settings.MEDIA_ROOT


@pytest.fixture
def association(transactional_db, django_user_model):
    user = django_user_model.objects.create_user(email="presidente@example.org", password=PASSWORD)
    organization = Organization.objects.create(slug="jardins", name="Jardins du Bras-du-Chapitre (fictive)",
                                               kind=Kind.ASSOCIATION)
    Membership.objects.create(user=user, organization=organization)
    return organization


def stored(media):
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_a_script_disguised_as_an_image_is_refused_and_a_real_logo_is_shown(new_page, live_server, association, media):
    page = new_page()
    log_in(page, live_server.url, "presidente@example.org", PASSWORD)
    page.goto(live_server.url + "/acteurs/organisations/jardins/")
    page.get_by_role("link", name="Modifier").click()
    expect(heading(page)).to_have_text("Modifier « Jardins du Bras-du-Chapitre (fictive) »")
    assert_accessible(page)

    page.get_by_label("Logo").set_input_files(files=[{"name": "logo.png", "mimeType": "image/png",
                                                      "buffer": images.HTML}])
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert").first).to_contain_text("Le formulaire contient des erreurs")
    refusal = page.locator("#id_logo_errors")
    expect(refusal).to_have_text("Ce fichier n'est pas une image PNG, JPEG ou WebP (son contenu a été vérifié, "
                                 "pas seulement son nom).")
    # The message is announced with the field.
    expect(page.get_by_label("Logo")).to_have_attribute("aria-describedby", "id_logo_helptext id_logo_errors")
    assert_accessible(page)
    assert stored(media) == []
    association.refresh_from_db()
    assert not association.logo

    page.get_by_label("Logo").set_input_files(files=[{"name": "logo.png", "mimeType": "image/png",
                                                      "buffer": images.png() + images.SCRIPT}])
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#id_logo_errors")).to_have_text("Le fichier contient du code (HTML ou script) : il est refusé.")
    assert stored(media) == []

    page.get_by_label("Logo").set_input_files(files=[{"name": "logo.png", "mimeType": "image/png",
                                                      "buffer": images.png(size=(120, 80))}])
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Organisation enregistrée.")).to_be_visible()
    logo = page.get_by_role("img", name="Logo de Jardins du Bras-du-Chapitre (fictive)")
    expect(logo).to_be_visible()
    expect(logo).to_have_js_property("naturalWidth", 120)  # served as an image the page's CSP lets in
    assert_accessible(page)
    # The refused forms answer 400, which Chromium logs; nothing else may be reported.
    assert_no_browser_errors(page, expected_http_errors=(live_server.url + "/acteurs/organisations/jardins/modifier/",))
    assert len(stored(media)) == 1


def test_two_members_saving_at_once_the_second_is_told_and_nothing_is_overwritten(new_page, live_server, association):
    page = new_page()
    log_in(page, live_server.url, "presidente@example.org", PASSWORD)
    page.goto(live_server.url + "/acteurs/organisations/jardins/modifier/")
    page.get_by_label("Description").fill("Ma description")
    # Meanwhile, someone else saves the organisation.
    Organization.objects.filter(pk=association.pk).update(description="Leur description", version=F("version") + 1)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=2, name="Quelqu'un d'autre a enregistré cette page pendant que vous la "
                                                      "modifiiez")).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Description"))
    expect(row).to_contain_text("Leur description")
    expect(row).to_contain_text("Ma description")
    expect(page.get_by_label("Description")).to_have_value("Ma description")
    assert_accessible(page)
    assert_no_browser_errors(page, expected_http_errors=(live_server.url + "/acteurs/organisations/jardins/modifier/",))
    association.refresh_from_db()
    assert association.description == "Leur description"
