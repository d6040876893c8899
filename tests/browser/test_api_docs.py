"""A developer reads the API documentation, served entirely by the site itself."""

import pytest
from playwright.sync_api import expect

from .helpers import assert_accessible, assert_no_browser_errors

pytestmark = pytest.mark.browser


def test_the_api_documentation_renders_from_local_files_without_breaking_the_content_security_policy(page, live_server, territories):
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    response = page.goto(live_server.url + "/api/docs")

    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("#swagger-ui .info .title")).to_contain_text("API Catalyseur")
    expect(page.locator("#swagger-ui .opblock-summary-path", has_text="/api/territories").first).to_be_visible()
    expect(page.get_by_role("link", name="← Retour à Catalyseur")).to_be_visible()
    elsewhere = [url for url in requested if not url.startswith((live_server.url + "/", "data:"))]
    assert not elsewhere, f"La documentation charge des fichiers hors du site : {elsewhere}"
    assert any(url.startswith(live_server.url + "/static/ninja/swagger-ui-bundle") for url in requested)
    assert_no_browser_errors(page)  # first: no CSP violation, whatever axe says next
    assert_accessible(page)
    assert_no_browser_errors(page)


def test_the_openapi_schema_is_json_listing_the_territory_search(page, live_server, territories):
    response = page.request.get(live_server.url + "/api/openapi.json")

    assert response.ok
    assert response.headers["content-type"].startswith("application/json")
    schema = response.json()
    assert schema["info"]["title"] == "API Catalyseur"
    assert "/api/territories" in schema["paths"]
    assert "/api/territories/{level}/{code}" in schema["paths"]
    assert_no_browser_errors(page)
