"""A manager receives violins with their serial numbers, prints labels that say where
to return them, lends to a child (and is warned before lending her a second violin),
prints the loan agreement and records the family's emailed acceptance; then imports
a semicolon-separated class list from Excel and reads the preview — in Chromium."""

import datetime as dt
from pathlib import Path

import pytest

from harmonia.children.models import ImportLog
from harmonia.instruments.models import Loan
from tests.browser.conftest import DESKTOP, PHONE, accessibility_violations, screenshot, sign_in
from tests.conftest import PASSWORD, build_world
from tests.instruments.builders import agreement, child

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def kit_world(transactional_db):
    world = build_world()
    agreement(world)
    centre = world.centre_a
    centre.address = "West Everton Community Centre\nEverton Road, Liverpool L6 2EH"
    centre.phone = "0151 000 0000"
    centre.save()
    return world


def test_serials_labels_a_second_violin_and_the_agreement(browser_page, kit_world, tmp_path):
    world, page = kit_world, browser_page
    kid = child(world, "Amara", "Jones", born=dt.date(2018, 6, 1))
    sign_in(page, world.manager_a.email, PASSWORD)

    page.goto(f"{page.base}/centres/{world.centre_a.pk}/instruments/delivery/")
    page.fill("#id_count", "2")
    page.select_option("#id_instrument_type", "violin")
    page.select_option("#id_size", "1/4")
    page.fill("#id_value", "120")
    page.fill("#id_serial_numbers", "STN-0001\nSTN-0002")
    page.click("button[type=submit] >> text=Save")
    page.wait_for_load_state()
    label = page.locator(".asset-label").first
    assert "Serial STN-0001" in label.inner_text()
    assert "If found, return to In Harmony Liverpool, West Everton" in label.inner_text()
    screenshot(page, "imports-labels-phone")

    for tag in ("LIV-VN-0001", "LIV-VN-0002"):
        page.goto(f"{page.base}/centres/{world.centre_a.pk}/instruments/?q={tag}")
        page.click(f"a >> text={tag}")
        page.click("a >> text=Lend")
        page.select_option("#id_child", label="Amara Jones")
        page.fill("#id_accepted_by", "Grace Jones")
        page.click("button[type=submit] >> text=Lend")
        page.wait_for_load_state()
    assert "already has a violin on loan (LIV-VN-0001)" in page.inner_text("main")
    screenshot(page, "imports-second-violin-warning-phone")
    assert Loan.objects.filter(child=kid).count() == 1
    page.check("#id_second_of_a_type")
    page.click("button[type=submit] >> text=Lend")
    page.wait_for_load_state()
    assert Loan.objects.filter(child=kid).count() == 2

    page.click("a >> text=Loan agreement")
    page.wait_for_load_state()
    assert "Instrument loan agreement" in page.inner_text("main")
    page.fill("#id_accepted_by", "Peter Jones")
    page.check("input[name=agreement_method][value=email]")
    page.click("button[type=submit] >> text=Record acceptance")
    page.wait_for_load_state()
    assert "Accepted by Peter Jones" in page.inner_text("main")
    assert accessibility_violations(page) == []
    screenshot(page, "imports-loan-agreement-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "imports-loan-agreement-desktop")


def test_a_semicolon_class_list_from_excel_is_previewed(browser_page, kit_world, tmp_path):
    world, page = kit_world, browser_page
    sign_in(page, world.manager_a.email, PASSWORD)
    csv = tmp_path / "clase.csv"
    csv.write_bytes(
        "Surname;Forename;DOB;Year;Parent email\r\n"
        "Muñoz;Zoë;14/02/2018;Y3;z.munoz@example.org\r\n"
        "O'Brien;Seán;09/10/2017;yr4;\r\n".encode("cp1252")
    )
    page.goto(f"{page.base}/centres/{world.centre_a.pk}/imports/")
    page.select_option("#id_kind", "csv")
    page.select_option("#id_school", label="Everton Primary")
    page.set_input_files("#id_file", str(Path(csv)))
    page.click("button[type=submit] >> text=Check the file")
    page.wait_for_load_state()
    page.select_option("#id_year_group", "Year")
    page.select_option("#id_contact_email", "Parent email")
    page.click("button[type=submit] >> text=Save")
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "Year 4" in main and "file: yr4" in main and "14 Feb 2018" in main
    assert "semicolon-separated, cp1252" in main
    assert ImportLog.objects.latest("id").state == ImportLog.State.VALIDATED
    assert accessibility_violations(page) == []
    screenshot(page, "imports-preview-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "imports-preview-desktop")
    page.set_viewport_size(PHONE)
