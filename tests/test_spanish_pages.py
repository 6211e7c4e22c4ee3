"""Spanish, completely: every page a persona can open reads in Spanish when Spanish is
chosen. The check reads each page's visible text and looks for English words that
Spanish never uses; data (names of centres, people, schools) is not text to translate."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse

from tests.matrix import OK, PERSONAS
from tests.test_url_matrix import CASES

ENGLISH = re.compile(
    r"\b(the|and|of|with|your|this|from|are|have|been|which|will|when|there|"
    r"Download|Show|Save|Edit|Back|Language|Children|Register|Search|Delete|Cancel)\b"
)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code", "pre"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "placeholder", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "pre") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return [" ".join(p.split()) for p in parser.parts if p.strip()]


def data_strings(world) -> set[str]:
    """Every text a person typed or an import brought in (names, notes, an agreement's
    wording): shown as entered, not translated. The change log's actions and the
    access log's are not data: they are what the labels translate."""
    from django.apps import apps
    from django.db import models

    skip = {"audit.AuditEvent", "children.ChildAccessLog", "children.ImportLog"}
    found = set()
    for model in apps.get_models():
        if not model.__module__.startswith("harmonia.") or model._meta.label in skip:
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]
        if fields:
            for row in model._default_manager.values_list(*fields):
                found.update(v for v in row if v and len(v) > 3)
    return found


def _english_on(html: str, known: set[str]) -> list[str]:
    lines = []
    for text in visible_text(html):
        cleaned = text
        for value in known:
            cleaned = cleaned.replace(value, "")
        if ENGLISH.search(cleaned):
            lines.append(text[:120])
    return lines


@pytest.mark.slow
def test_every_page_reads_in_spanish(client, world):
    found_on = {}
    for name, case in sorted(CASES.items()):
        persona = next((p for p in PERSONAS if case.expect.get(p) == OK), None)
        if persona is None or persona == "anonymous":
            continue
        url = reverse(name, kwargs=case.kwargs(world)) + case.query
        client.logout()
        client.force_login(world.people[persona])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        found_on[f"{name} as {persona}"] = response.content.decode()
    # Data is read after every page was opened: opening one may make what it shows.
    known = data_strings(world)
    english = {}
    for page, html in found_on.items():
        found = _english_on(html, known)
        if found:
            english[page] = found[:5]
    report = "\n".join(f"{k}: {v}" for k, v in english.items())
    assert not english, f"English on Spanish pages:\n{report}"
