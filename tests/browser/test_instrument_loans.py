"""A centre manager receives 20 violins, labels them, lends one to a child, and the
size-up list for next term names the child once they have grown — in Chromium."""

import datetime as dt

import pytest

from harmonia.instruments.models import Instrument, Loan
from tests.browser.conftest import DESKTOP, accessibility_violations, screenshot, sign_in
from tests.conftest import PASSWORD, build_world
from tests.instruments.builders import agreement, child

pytestmark = pytest.mark.browser


@pytest.fixture
def kit_world(transactional_db):
    world = build_world()
    agreement(world)
    return world


def test_receive_label_lend_and_size_up(browser_page, kit_world):
    world, page = kit_world, browser_page
    kid = child(world, "Amara", "Jones", born=dt.date(2019, 6, 1))
    sign_in(page, world.manager_a.email, PASSWORD)

    # Receive a delivery of 20 quarter-size violins.
    page.goto(f"{page.base}/centres/{world.centre_a.pk}/instruments/delivery/")
    page.fill("#id_count", "20")
    page.select_option("#id_instrument_type", "violin")
    page.select_option("#id_size", "1/4")
    page.fill("#id_make", "Stentor")
    page.fill("#id_value", "120")
    page.click("button[type=submit] >> text=Save")
    page.wait_for_load_state()
    assert "Asset labels" in page.title()
    assert page.locator(".asset-label").count() == 20
    assert page.locator(".asset-label svg").count() == 20
    assert page.locator(".asset-label__tag").first.inner_text() == "LIV-VN-0001"
    screenshot(page, "instruments-labels-phone")
    assert Instrument.objects.filter(centre=world.centre_a, size="1/4").count() == 20

    # Lend the first to Amara, recording the agreement her carer accepted.
    first = Instrument.objects.get(asset_tag="LIV-VN-0001")
    page.goto(page.base + first.get_absolute_url())
    page.click("a >> text=Lend")
    page.select_option("#id_child", label="Amara Jones")
    page.fill("#id_accepted_by", "Grace Jones")
    page.click("button[type=submit] >> text=Lend")
    page.wait_for_load_state()
    assert "with Amara Jones" in page.inner_text("main")
    loan = Loan.objects.get()
    assert (loan.child_id, loan.agreement_accepted_by) == (kid.pk, "Grace Jones")

    # Seven next term: a quarter size still fits, so she is not on the list yet.
    size_up = f"{page.base}/centres/{world.centre_a.pk}/size-up/"
    page.goto(size_up)
    assert "Amara Jones" not in page.inner_text("main")

    # She has grown: a tutor-style measurement of 52 cm means a half size.
    page.goto(f"{page.base}/children/{kid.pk}/instruments/")
    page.fill("#id_arm_length_cm", "52")
    page.click("button[type=submit] >> text=Record measurement")
    page.wait_for_load_state()
    page.goto(size_up)
    row = page.locator("tr", has_text="Amara Jones")
    assert row.count() == 1
    assert "1/2" in row.inner_text()
    assert accessibility_violations(page) == []
    screenshot(page, "instruments-size-up-phone")
    page.set_viewport_size(DESKTOP)
    assert "arm 52 cm" in row.inner_text()  # the reason shows on wider screens
    screenshot(page, "instruments-size-up-desktop")
