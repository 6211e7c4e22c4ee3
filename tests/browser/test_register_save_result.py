"""After Save, the result is shown next to the Save button (issue 11), where the tutor
is looking on a phone — not only at the top of a 60-row page, off screen."""

import pytest
from django.urls import reverse

from tests.browser.conftest import accessibility_violations, screenshot, sign_in
from tests.conftest import PASSWORD, build_world
from tests.ensembles.conftest import build_register

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def live_world(transactional_db):
    return build_world()


def _beside_save(page) -> dict:
    """The result's text and state, and whether it is on screen touching the Save bar."""
    return page.evaluate(
        """() => {
            const result = document.querySelector('[data-save-result]');
            const bar = document.querySelector('.reg-savebar').getBoundingClientRect();
            const box = result.getBoundingClientRect();
            return {text: result.textContent, state: result.dataset.state,
                    inBar: box.top >= bar.top && box.bottom <= bar.bottom + 1,
                    onScreen: box.height > 0 && box.bottom <= window.innerHeight + 1};
        }"""
    )


def test_the_save_result_appears_next_to_the_save_button(browser_page, live_world):
    phone = browser_page  # 390 × 844
    reg = build_register(live_world.centre_a, 60, tutor=live_world.tutor_a)
    sign_in(phone, live_world.tutor_a.email, PASSWORD)
    phone.goto(phone.base + reverse("ensembles:register", args=[reg.occurrence.pk]))
    phone.wait_for_selector("[data-register][data-ready=true]", state="attached")
    rows = phone.locator("[data-row] [data-toggle]")
    rows.nth(40).click()  # far down the list: the top of the page is off screen
    phone.click("[data-save]")
    phone.wait_for_function(
        "document.querySelector('[data-save-result]').dataset.state === 'saved'", timeout=30000
    )
    shown = _beside_save(phone)
    assert shown["text"].startswith("Saved on the server at")
    assert shown["inBar"] and shown["onScreen"]
    top = phone.evaluate("document.querySelector('[data-sync]').getBoundingClientRect().bottom")
    assert top < 0  # the old place for this message was scrolled away
    screenshot(phone, "register-saved-beside-save-390")
    assert accessibility_violations(phone) == []

    phone.context.set_offline(True)
    rows.nth(41).click()
    rows.nth(42).click()
    phone.click("[data-save]")
    phone.wait_for_function(
        "document.querySelector('[data-save-result]').dataset.state === 'waiting'", timeout=30000
    )
    shown = _beside_save(phone)
    assert shown["text"].startswith("Waiting on this device: 2 marks")
    assert shown["inBar"] and shown["onScreen"]
    screenshot(phone, "register-waiting-beside-save-390")
    # Back online, the queue is sent by itself and the result beside Save says so.
    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    phone.wait_for_function(
        "document.querySelector('[data-save-result]').dataset.state === 'saved'", timeout=30000
    )
    phone.wait_for_function(
        "HarmoniaOffline.items(null).then(items => items.length === 0)", timeout=30000, polling=200
    )
