"""The register in real Chromium at phone size: finished from the home page, and offline."""

import time

import pytest
from django.urls import reverse

from harmonia.ensembles.models import Mark, Submission
from tests.browser.conftest import accessibility_violations, screenshot, sign_in
from tests.conftest import PASSWORD, build_world
from tests.ensembles.conftest import build_register

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db):
    return build_world()


@pytest.fixture
def phone(browser_page):
    return browser_page  # 390 × 844


def _wait_saved(page):
    page.wait_for_function(
        "document.querySelector('[data-sync]').dataset.state === 'saved'", timeout=30000
    )


def test_a_tutor_finishes_a_60_child_register_from_their_home_page(phone, live_world):
    reg = build_register(live_world.centre_a, 60, tutor=live_world.tutor_a)
    sign_in(phone, live_world.tutor_a.email, PASSWORD)
    assert accessibility_violations(phone) == []
    phone.click(".session-card")  # today's session, on the home page
    phone.wait_for_selector("[data-register]")
    assert phone.locator("[data-row]").count() == 60
    rows = phone.locator("[data-row] [data-toggle]")
    started = time.monotonic()
    for i in (3, 17, 41):  # late: one tap
        rows.nth(i).click()
    for i in (8, 22):  # absent: two taps
        rows.nth(i).click()
        rows.nth(i).click()
    phone.locator("[data-row]").nth(30).locator("[data-more]").click()
    phone.select_option("[data-sheet] [data-reason]", "illness")
    phone.fill("[data-sheet] [data-note]", "Dad phoned at 3pm")
    phone.click("[data-sheet-done]")
    phone.click("[data-save]")
    _wait_saved(phone)
    elapsed = time.monotonic() - started
    assert elapsed < 20, f"{elapsed:.1f} s to take the register"
    assert phone.locator("[data-count=present]").inner_text() == "54"
    assert accessibility_violations(phone) == []
    screenshot(phone, "register-60-phone")
    phone.evaluate("window.scrollTo(0, 0)")
    phone.screenshot(
        path=str(screenshot(phone, "register-60-phone").with_name("register-60-top.png"))
    )
    statuses = dict(
        Mark.objects.filter(occurrence=reg.occurrence).values_list("child__last_name", "status")
    )
    assert len(statuses) == 60
    assert statuses["Surname003"] == statuses["Surname017"] == "late"
    assert statuses["Surname008"] == "absent_unauthorised"
    authorised = Mark.objects.get(occurrence=reg.occurrence, child__last_name="Surname030")
    assert (authorised.status, authorised.reason, authorised.note) == (
        "absent_authorised", "illness", "Dad phoned at 3pm",
    )  # fmt: skip


def test_marks_taken_offline_reach_the_server_exactly_once(phone, live_world):
    reg = build_register(live_world.centre_a, 60, tutor=live_world.tutor_a)
    sign_in(phone, live_world.tutor_a.email, PASSWORD)
    url = phone.base + reverse("ensembles:register", args=[reg.occurrence.pk])
    # The home page asks the service worker to keep today's register for offline use.
    phone.wait_for_function(
        f"caches.open('harmonia-register-v1').then(c => c.match('{url}')).then(Boolean)",
        timeout=30000,
        polling=250,
    )
    phone.goto(url)
    rows = phone.locator("[data-row] [data-toggle]")
    rows.nth(0).click()  # late
    phone.click("[data-save]")
    _wait_saved(phone)
    assert Mark.objects.filter(occurrence=reg.occurrence).count() == 60

    phone.context.set_offline(True)
    rows.nth(0).click()  # late → absent
    rows.nth(5).click()  # present → late
    rows.nth(59).click()
    rows.nth(59).click()  # absent
    phone.click("[data-save]")
    phone.wait_for_function("document.querySelector('[data-sync]').dataset.state === 'waiting'")
    assert "Waiting on this device" in phone.inner_text("[data-sync]")
    phone.reload()  # still offline: the service worker serves the register, the queue is kept
    phone.wait_for_selector("[data-register]")
    assert phone.locator("[data-row]").nth(5).get_attribute("data-status") == "late"
    assert Mark.objects.filter(occurrence=reg.occurrence, status="late").count() == 1

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    _wait_saved(phone)
    marks = dict(
        Mark.objects.filter(occurrence=reg.occurrence).values_list("child__last_name", "status")
    )
    assert len(marks) == 60
    assert marks["Surname000"] == "absent_unauthorised"
    assert marks["Surname005"] == "late"
    assert marks["Surname059"] == "absent_unauthorised"
    assert sum(1 for s in marks.values() if s == "present") == 57
    assert Submission.objects.filter(occurrence=reg.occurrence).count() == 2
