"""Fixtures of the end-to-end tests: Playwright's sync API driving Debian's Chromium
against pytest-django's live server. The helpers the tests call are in ``helpers.py``.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio loop in this thread, and Django refuses ORM calls
# from a thread with a running loop unless told otherwise. The tests' ORM calls are plain
# synchronous ones (reading what the live server wrote), so that check does not apply.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from .helpers import forget_page, watch_page  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run. Missing Chromium is a failure, never a skip."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium est introuvable ({CHROMIUM}) : les tests navigateur en ont besoin. "
            "Installez-le avec `make browser` (ou `apt-get update && apt-get install -y chromium`).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        except PlaywrightError as error:
            pytest.fail(f"Chromium ({CHROMIUM}) n'a pas pu démarrer : {error}", pytrace=False)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """Open a page in a fresh browser context (its own cookies).

    Keyword arguments go to ``browser.new_context``. The browser is set up as a French
    visitor's (locale fr-FR, Paris time).
    """
    contexts = []

    def open_page(**context_options) -> Page:
        options = {"locale": "fr-FR", "timezone_id": "Europe/Paris", "viewport": {"width": 1280, "height": 900}}
        options.update(context_options)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        watch_page(page, javascript=options.get("java_script_enabled", True))
        return page

    yield open_page
    for context in contexts:
        for page in context.pages:
            forget_page(page)
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    """A page of a browser with JavaScript on."""
    return new_page()


@pytest.fixture
def page_without_js(new_page) -> Page:
    """A page of a browser whose JavaScript is turned off."""
    return new_page(java_script_enabled=False)


@pytest.fixture
def territories(transactional_db, sample_territories):
    """The sample of real territories, in the database the live server reads
    (the live server runs in another thread, hence a transactional database)."""
