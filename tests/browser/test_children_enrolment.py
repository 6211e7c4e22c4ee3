"""A centre manager enrols a sibling pair with one guardian, records consents, withdraws
photo consent and sees the re-consent list after the photo form changes (Chromium)."""

import os

import pytest
from django.utils import timezone

from harmonia.children import services
from harmonia.children.models import Child, ConsentKind, ConsentRecord, Guardian
from tests.browser.conftest import accessibility_violations, sign_in
from tests.conftest import PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser


def _enrol(page, world, first, dob, year):
    page.goto(f"{page.base}/centres/{world.centre_a.pk}/children/enrol/")
    page.fill("#id_first_name", first)
    page.fill("#id_last_name", "Lovelace")
    page.fill("#id_date_of_birth", dob)
    page.select_option("#id_sex", "F" if first == "Ada" else "M")
    page.select_option("#id_school", str(world.school_a.pk))
    page.select_option("#id_year_group", year)
    page.select_option("#id_status", "active")
    page.click("button[type=submit] >> text=Enrol")
    page.wait_for_selector("h1 >> text=Add a guardian")


def test_manager_enrols_siblings_records_and_withdraws_consent(
    transactional_db,
    world,
    browser_page,
):
    page = browser_page
    photo = services.publish_consent_form(
        programme=world.england, kind=ConsentKind.PHOTO, title="Photography and film",
        wording="We may photograph your child at concerts.", by=None,
        at=timezone.now() - timezone.timedelta(days=30),
    )  # fmt: skip
    sign_in(page, world.manager_a.email, PASSWORD)

    _enrol(page, world, "Ada", "2016-05-01", "4")
    page.fill("#id_guardian-first_name", "Mary")
    page.fill("#id_guardian-last_name", "Lovelace")
    page.fill("#id_guardian-email", "mary@example.org")
    page.fill("#id_guardian-phone", "0151 496 0000")
    page.select_option("#id_link-relationship", "mother")
    page.click("button[type=submit] >> text=Save")
    page.wait_for_selector("h1 >> text=Ada Lovelace")

    _enrol(page, world, "Byron", "2018-02-11", "2")
    mary = Guardian.objects.get()
    page.select_option("#id_link-existing", str(mary.pk))
    page.select_option("#id_link-relationship", "mother")
    page.click("button[type=submit] >> text=Save")
    page.wait_for_selector("h1 >> text=Byron Lovelace")
    assert page.locator("text=Brothers and sisters here").is_visible()
    assert accessibility_violations(page) == []
    assert Guardian.objects.count() == 1 and Child.objects.count() == 2

    ada = Child.objects.get(first_name="Ada")
    page.goto(page.base + ada.get_absolute_url())
    page.click("text=Record a decision")
    page.select_option("#id_form", str(photo.pk))
    page.check("input[name=decision][value=given]")
    page.select_option("#id_guardian", str(mary.pk))
    page.select_option("#id_method", "paper")
    page.click("button[type=submit] >> text=Record decision")
    page.wait_for_selector("h1 >> text=Ada Lovelace")
    assert services.has_consent(ada, ConsentKind.PHOTO)

    page.click("a >> text=Withdraw")
    page.fill("#id_note", "Mum phoned")
    page.click("button[type=submit] >> text=Save")
    page.wait_for_selector(".badge--withdrawn")
    assert not services.has_consent(ada, ConsentKind.PHOTO)
    assert ConsentRecord.objects.get().withdrawn_at is not None

    # The programme changes the photo form: every family is asked again.
    services.publish_consent_form(
        programme=world.england, kind=ConsentKind.PHOTO, title="Photography and film",
        wording="We may photograph and film your child and share clips online.", by=None,
    )  # fmt: skip
    page.goto(f"{page.base}/centres/{world.centre_a.pk}/consents/")
    section = page.locator("section", has_text="version 2")
    assert section.get_by_role("link", name="Ada Lovelace", exact=True).is_visible()
    assert section.get_by_role("link", name="Byron Lovelace", exact=True).is_visible()
    assert accessibility_violations(page) == []
    page.goto(f"{page.base}/centres/{world.centre_a.pk}/children/enrol/")
    assert accessibility_violations(page) == []
    page.goto(f"{page.base}/centres/{world.centre_a.pk}/consents/")
    page.screenshot(path="/tmp/children_reconsent_390.png", full_page=True)  # noqa: S108
