import os

import pytest
from django.core.management import call_command

from tests import browser
from tests.browser import launch_chromium


@pytest.fixture
def demo_browser(live_server):
    """Debian's Chromium and the address of a live server holding the demo school.

    Fails the test if any page it opened (through `new_page`) violated the
    Content-Security-Policy.
    """
    from playwright.sync_api import sync_playwright

    with open(os.devnull, "w") as quiet:
        call_command("load_demo", verbosity=0, stdout=quiet)
    browser.csp_violations.clear()
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium, live_server.url
        violations = browser.collect_csp_violations(chromium)
        chromium.close()
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)
