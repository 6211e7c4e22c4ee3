"""Key pages run in real Chromium under the Content-Security-Policy with no violation:
no inline script or style, HTMX configured not to eval, nothing from elsewhere."""

import pytest
from django.urls import reverse

from tests.browser.conftest import PHONE, screenshot, sign_in
from tests.children.factories import make_child
from tests.conftest import PASSWORD, build_world
from tests.ensembles.conftest import build_register
from tests.instruments.builders import photographed_instrument_a

pytestmark = pytest.mark.browser

# Collected before any page script runs; Playwright's own scripts are exempt from CSP.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _violations(page, console):
    page.wait_for_load_state("networkidle")
    found = page.evaluate("window.__csp")
    return found + [m for m in console if "Content Security Policy" in m or "Refused" in m]


@pytest.fixture
def strict_page(chromium, live_server):
    """A phone-sized page that keeps the Content-Security-Policy (browser_page bypasses it)."""
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    page.base = live_server.url
    yield page
    context.close()


def test_key_pages_raise_no_csp_violation(strict_page, transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    child = make_child(world)
    register = build_register(world.centre_a, 8, tutor=world.tutor_a)
    instrument = photographed_instrument_a(world)
    page = strict_page
    console = []
    page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else None)
    page.add_init_script(LISTEN)

    page.goto(page.base + reverse("accounts:login"))
    header = page.request.get(page.base + reverse("accounts:login")).headers
    assert "script-src 'self'" in header["content-security-policy"]
    assert _violations(page, console) == [], "sign-in page"

    sign_in(page, world.manager_a.email, PASSWORD)
    assert _violations(page, console) == [], "home page"
    pages = {
        "child": reverse("children:child_detail", args=[child.pk]),
        "register": reverse("ensembles:register", args=[register.occurrence.pk]),
        "centre dashboard": reverse("reports:centre_dashboard", args=[world.centre_a.pk]),
        "ensemble (feed address)": register.ensemble.get_absolute_url(),
        "instrument (photo)": instrument.get_absolute_url(),
        "subject access (print button)": reverse("children:subject_access", args=[child.pk]),
    }
    for name, url in pages.items():
        response = page.goto(page.base + url)
        assert response.status == 200, name
        assert "no-store" in response.headers["cache-control"], name
        assert _violations(page, console) == [], name
        screenshot(page, f"csp-{name.split()[0]}")
        if name.startswith("instrument"):  # the photo loads through its view
            assert page.evaluate("document.querySelector('img.instrument-photo').naturalWidth") > 0
    # The print button works without an inline handler.
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.click("[data-print]")
    assert page.evaluate("window.__printed") is True
