"""The lists people use on a phone fit a 390 px screen: rows become cards, nothing is
cut off, and the loan's Return button can be seen and pressed — in Chromium."""

import pytest

from tests.browser.conftest import accessibility_violations, screenshot, sign_in
from tests.conftest import PASSWORD, build_world
from tests.instruments.builders import agreement, child, lend_to_child
from tests.staff.builders import add_staff

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def phone_world(transactional_db):
    world = build_world()
    agreement(world)
    kid = child(world, "Amara", "Jones-Whitfield-Okonkwo")
    loan = lend_to_child(world, kid=kid)
    add_staff(world, "Bartholomew Featherstonehaugh-Smythe")
    return world, loan


def overflow(page) -> int:
    """How far the page is wider than the screen (0: it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def inside_screen(page, locator) -> bool:
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_every_list_fits_a_phone_and_the_return_button_works(browser_page, phone_world):
    world, loan = phone_world
    page = browser_page
    sign_in(page, world.manager_a.email, PASSWORD)
    a = world.centre_a.pk
    for path, name in [
        (f"/centres/{a}/children/", "children"),
        (f"/centres/{a}/instruments/", "instruments"),
        (f"/centres/{a}/staff/", "staff"),
        (f"/centres/{a}/loans/", "loans"),
    ]:
        page.goto(page.base + path)
        assert overflow(page) <= 0, f"the {name} list is wider than the phone"
        # The status or last column of the first row is on the screen.
        last_cell = page.locator("table.cards tbody tr").first.locator("td").last
        assert inside_screen(page, last_cell), f"the {name} list cuts off its last column"
        screenshot(page, f"phone-list-{name}")

    assert accessibility_violations(page) == []
    button = page.get_by_role("link", name=f"Return {loan.instrument.asset_tag}")
    assert button.is_visible()
    assert inside_screen(page, button)
    button.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/loans/{loan.pk}/return/")


def test_the_child_picker_on_the_lend_form_filters_as_you_type(browser_page, phone_world):
    from harmonia.instruments.models import Loan
    from tests.instruments.builders import delivery

    world, _loan = phone_world
    for first in ["Ben", "Bea", "Cara", "Dan"]:
        child(world, first, "Okafor")
    instrument = delivery(world, 1)[0]
    page = browser_page
    sign_in(page, world.manager_a.email, PASSWORD)
    page.goto(page.base + f"/instruments/{instrument.pk}/lend/")
    picker = page.locator("#id_child")
    assert picker.locator("option").count() == 6  # "---------" and five children
    page.get_by_label("Find a child: type part of a name").fill("cara oka")
    assert picker.locator("option").count() == 2
    assert picker.input_value() != ""  # the one match is chosen
    assert "1 found" in page.inner_text(".select-filter__status")
    assert overflow(page) <= 0
    screenshot(page, "phone-lend-filter")
    page.fill("#id_accepted_by", "Grace Okafor")
    page.click("button[type=submit] >> text=Lend")
    page.wait_for_load_state()
    assert Loan.objects.get(instrument=instrument).child.first_name == "Cara"
