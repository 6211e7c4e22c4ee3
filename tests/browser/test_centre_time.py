"""A Venezuelan tutor on a phone: the practice shows at 17:00 Caracas time, a register
for tomorrow says when it opens, and the calendar address copies with one tap."""

import datetime as dt

import pytest
from django.urls import reverse

from harmonia.accounts.models import Membership, Role, User
from harmonia.ensembles import timetable
from harmonia.ensembles.models import Ensemble, Session
from harmonia.programmes import zones
from tests.browser.conftest import DESKTOP, screenshot, sign_in
from tests.conftest import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def caracas(transactional_db):
    world = build_world()
    tutor = User.objects.create_user(
        email="yusmary@example.org", password=PASSWORD, full_name="Yusmary Rondón"
    )
    Membership.objects.create(user=tutor, role=Role.TUTOR, centre=world.centre_v)
    centre = world.centre_v
    ensemble = Ensemble.objects.create(
        programme=centre.programme, centre=centre, name="Orquesta Infantil", kind="orchestra"
    )
    ensemble.member_centres.add(centre)
    today = zones.local_today(centre)
    session = Session.objects.create(
        ensemble=ensemble,
        name="Práctica",
        weekday=today.weekday(),
        start_time=dt.time(17, 0),
        duration_minutes=60,
        starts_on=today,
        ends_on=today + dt.timedelta(days=7),
        venue="Salón de música",
    )
    session.tutors.add(tutor)
    timetable.generate_occurrences([session])
    return tutor, session


def test_a_venezuelan_tutor_sees_17_00_and_a_future_register_is_closed(browser_page, caracas):
    tutor, session = caracas
    page = browser_page
    sign_in(page, tutor.email, PASSWORD)
    page.goto(page.base + session.occurrences.order_by("date").first().get_absolute_url())
    when = page.locator(".reg-when").inner_text()
    assert "17:00–18:00" in when and "21:00" not in when
    screenshot(page, "tz-register-caracas-phone")
    later = session.occurrences.order_by("date").last()
    page.goto(page.base + later.get_absolute_url())
    assert "This register opens on" in page.locator(".reg-not-open").inner_text()
    assert page.locator("[data-save]").count() == 0
    screenshot(page, "tz-register-not-open-phone")


def test_the_calendar_address_copies_with_one_tap(chromium, live_server, caracas):
    tutor, _session = caracas
    context = chromium.new_context(viewport=DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.base = live_server.url
    sign_in(page, tutor.email, PASSWORD)
    page.goto(page.base + reverse("ensembles:my_timetable"))
    link = page.locator("a[href^='webcal://']")
    assert link.count() == 1
    page.click("[data-copy]")
    status = page.locator("[data-copy-status]")
    status.filter(has_text="Address copied.").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("[data-copy-source]").input_value()
    assert copied.startswith(live_server.url) and link.get_attribute("href") == (
        "webcal://" + copied.split("://", 1)[1]
    )
    page.click(".feed-subscribe__qr summary")
    assert page.locator(".feed-subscribe__qrcode svg").is_visible()
    screenshot(page, "tz-my-timetable-subscribe-desktop")
    context.close()
