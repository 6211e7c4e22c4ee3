"""A joint Liverpool–Lambeth ensemble on a phone, as the Lambeth tutor: the register
and the ensemble page show only Lambeth's children until Liverpool's manager makes
them lead tutor (docs/permissions.md)."""

import pytest
from django.urls import reverse

from tests.browser.conftest import accessibility_violations, screenshot, sign_in
from tests.conftest import PASSWORD, build_world
from tests.ensembles.shared import build_shared_ensemble

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db):
    world = build_world()
    world.__dict__["shared"] = build_shared_ensemble(world)
    return world


def test_the_lambeth_tutor_sees_only_lambeth_children_then_is_made_lead(browser_page, live_world):
    page, shared = browser_page, live_world.shared
    sign_in(page, live_world.tutor_b.email, PASSWORD)
    page.goto(page.base + reverse("ensembles:register", args=[shared.occurrence.pk]))
    page.wait_for_selector("[data-register]")
    assert page.locator("[data-row]").count() == 2
    assert "Liverpoolian" not in page.content() and "Stockwellite" in page.content()
    screenshot(page, "shared-register-tutor-b")
    page.goto(page.base + reverse("ensembles:ensemble_detail", args=[shared.ensemble.pk]))
    assert "Brixtonian" in page.content() and "Evertonian" not in page.content()
    screenshot(page, "shared-ensemble-tutor-b")

    page.context.clear_cookies()
    sign_in(page, live_world.manager_a.email, PASSWORD)
    page.goto(page.base + reverse("ensembles:ensemble_leads", args=[shared.ensemble.pk]))
    assert accessibility_violations(page) == []
    page.select_option("#id_user", str(live_world.tutor_b.pk))
    page.select_option("#id_centre", str(live_world.centre_a.pk))
    page.click("button[type=submit] >> text=Make lead tutor")
    page.wait_for_load_state()
    assert "Tutor B" in page.content()
    screenshot(page, "shared-ensemble-leads-manager-a")

    page.context.clear_cookies()
    sign_in(page, live_world.tutor_b.email, PASSWORD)
    page.goto(page.base + reverse("ensembles:register", args=[shared.occurrence.pk]))
    page.wait_for_selector("[data-register]")
    assert page.locator("[data-row]").count() == 4
    screenshot(page, "shared-register-tutor-b-lead")
