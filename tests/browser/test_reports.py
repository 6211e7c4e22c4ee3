"""A funder opens the dashboard and downloads the annual return, in real Chromium."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from harmonia.demo.people import DEMO_PASSWORD
from harmonia.programmes.models import Grant, Programme
from tests.browser.conftest import DESKTOP, accessibility_violations, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_a_funder_reads_the_dashboard_and_downloads_the_return(browser_page, demo_world):
    page = browser_page
    england = Programme.objects.get(slug="in-harmony-england")
    sign_in(page, "funder@inharmony.demo", DEMO_PASSWORD)
    page.goto(f"{page.base}/programmes/{england.pk}/dashboard/")
    page.wait_for_selector("text=Small numbers are hidden")
    assert accessibility_violations(page) == []
    screenshot(page, "reports-programme-dashboard-phone")
    # A grant report over several centres, on the phone: the same protected cells.
    grant = next(g for g in Grant.objects.filter(programme=england) if g.centres.count() > 1)
    page.goto(f"{page.base}/grants/{grant.pk}/report/")
    page.wait_for_selector("text=Small numbers are hidden")
    assert page.locator("td.hidden-cell").count() > 0
    assert accessibility_violations(page) == []
    screenshot(page, "reports-grant-report-phone")
    page.goto(f"{page.base}/programmes/{england.pk}/dashboard/")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "reports-programme-dashboard-desktop")
    page.click("text=Annual data return")
    page.click("button[value=xlsx]")
    page.wait_for_url("**/downloads/**")
    link = page.wait_for_selector("a.job__download")
    assert accessibility_violations(page) == []
    with page.expect_download() as download:
        link.click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert "Pupils reached by activity" in book.sheetnames
