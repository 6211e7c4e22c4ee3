"""Each demo persona signs in with Chromium and sees what their role allows."""

import pytest

from harmonia.demo.people import DEMO_PASSWORD
from harmonia.programmes.models import Programme
from tests.browser.conftest import (
    DESKTOP,
    accessibility_violations,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.browser

# persona email → navigation they must see, and navigation they must not
EXPECTED_NAV = {
    "lead@inharmony.demo": (
        ["Home", "In Harmony England", "People and roles", "Areas, organisations and funders"],
        [],
    ),
    "funder@inharmony.demo": (["Home", "In Harmony England"], ["People and roles"]),
    "evaluator@inharmony.demo": (["Home", "In Harmony England"], ["People and roles"]),
    "manager.liverpool@inharmony.demo": (
        ["Home", "In Harmony Liverpool", "In Harmony England"],
        ["People and roles", "In Harmony Lambeth"],
    ),
    "tutor.liverpool@inharmony.demo": (
        ["Home", "In Harmony Liverpool"],
        ["People and roles", "In Harmony Lambeth"],
    ),
    "safeguarding.liverpool@inharmony.demo": (["Home", "In Harmony Liverpool"], []),
    "tutor.lambeth@inharmony.demo": (["Home", "In Harmony Lambeth"], ["In Harmony Liverpool"]),
    "coordinacion@elsistema.demo": (["El Sistema Venezuela"], ["In Harmony England"]),
    "tutor.montalban@elsistema.demo": (["Núcleo Montalbán"], ["In Harmony England"]),
}


def nav_texts(page):
    return [t.strip() for t in page.locator(".site-nav a").all_text_contents()]


@pytest.mark.parametrize("email", list(EXPECTED_NAV))
def test_each_demo_login_works_and_shows_the_role_its_navigation(browser_page, demo_world, email):
    page = browser_page
    page.goto(page.base + "/accounts/login/")
    # In demo mode the login page lists every persona; here we type, as a user would.
    sign_in(page, email, DEMO_PASSWORD)
    assert page.url == page.base + "/", page.url
    shown = nav_texts(page)
    must, must_not = EXPECTED_NAV[email]
    for label in must:
        assert label in shown, (email, shown)
    for label in must_not:
        assert label not in shown, (email, shown)
    assert accessibility_violations(page) == []
    screenshot(page, f"home-{email.split('@')[0]}-phone")


def test_the_programme_overview_reads_well_on_a_phone_and_a_desktop(browser_page, demo_world):
    page = browser_page
    sign_in(page, "lead@inharmony.demo", DEMO_PASSWORD)
    page.click(".site-nav summary")
    page.click(".site-nav a >> text=In Harmony England")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "In Harmony England"
    assert page.locator("text=Royal Liverpool Philharmonic").count() >= 1
    assert accessibility_violations(page) == []
    # No sideways scrolling of the page itself on a 390 px phone (tables scroll inside).
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot(page, "programme-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "programme-desktop")


def test_the_spanish_switch_turns_the_pages_spanish(browser_page, demo_world):
    page = browser_page
    sign_in(page, "tutor.liverpool@inharmony.demo", DEMO_PASSWORD)
    page.click("button[lang=es]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("h2 >> text=Tus centros").count() == 1
    assert page.locator(".site-nav a >> text=Inicio").count() == 1
    screenshot(page, "home-tutor-spanish-phone")


def test_the_demo_login_page_signs_in_with_one_tap(browser_page, demo_world, settings):
    settings.DEMO = True
    page = browser_page
    page.goto(page.base + "/accounts/login/")
    assert accessibility_violations(page) == []
    screenshot(page, "login-phone")
    page.click("button[data-email='manager.liverpool@inharmony.demo']")
    page.wait_for_load_state()
    assert "In Harmony Liverpool" in nav_texts(page)


def test_an_unknown_page_and_a_forbidden_page_explain_themselves(browser_page, demo_world):
    page = browser_page
    sign_in(page, "funder@inharmony.demo", DEMO_PASSWORD)
    england = Programme.objects.get(slug="in-harmony-england")
    response = page.goto(page.base + f"/programmes/{england.pk}/edit/")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "Your role does not allow this"
    response = page.goto(page.base + "/centres/999999/")
    assert response.status == 404
    assert accessibility_violations(page) == []
