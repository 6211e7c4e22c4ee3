"""The navigation is one row at 1280 px for a centre manager and a programme lead, in
English and in Spanish, and its "More" menu opens and closes — in Chromium."""

import pytest

from tests.browser.conftest import DESKTOP, screenshot, sign_in
from tests.conftest import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def rows(page) -> int:
    """How many rows the navigation's items take."""
    return page.evaluate(
        """new Set(Array.from(document.querySelectorAll('.site-nav > details > ul > li'))
             .map(li => Math.round(li.getBoundingClientRect().top))).size"""
    )


@pytest.fixture
def nav_world(transactional_db):
    return build_world()


def test_the_navigation_is_one_row_at_1280(browser_page, nav_world):
    world, page = nav_world, browser_page
    page.set_viewport_size(DESKTOP)
    for persona in ["manager_a", "programme_lead"]:
        user = world.people[persona]
        page.context.clear_cookies()
        sign_in(page, user.email, PASSWORD)
        for language in ["en", "es"]:
            page.context.add_cookies(
                [{"name": "django_language", "value": language, "url": page.base}]
            )
            page.goto(page.base + "/")
            assert rows(page) == 1, f"{persona} in {language}: the navigation wraps"
            assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
            screenshot(page, f"nav-{persona}-{language}-desktop")
    more = page.locator("[data-nav-menu] > summary").last
    more.click()
    assert page.locator("[data-nav-menu][open] a").first.is_visible()
    page.keyboard.press("Escape")
    assert page.locator("[data-nav-menu][open]").count() == 0
