"""A tutor raises a concern about a child on a phone; the safeguarding lead is told at
once, sees it on their home page and reads it; the tutor reads back only their own
report — in Chromium, at 390 × 844. The central record fits a phone and a desktop."""

import pytest
from django.core import mail

from harmonia.staff.models import Concern, ConcernAccess
from tests.browser.conftest import DESKTOP, accessibility_violations, screenshot, sign_in
from tests.children.factories import make_child
from tests.conftest import PASSWORD, build_world
from tests.staff.builders import fully_checked

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def safe_world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def test_a_tutor_raises_a_concern_and_the_lead_reads_it(browser_page, safe_world):
    world, page = safe_world, browser_page
    amara = make_child(world, first="Amara", last="Okafor", by=world.manager_a)
    make_child(world, first="Ben", last="Adeyemi", by=world.manager_a)
    sign_in(page, world.tutor_a.email, PASSWORD)

    # From the navigation, as any adult would (on a phone it opens from "Menu").
    page.click(".site-nav__toggle summary")
    page.click(".site-nav a >> text=Raise a concern")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Raise a safeguarding concern"
    assert "call 999" in page.inner_text("main")
    options = page.locator("#id_about_child option").all_inner_texts()
    assert options == ["Choose a child…", "Ben Adeyemi", "Amara Okafor"]  # by surname
    page.select_option("#id_about_child", label="Amara Okafor")
    page.select_option("#id_category", "emotional")
    page.fill("#id_account", "Amara said she is scared to go home because of the shouting.")
    page.fill("#id_action_taken", "Listened, told her I must pass it on.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert accessibility_violations(page) == []
    screenshot(page, "concern-raise-phone")
    page.click("button[type=submit] >> text=Send to the safeguarding lead")
    page.wait_for_load_state()
    assert "the safeguarding lead was told" in page.inner_text("main")
    assert "Amara Okafor" in page.locator("h1").inner_text()
    screenshot(page, "concern-own-phone")
    concern = Concern.objects.get()
    assert (concern.about_child_id, concern.recorded_by_id) == (amara.pk, world.tutor_a.pk)
    assert [m.to for m in mail.outbox] == [[world.safeguarding_a.email]]

    # The tutor cannot open the log: refused, and the attempt is on the lead's log.
    response = page.goto(f"{page.base}/centres/{world.centre_a.pk}/concerns/")
    assert response.status == 403
    assert ConcernAccess.objects.filter(user=world.tutor_a, refused=True).count() == 1

    # The lead signs in: the home page says a new concern is waiting; they read it.
    page.context.clear_cookies()
    sign_in(page, world.safeguarding_a.email, PASSWORD)
    assert "1 new concern nobody has opened yet" in page.inner_text("main")
    screenshot(page, "concern-home-lead-phone")
    page.click("a >> text=Open the concern log")
    page.wait_for_load_state()
    assert "Amara Okafor" in page.inner_text("main")
    assert "Refused" not in page.inner_text("main")
    page.click("a >> text=" + concern.noticed.strftime("%-d %b %Y"))
    page.wait_for_load_state()
    assert "scared to go home" in page.inner_text("main")
    page.fill("#id_what", "Spoke to the school's DSL; referral made.")
    page.select_option("#id_referral_to", "social_care")
    page.fill("#id_referral_date", concern.noticed.isoformat())
    page.select_option("#id_state", "referred")
    page.click("button[type=submit] >> text=Add this entry")
    page.wait_for_load_state()
    assert "Children's social care" in page.inner_text(".chronology")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "concern-chronology-phone")
    page.goto(f"{page.base}/centres/{world.centre_a.pk}/concerns/access-log/")
    assert "Refused" in page.inner_text("main")


def test_the_central_record_fits_a_phone_and_a_desktop(browser_page, safe_world):
    world, page = safe_world, browser_page
    for name in ("Clara Clear", "Dev Patel", "Rosa Ramírez"):
        fully_checked(world, name)
    sign_in(page, world.manager_a.email, PASSWORD)
    url = f"{page.base}/centres/{world.centre_a.pk}/central-record/"
    page.goto(url)
    # Phone: one card per person, nothing off the side of the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("table.scr tbody tr").first.evaluate(
        "e => getComputedStyle(e).display"
    ) == ("block")
    assert accessibility_violations(page) == []
    screenshot(page, "central-record-phone")
    # Desktop: the table scrolls inside its card, the names stay in view.
    page.set_viewport_size(DESKTOP)
    page.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    wrap = page.locator(".scr-wrap")
    assert wrap.evaluate("e => e.scrollWidth > e.clientWidth")  # more to the side…
    assert page.locator(".scr-cue").is_visible()  # …and the page says so
    wrap.evaluate("e => e.scrollLeft = 400")
    name = page.locator("table.scr tbody th").first
    assert name.evaluate("e => e.getBoundingClientRect().left") == pytest.approx(
        wrap.evaluate("e => e.getBoundingClientRect().left"), abs=2
    )
    assert accessibility_violations(page) == []
    screenshot(page, "central-record-desktop")
