"""Helpers for tests that drive real Chromium (Debian's package) with Playwright.

The ``chromium`` and ``browser_page`` fixtures live in tests/conftest.py, so that any
test folder can use the one browser (Playwright's sync API starts once per process).
The suite fails — never skips — when /usr/bin/chromium is missing: .ci/run installs it.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SCREENSHOTS = Path(os.environ.get("HARMONIA_SCREENSHOTS", "var/screenshots"))

# Playwright's sync API runs an event loop; Django's ORM calls made from the test
# body in between are safe because the server runs in its own thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def demo_world(transactional_db, demo):
    """The demo programme, committed, for the live server (tests/demo_snapshot.py)."""
    return demo


def sign_in(page, email, password):
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("button[type=submit] >> text=Sign in")
    page.wait_for_load_state()


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def accessibility_violations(page) -> list[str]:
    """WCAG 2.2 A/AA violations found by axe-core on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    options = {
        "runOnly": {
            "type": "tag",
            "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
        },
        "resultTypes": ["violations"],
    }
    results = Axe().run(page, options=options)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} × e.g. {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]
