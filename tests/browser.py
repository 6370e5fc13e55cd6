"""Shared set-up for browser journeys: Debian's Chromium driven by Playwright, checked by axe."""

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


def new_page(chromium, **context_options):
    """A page in a fresh context (its own cookies, so two people can be signed in at once)."""
    page = chromium.new_context(**context_options).new_page()
    page.set_default_timeout(15_000)
    return page


def sign_in(page, base: str, username: str, password: str = "demo-2026") -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Логин").fill(username)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти", exact=True).click()
