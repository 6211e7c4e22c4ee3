"""Every signed-in page and every download says ``Cache-Control: no-store``, every page
carries the Content-Security-Policy, and no template has inline script or style."""

import re
from pathlib import Path

from django.urls import reverse

from tests.children.factories import make_child


def test_a_child_page_and_the_children_export_are_never_stored(world, as_persona):
    child = make_child(world)
    client = as_persona("manager_a")
    for url in (
        reverse("children:child_detail", args=[child.pk]),
        reverse("children:child_list_export", args=[world.centre_a.pk]),
        reverse("children:subject_access_json", args=[child.pk]),
        reverse("home"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_a_tutor_feed_fetched_without_a_session_keeps_its_caching(world, client):
    from harmonia.ensembles.models import CalendarToken

    token = CalendarToken.objects.create(user=world.tutor_a)
    response = client.get(reverse("ensembles:tutor_feed", args=[token.token]))
    assert response["Cache-Control"] == "private, max-age=900"


def test_every_page_carries_a_strict_content_security_policy(client, db):
    policy = client.get(reverse("accounts:login"))["Content-Security-Policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
    )
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["form-action"] == "'self'"
    assert "unsafe" not in policy


TEMPLATES = Path(__file__).resolve().parent.parent / "harmonia" / "templates"
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler (on…=)"),
    (re.compile(r"\sstyle\s*=", re.I), "a style= attribute"),
    (re.compile(r"<style", re.I), "a <style> element"),
    (re.compile(r"hx-on|hx-vals=[\"']js:|javascript:", re.I), "script HTMX would eval"),
]


def test_no_template_has_inline_script_or_style():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        if path.name.endswith("_pdf.html"):  # rendered to PDF by WeasyPrint, never served
            continue
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(TEMPLATES)}:{line}: {what}")
    assert found == [], "The Content-Security-Policy blocks these:\n" + "\n".join(found)
