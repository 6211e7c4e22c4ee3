"""The register in real Chromium at phone size: finished from the home page, and offline.

Waits are on conditions the page exposes, never sleeps: ``[data-register][data-ready]``
(the page has applied what this device's queue holds) and an empty IndexedDB queue
(nothing is still being sent) before the database is read. The live server runs in
another thread on a shared in-memory SQLite database, where a read from the test while
the server writes fails at once ("database table is locked"), so the test reads the
database only once the device has nothing left to send.
"""

import time

import pytest
from django.urls import reverse

from harmonia.ensembles.models import Mark, Submission
from tests.browser.conftest import PHONE, accessibility_violations, screenshot, sign_in
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
    _wait_queue_empty(page)


def _wait_ready(page):
    page.wait_for_selector("[data-register][data-ready=true]", state="attached")


def _wait_queue_empty(page):
    page.wait_for_function(
        "HarmoniaOffline.items(null).then(items => items.length === 0)", timeout=30000, polling=200
    )


def _cached(page, url):
    """True once any of the offline caches holds ``url``."""
    return f"caches.match('{url}', {{ignoreVary: true}}).then(Boolean)"


def _device_holds(page):
    """What this browser keeps: queued submissions, cached registers, drafts."""
    return page.evaluate(
        """async () => ({
            queue: self.HarmoniaOffline ? (await HarmoniaOffline.items(null)).length : -1,
            legacy: localStorage.getItem('harmonia.register.queue'),
            caches: (await caches.keys()).filter(k => k.startsWith('harmonia-register')),
            drafts: Object.keys(localStorage).filter(k => k.startsWith('harmonia.register.')),
        })"""
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
    phone.wait_for_function(_cached(phone, url), timeout=30000, polling=250)
    phone.goto(url)
    _wait_ready(phone)
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
    _wait_ready(phone)
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


def test_a_colleagues_mark_survives_an_offline_phones_defaults(chromium, browser_page, live_world):
    """Two phones: A (the tutor) is offline and never touches X; B (the manager) marks X
    absent. When A comes back, X is still absent, and A's page shows B's mark and says so."""
    reg = build_register(live_world.centre_a, 6, tutor=live_world.tutor_a)
    url = browser_page.base + reverse("ensembles:register", args=[reg.occurrence.pk])
    phone_a = browser_page
    sign_in(phone_a, live_world.tutor_a.email, PASSWORD)
    phone_a.goto(url)
    _wait_ready(phone_a)
    phone_a.context.set_offline(True)

    context_b = chromium.new_context(viewport=PHONE, bypass_csp=True)  # wait_for_function evals
    try:
        phone_b = context_b.new_page()
        phone_b.base = browser_page.base
        sign_in(phone_b, live_world.manager_a.email, PASSWORD)
        phone_b.goto(url)
        _wait_ready(phone_b)
        x = phone_b.locator("[data-row] [data-toggle]").nth(2)
        x.click()  # present → late
        x.click()  # → absent
        phone_b.click("[data-save]")
        _wait_saved(phone_b)
    finally:
        context_b.close()

    phone_a.locator("[data-row] [data-toggle]").nth(4).click()  # Y: present → late
    phone_a.click("[data-save]")
    phone_a.wait_for_function("document.querySelector('[data-sync]').dataset.state === 'waiting'")
    screenshot(phone_a, "register-offline-queued-phone")
    phone_a.context.set_offline(False)
    phone_a.evaluate("window.dispatchEvent(new Event('online'))")
    _wait_saved(phone_a)

    marks = dict(
        Mark.objects.filter(occurrence=reg.occurrence).values_list("child__last_name", "status")
    )
    assert marks["Surname002"] == "absent_unauthorised"  # B's mark, not A's default
    assert marks["Surname004"] == "late"  # A's own tap
    x_on_a = phone_a.locator("[data-row]").nth(2)
    assert x_on_a.get_attribute("data-status") == "absent_unauthorised"
    assert x_on_a.get_attribute("data-conflict") == "true"
    notice = phone_a.locator("[data-conflicts]")
    assert notice.is_visible()
    assert "Child2 Surname002" in notice.inner_text()
    assert accessibility_violations(phone_a) == []
    phone_a.evaluate("window.scrollTo(0, 0)")
    phone_a.screenshot(path=str(screenshot(phone_a, "register-conflict-phone")))


def test_signing_out_leaves_no_childs_data_on_a_shared_phone(phone, live_world):
    reg = build_register(live_world.centre_a, 4, tutor=live_world.tutor_a)
    url = phone.base + reverse("ensembles:register", args=[reg.occurrence.pk])
    sign_in(phone, live_world.tutor_a.email, PASSWORD)
    phone.wait_for_function(_cached(phone, url), timeout=30000, polling=250)
    phone.goto(url)
    _wait_ready(phone)
    phone.context.set_offline(True)
    phone.locator("[data-row] [data-toggle]").nth(1).click()  # late
    phone.click("[data-save]")
    phone.wait_for_function("document.querySelector('[data-sync]').dataset.state === 'waiting'")

    # Sign out with a mark still on the device: asked first, not silently destroyed.
    phone.click(".account-menu summary")
    phone.click("[data-signout] button[type=submit]")
    dialog = phone.locator("[data-signout-dialog]")
    dialog.wait_for(state="visible")
    assert ": 4." in dialog.locator("[data-signout-count]").inner_text()  # 3 defaults + 1 tap
    screenshot(phone, "register-signout-warning-phone")
    phone.context.set_offline(False)
    dialog.locator("[data-signout-send]").click()
    phone.wait_for_url("**/accounts/login/**")
    phone.wait_for_selector("body[data-forgotten=true]", state="attached")
    assert Mark.objects.get(occurrence=reg.occurrence, child__last_name="Surname001").status == (
        "late"
    )
    assert _device_holds(phone) == {"queue": 0, "legacy": None, "caches": [], "drafts": []}

    # The next person on the same phone, offline, finds no child of that register.
    sign_in(phone, live_world.tutor_b.email, PASSWORD)
    phone.context.set_offline(True)
    assert phone.evaluate(_cached(phone, url)) is False
    offline_answer = phone.evaluate(f"fetch('{url}').then(r => r.text()).catch(() => '')")
    assert "Surname" not in offline_answer and "Child1" not in offline_answer


def test_a_refused_save_stays_on_the_phone_and_a_failing_one_does_not_block_others(
    chromium, live_server, live_world
):
    """A 4xx keeps the item as "needs attention" with the reason; a 5xx backs off while the
    next item is still tried; nothing is dropped until the tutor decides."""
    reg = build_register(live_world.centre_a, 3, tutor=live_world.tutor_a)
    context = chromium.new_context(
        viewport=PHONE, service_workers="block", bypass_csp=True
    )  # see the POSTs
    try:
        phone = context.new_page()
        phone.base = live_server.url
        sign_in(phone, live_world.tutor_a.email, PASSWORD)
        phone.goto(phone.base + reverse("ensembles:register", args=[reg.occurrence.pk]))
        _wait_ready(phone)
        answers = iter([(409, {"error": "Refused for this test"}), (503, None)])

        def refuse(route):
            status, body = next(answers, (503, None))
            route.fulfill(status=status, json=body) if body else route.fulfill(status=status)

        phone.route("**/marks/", refuse)
        rows = phone.locator("[data-row] [data-toggle]")
        rows.nth(0).click()  # late
        phone.click("[data-save]")
        attention = phone.locator("[data-attention]")
        attention.wait_for(state="visible")
        assert "Refused for this test" in attention.inner_text()
        rows.nth(1).click()  # late: this save meets a 503
        phone.click("[data-save]")
        phone.wait_for_function(
            "HarmoniaOffline.items(null).then(i => i.some(x => x.attempts > 0))", polling=200
        )
        states = phone.evaluate("HarmoniaOffline.items(null).then(i => i.map(x => x.state).sort())")
        assert states == ["attention", "waiting"]  # both kept
        assert phone.get_attribute("[data-sync]", "data-state") == "error"
        screenshot(phone, "register-needs-attention-phone")

        phone.unroute("**/marks/")
        attention.get_by_role("button", name="Send again").click()
        phone.evaluate("window.dispatchEvent(new Event('online'))")  # the waiting one too
        _wait_saved(phone)
    finally:
        context.close()
    marks = dict(
        Mark.objects.filter(occurrence=reg.occurrence).values_list("child__last_name", "status")
    )
    assert marks["Surname000"] == marks["Surname001"] == "late"
