"""Every URL × every role: each persona gets exactly the answer the access policy promises.

URL patterns are discovered from the resolver, so a new view without expected
answers in ``tests/matrix/`` fails here. Admin pages follow one rule (see
``tests/matrix/foundation.py``)."""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests.matrix
from tests.matrix import LOGIN, PERSONAS
from tests.matrix.foundation import ADMIN_DEFAULT, ADMIN_EXCEPTIONS


def discover(resolver=None, namespace=""):
    """Every named URL pattern as (name, the keyword arguments it takes)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            prefix = f"{namespace}{ns}:" if ns else namespace
            yield from discover(entry, prefix)
        elif isinstance(entry, URLPattern):
            if entry.name is None:
                # Django's admin keeps one unnamed legacy redirect; ours are all named.
                assert namespace == "admin:", f"URL pattern {entry.pattern} has no name"
                continue
            yield f"{namespace}{entry.name}", list(entry.pattern.regex.groupindex)


def all_cases():
    cases = {}
    for module in pkgutil.iter_modules(tests.matrix.__path__):
        found = importlib.import_module(f"tests.matrix.{module.name}").__dict__.get("CASES", {})
        clash = set(cases) & set(found)
        assert not clash, f"URL names given twice in tests/matrix: {clash}"
        cases.update(found)
    return cases


URLS = dict(discover())
CASES = all_cases()
ADMIN_KWARGS = {
    "app_label": "programmes",
    "object_id": "1",
    "content_type_id": "1",
    "url": "x",
    "id": "1",
}


def test_every_url_has_expected_answers_for_every_persona():
    missing = sorted(n for n in URLS if n not in CASES and not n.startswith("admin:"))
    assert not missing, f"URLs with no expected answers in tests/matrix/: {missing}"
    stale = sorted(n for n in CASES if n not in URLS)
    assert not stale, f"tests/matrix/ names URLs that no longer exist: {stale}"
    for name, case in CASES.items():
        gaps = set(PERSONAS) - set(case.expect)
        assert not gaps, f"{name} has no expected answer for {sorted(gaps)}"


def _check(client, world, name, url, expect):
    wrong = []
    for persona in PERSONAS:
        client.logout()
        if persona != "anonymous":
            client.force_login(world.people[persona])
        response = client.get(url)
        expected = expect[persona]
        if expected == LOGIN:
            got_login = response.status_code == 302 and response["Location"].startswith(
                reverse("accounts:login")
            )
            if not got_login:
                wrong.append(f"{persona}: expected sign-in redirect, got {response.status_code}")
        elif response.status_code != expected:
            wrong.append(f"{persona}: expected {expected}, got {response.status_code}")
    assert not wrong, f"{name} ({url}):\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("name", sorted(CASES))
def test_url_answers_each_persona_as_the_policy_says(client, world, name):
    case = CASES[name]
    url = reverse(name, kwargs=case.kwargs(world)) + case.query
    _check(client, world, name, url, case.expect)


@pytest.mark.parametrize("name", sorted(n for n in URLS if n.startswith("admin:")))
def test_admin_is_closed_to_every_persona(client, world, name):
    kwargs = {k: ADMIN_KWARGS[k] for k in URLS[name]}
    url = reverse(name, kwargs=kwargs)
    _check(client, world, name, url, ADMIN_EXCEPTIONS.get(name, ADMIN_DEFAULT))
