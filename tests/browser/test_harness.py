"""The checks the other tests rely on do catch what they claim to catch."""

import pytest
from playwright.sync_api import expect

from .helpers import assert_accessible, assert_no_browser_errors, axe_violations, heading

pytestmark = pytest.mark.browser


def test_axe_runs_in_the_pages_despite_their_strict_content_security_policy(page, live_server, territories):
    response = page.goto(live_server.url + "/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    expect(heading(page)).to_have_text("Co-construire avec son territoire")

    assert_accessible(page)

    assert page.evaluate("() => typeof axe.version") == "string"
    assert_no_browser_errors(page)


def test_axe_reports_a_serious_violation_when_there_is_one(page, live_server, territories):
    page.goto(live_server.url + "/")
    expect(heading(page)).to_be_visible()
    page.evaluate("() => { const img = document.createElement('img'); img.src = '/static/img/favicon.svg'; document.querySelector('main').append(img); }")

    ids = {(v["id"], v["impact"]) for v in axe_violations(page)}
    assert ("image-alt", "critical") in ids
    with pytest.raises(pytest.fail.Exception, match="image-alt"):
        assert_accessible(page)


def test_a_content_security_policy_violation_fails_the_test(page, live_server, territories):
    page.goto(live_server.url + "/")
    expect(heading(page)).to_be_visible()
    # An inline script, as a template mistake would add: the CSP blocks it and the browser says so.
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.ran = true'; document.body.append(s); }")

    assert page.evaluate("() => window.ran") is None
    with pytest.raises(pytest.fail.Exception, match="violation de la CSP"):
        assert_no_browser_errors(page)


def test_a_javascript_error_fails_the_test(page, live_server, territories):
    page.goto(live_server.url + "/")
    expect(heading(page)).to_be_visible()
    with page.expect_event("pageerror"):
        page.evaluate("() => { setTimeout(() => { throw new Error('boum'); }, 0); }")

    with pytest.raises(pytest.fail.Exception, match="erreur JavaScript : Error: boum"):
        assert_no_browser_errors(page)


def test_axe_also_audits_pages_of_a_browser_without_javascript(page_without_js, live_server, territories):
    page = page_without_js
    page.goto(live_server.url + "/")
    expect(heading(page)).to_be_visible()
    assert_accessible(page)
    page.evaluate("() => { const img = document.createElement('img'); img.src = '/static/img/favicon.svg'; document.querySelector('main').append(img); }")

    assert ("image-alt", "critical") in {(v["id"], v["impact"]) for v in axe_violations(page)}

    # JavaScript is still off afterwards: the next page's scripts do not run.
    page.goto(live_server.url + "/territoires/")
    expect(page.get_by_role("searchbox", name="Rechercher un territoire")).not_to_have_attribute("role", "combobox")
    assert_no_browser_errors(page)
