"""A centre manager reads a child's subject access export on a phone (Chromium)."""

import pytest

from tests.browser.conftest import accessibility_violations, screenshot, sign_in
from tests.children.test_privacy_registry import make_zebedee
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_the_subject_access_export_reads_on_a_phone(
    transactional_db, world, settings, tmp_path, browser_page
):
    settings.MEDIA_ROOT = tmp_path
    zeb = make_zebedee(world)["child"]
    page = browser_page
    sign_in(page, world.manager_a.email, PASSWORD)
    page.goto(f"{page.base}/children/{zeb.pk}/subject-access/")
    page.wait_for_selector("h1 >> text=Everything we hold about Zebedee Quixote")
    for title in ("Ensembles and instruments played", "Attendance", "Instruments lent"):
        assert page.locator(f"h2 >> text='{title}'").is_visible()
    page.click("a >> text=Instruments lent")
    assert page.locator("#sar-loans >> text=Ophelia Quarrington").is_visible()
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert accessibility_violations(page) == []
    screenshot(page, "subject-access-phone")
