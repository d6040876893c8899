"""What every browser test checks, and small steps several journeys share.

* ``assert_accessible(page)`` runs axe-core in the page and fails on any serious or critical
  violation. The site's CSP forbids inline scripts, so axe is evaluated through the DevTools
  protocol (``page.evaluate``), which the page's CSP does not govern.
* ``assert_no_browser_errors(page)`` fails if, since the page was opened, the browser reported
  a Content-Security-Policy violation, a JavaScript error or any other console error.
"""

import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

PROJECT_DIR = Path(__file__).resolve().parents[2]
AXE_SOURCE_FILE = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


# --- Console, JavaScript errors and CSP violations ----------------------------------------


class BrowserProblems:
    """What the browser reported while a page was open."""

    def __init__(self, javascript: bool):
        self.javascript = javascript
        self.cdp_session = None  # see scripts_running_for_axe()
        self.csp_violations: list[str] = []
        self.page_errors: list[str] = []
        self.console_errors: list[tuple[str, str]] = []  # (text, URL it is about)

    def on_console(self, message: ConsoleMessage) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.csp_violations.append(text)
        elif message.type == "error":
            self.console_errors.append((text, (message.location or {}).get("url", "")))

    def on_page_error(self, error) -> None:
        self.page_errors.append(f"{error.name}: {error.message}")


_watched: dict[int, BrowserProblems] = {}


def watch_page(page: Page, *, javascript: bool = True) -> None:
    """Start recording what the browser reports for this page (the ``new_page`` fixture does it)."""
    problems = BrowserProblems(javascript)
    page.on("console", problems.on_console)
    page.on("pageerror", problems.on_page_error)
    _watched[id(page)] = problems


def forget_page(page: Page) -> None:
    _watched.pop(id(page), None)


def assert_no_browser_errors(page: Page, *, expected_http_errors: tuple[str, ...] = ()) -> None:
    """Fail if the browser reported a CSP violation, a JavaScript error or a console error.

    ``expected_http_errors``: URLs whose error status is the point of the test; Chromium logs
    "Failed to load resource" for them, which is then no problem.
    """
    problems = _watched[id(page)]
    console_errors = [
        text
        for text, url in problems.console_errors
        if not (text.startswith("Failed to load resource") and url in expected_http_errors)
    ]
    report = [f"violation de la CSP : {text}" for text in problems.csp_violations]
    report += [f"erreur JavaScript : {text}" for text in problems.page_errors]
    report += [f"erreur en console : {text}" for text in console_errors]
    if report:
        pytest.fail(f"Le navigateur a signalé des problèmes (dernière page : {page.url}) :\n- " + "\n- ".join(report), pytrace=False)


# --- Accessibility ------------------------------------------------------------------------

_axe_source: list[str] = []


def inject_axe(page: Page) -> None:
    """Load axe-core into the current document, unless it is there already."""
    if page.evaluate("() => typeof window.axe === 'object'"):
        return
    if not _axe_source:
        if not AXE_SOURCE_FILE.exists():
            pytest.fail(f"axe-core est introuvable ({AXE_SOURCE_FILE}) : lancez `make node-deps`.", pytrace=False)
        _axe_source.append(AXE_SOURCE_FILE.read_text(encoding="utf-8"))
    page.evaluate(_axe_source[0])
    if not page.evaluate("() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"):
        pytest.fail(f"axe-core n'a pas pu être chargé dans {page.url}", pytrace=False)


@contextmanager
def scripts_running_for_axe(page: Page):
    """Let timers run while axe works in a page whose browser has JavaScript turned off.

    With JavaScript off, Chromium runs no timer or promise callback even for DevTools
    evaluations, and ``axe.run`` (asynchronous) would wait forever. Script execution is turned
    back on for the time of the audit through a DevTools session of our own, which then stays
    attached (detaching it would lift the restriction for good). The page's own scripts were
    skipped when it loaded and do not run now: axe sees the page as a visitor without
    JavaScript does.
    """
    record = _watched.get(id(page))
    if record is None or record.javascript:
        yield
        return
    if record.cdp_session is None:
        record.cdp_session = page.context.new_cdp_session(page)
        # Our session's own state starts at "enabled": set it once so the next call takes effect.
        record.cdp_session.send("Emulation.setScriptExecutionDisabled", {"value": True})
    record.cdp_session.send("Emulation.setScriptExecutionDisabled", {"value": False})
    try:
        yield
    finally:
        record.cdp_session.send("Emulation.setScriptExecutionDisabled", {"value": True})


def axe_violations(page: Page) -> list[dict]:
    """Every axe-core violation in the page as it is now: id, impact, help and target selectors."""
    with scripts_running_for_axe(page):
        return _run_axe(page)


def _run_axe(page: Page) -> list[dict]:
    inject_axe(page)
    return page.evaluate(
        """async () => {
          const results = await axe.run(document, {resultTypes: ["violations"]});
          return results.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
            targets: v.nodes.map((node) => node.target.flat(Infinity).join(" ")),
          }));
        }"""
    )


def assert_accessible(page: Page) -> None:
    """Fail on any axe-core violation of impact "serious" or "critical" in the page as it is now."""
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"{len(blocking)} violation(s) d'accessibilité grave(s) sur {page.url} :"]
        for v in blocking:
            lines.append(f"- {v['id']} [{v['impact']}] {v['help']} ({v['helpUrl']})")
            lines.extend(f"    cible : {target}" for target in v["targets"])
        pytest.fail("\n".join(lines), pytrace=False)


# --- Shared steps and reading the page -------------------------------------------------------


def population_text(population: int) -> re.Pattern:
    """A population as the pages write it: "116 357 habitants" (French digit grouping)."""
    return re.compile("^" + r"\s".join(f"{population:,}".split(",")) + r"\s+habitants$")


def population_of(page: Page):
    """The value shown under "Population" on a territory page."""
    return page.locator(".facts-grid > div").filter(has=page.get_by_text("Population", exact=True)).locator("dd")


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def log_in(page: Page, base_url: str, email: str, password: str) -> None:
    """Sign in through the login form, as a member would."""
    page.goto(base_url + "/compte/connexion/")
    expect(heading(page)).to_have_text("Se connecter")
    assert_accessible(page)
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("main").get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
