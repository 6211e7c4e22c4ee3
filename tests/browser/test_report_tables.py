"""The dashboards' wide tables as people see them (issue 11): at 1280 the centre
table shows Income, Per child and Per child-hour; on a 390 px phone it scrolls
sideways inside its box, says so, and keeps the centre's name in view."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.conftest import DESKTOP, PHONE, accessibility_violations, screenshot, sign_in
from tests.conftest import PASSWORD, build_world
from tests.reports.conftest import make_children, make_ensemble, take_register

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CENTRES = 'section[aria-labelledby="centres-heading"] .table-wrap'


@pytest.fixture
def live_registers(transactional_db):
    world = build_world()
    today = timezone.localdate()
    days = [today - dt.timedelta(days=k) for k in (5, 4, 3, 2, 1)]
    on = today - dt.timedelta(days=40)
    lead = world.programme_lead
    for centre, school, n, prefix, tutor in (
        (world.centre_a, world.school_a, 12, "A", world.tutor_a),
        (world.centre_b, world.school_b, 6, "B", world.tutor_b),
    ):
        children = make_children(centre, school, n, prefix, by=lead, on=on)
        for occurrence in make_ensemble(world.england, centre, children, days, on=on):
            take_register(occurrence, children, present=n - 1, by=tutor)
    return world


def _box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_the_centre_table_fits_at_1280_and_scrolls_with_a_cue_on_a_phone(
    browser_page, live_registers
):
    page = browser_page
    world = live_registers
    sign_in(page, world.programme_lead.email, PASSWORD)
    url = f"{page.base}/programmes/{world.england.pk}/dashboard/"

    page.set_viewport_size(DESKTOP)
    page.goto(url)
    wrap = page.locator(CENTRES)
    wrap.scroll_into_view_if_needed()
    box = wrap.bounding_box()
    for header in ("Income (GBP)", "Per child", "Per child-hour"):
        cell = wrap.locator("thead th", has_text=header).last.bounding_box()
        assert cell["x"] + cell["width"] <= box["x"] + box["width"] + 1, header
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth + 1")
    assert page.locator(".table-scroll-cue").first.is_hidden()
    screenshot(page, "reports-centre-table-desktop")

    page.set_viewport_size(PHONE)
    page.goto(url)
    wrap = page.locator(CENTRES)
    wrap.scroll_into_view_if_needed()
    # The page itself never scrolls sideways; the table does, inside its box.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")
    cue = page.locator(f"{CENTRES} + .table-scroll-cue")
    assert cue.is_visible() and "Scroll sideways" in cue.inner_text()
    name = wrap.locator("tbody th", has_text="In Harmony Liverpool")
    before = name.bounding_box()["x"]
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; w.dispatchEvent(new Event('scroll')); }")
    last = wrap.locator("thead th", has_text="Per child-hour").bounding_box()
    box = wrap.bounding_box()
    assert last["x"] + last["width"] <= box["x"] + box["width"] + 1  # reachable
    assert abs(name.bounding_box()["x"] - before) < 1  # the first column stays put
    assert name.is_visible()
    screenshot(page, "reports-centre-table-phone-scrolled")
    assert accessibility_violations(page) == []
