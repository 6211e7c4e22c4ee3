"""Every page fits a phone: at 390 × 844 no page scrolls sideways as a whole, and no table
is cut off by its container (its last columns — status, the Return button — out of reach);
a table wider than the screen sits in a container the person can scroll. The same holds at
1280 × 800. Checked over every URL in the matrix, each as a persona who may open it, with
lists that have rows in them."""

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.children.factories import make_child, make_guardian
from tests.conftest import PASSWORD, build_world
from tests.instruments import builders
from tests.matrix import OK
from tests.test_url_matrix import CASES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Who opens each page: the first of these the policy lets in.
READERS = ["manager_a", "programme_lead", "safeguarding_a", "tutor_a", "funder", "evaluator"]

# One script, run in the page: what does not fit, and why.
FIT = """() => {
  const problems = [];
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth > width + 1) {
    // Name the innermost elements that stick out, so the message says what to fix.
    const out = [...document.body.querySelectorAll('*')].filter(e =>
      e.getBoundingClientRect().right > width + 1 &&
      ![...e.children].some(c => c.getBoundingClientRect().right > width + 1));
    const names = out.slice(0, 3).map(e => `<${e.tagName.toLowerCase()}` +
      (e.id ? ` id="${e.id}"` : '') + (e.className ? ` class="${e.className}"` : '') + '>');
    const wide = document.documentElement.scrollWidth;
    problems.push(`the page is ${wide}px wide: ${names.join(', ')}`);
  }
  for (const table of document.querySelectorAll('table')) {
    if (!table.offsetParent) continue;  // hidden
    let node = table.parentElement, scrolls = false;
    while (node && node !== document.body) {
      const style = getComputedStyle(node);
      if (['auto', 'scroll'].includes(style.overflowX)) { scrolls = true; break; }
      const cuts = ['hidden', 'clip'].includes(style.overflowX);
      if (cuts && table.scrollWidth > node.clientWidth + 1) {
        const tag = node.tagName.toLowerCase();
        problems.push(`a table is cut off by <${tag} class="${node.className}">`);
        break;
      }
      node = node.parentElement;
    }
    const right = table.getBoundingClientRect().right;
    if (!scrolls && right > width + 1) {
      problems.push(`a table runs off the screen (${Math.round(right)}px) with nothing to scroll`);
    }
  }
  return problems;
}"""


@pytest.fixture
def lived_in_world(transactional_db):
    world = build_world()
    for i in range(3):
        child = make_child(world, first=f"Anastasia-Maria {i}", last="Featherstonehaugh-Smythe")
        make_guardian(child, first="Bartholomew", last="Featherstonehaugh", email=f"g{i}@x.org")
    builders.lend_to_child(world)
    return world


def test_every_page_fits_a_phone_and_a_desktop(chromium, live_server, lived_in_world):
    world = lived_in_world
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    page.base = live_server.url
    signed_in, wrong = None, {}
    pages = []
    for name, case in CASES.items():
        reader = next((p for p in READERS if case.expect.get(p) == OK), None)
        if reader is not None:
            pages.append((READERS.index(reader), name, reader, case))
    for _order, name, reader, case in sorted(pages, key=lambda p: p[:2]):
        url = reverse(name, kwargs=case.kwargs(world)) + case.query
        if reader != signed_in:
            context.clear_cookies()
            sign_in(page, world.people[reader].email, PASSWORD)
            signed_in = reader
        page.set_viewport_size(PHONE)
        try:
            response = page.goto(page.base + url)
        except PlaywrightError:  # a download (CSV, XLSX, PDF, calendar): not a page
            continue
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        problems = [f"phone: {p}" for p in page.evaluate(FIT)]
        page.set_viewport_size(DESKTOP)
        problems += [f"desktop: {p}" for p in page.evaluate(FIT)]
        if problems:
            wrong[f"{name} as {reader}"] = sorted(set(problems))
    context.close()
    report = "\n".join(f"{k}: {v}" for k, v in wrong.items())
    assert not wrong, f"pages that do not fit:\n{report}"
