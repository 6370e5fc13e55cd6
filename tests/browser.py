"""Shared set-up for browser journeys: Debian's Chromium driven by Playwright, checked by axe
and by the Content-Security-Policy: every page a journey opens reports its CSP violations, and the
`demo_browser` fixture fails the test on any."""

from __future__ import annotations

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make are
# still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# serialized_rollback: the regions, roles and workflow of the data migrations survive the flush.
BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERIOUS = {"serious", "critical"}

# Runs in every document before its own scripts (Playwright injects it, so the policy does not
# apply to it). Each violation is kept on the page and reported to Python at once, so that one
# on a page navigated away from is not lost.
CSP_LISTENER = """
(() => {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (event) => {
    const line = `${event.effectiveDirective} refused ${event.blockedURI || "?"}`
      + ` on ${document.location.pathname}`
      + (event.sample ? ` (${event.sample})` : "")
      + (event.sourceFile ? ` at ${event.sourceFile}:${event.lineNumber}` : "");
    window.__cspViolations.push(line);
    if (window.lmsReportCspViolation) { window.lmsReportCspViolation(line); }
  });
})();
"""
# The violations seen since the browser fixture started (it clears and checks them).
csp_violations: list[str] = []


def launch_chromium(playwright):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"No Chromium at {CHROMIUM}, and this run requires the browser tests.")
        pytest.skip(f"No Chromium at {CHROMIUM}: install Debian's 'chromium' package.")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page, as readable lines."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation.get("impact") in SERIOUS
    ]


def watch_csp(context) -> None:
    """Record every Content-Security-Policy violation of the pages of `context`."""
    context.expose_function("lmsReportCspViolation", lambda line: csp_violations.append(line))
    context.add_init_script(CSP_LISTENER)


def collect_csp_violations(chromium) -> list[str]:
    """Every violation reported so far, including those of the pages still open."""
    from playwright.sync_api import Error

    seen = list(csp_violations)
    for context in chromium.contexts:
        for page in context.pages:
            try:
                # Evaluating also lets Playwright deliver reports still on their way.
                current = page.evaluate("() => window.__cspViolations || []")
            except Error:  # a page mid-navigation: its reports came through the binding
                continue
            seen.extend(line for line in current if line not in seen)
    for line in csp_violations:
        if line not in seen:
            seen.append(line)
    return seen


def new_page(chromium, **context_options):
    """A page in a fresh context (its own cookies, so two people can be signed in at once)."""
    context = chromium.new_context(**context_options)
    watch_csp(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def sign_in(page, base: str, username: str, password: str = "demo-2026") -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Логин").fill(username)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти", exact=True).click()
