import re

import pytest

pytestmark = pytest.mark.django_db

PAGES = ["/", "/territoires/", "/territoires/?q=orleans", "/territoires/commune/45234/", "/territoires/region/24/",
         "/compte/connexion/", "/compte/inscription/", "/compte/mot-de-passe/oubli/", "/territoires/commune/00000/",
         "/pratiques/", "/pratiques/?q=seniors&domaine=numerique", "/pratiques/silver/"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_french_with_landmarks_and_no_inline_script_or_style(client, fiches, path):
    response = client.get(path)
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert 'class="skip-link" href="#contenu"' in html and '<main id="contenu"' in html
    assert "<header" in html and "<nav" in html and "<footer" in html
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"<style\b", html)
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert "http://" not in html.replace("http://www.w3.org", "") or "https://" not in html


def test_the_content_security_policy_forbids_inline_code(client):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_navigation_lists_the_parts_that_exist(client):
    html = client.get("/").content.decode()
    for href in ('href="/"', 'href="/territoires/"', 'href="/pratiques/"', 'href="/api/docs"'):
        assert href in html


def test_english_is_available_as_second_language(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html and "Skip to content" in html


def test_static_assets_are_served_by_the_site(client):
    for path in ("/static/css/catalyseur.css", "/static/js/autocomplete.js", "/static/vendor/htmx/htmx.min.js"):
        assert client.get(path).status_code == 200, path


def test_french_is_served_whatever_the_browser_asks(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="fr">' in html and "Aller au contenu" in html
