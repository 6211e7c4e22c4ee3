"""Every URL × every role: each persona gets exactly the answer the access policy promises.

URL patterns are discovered from the resolver, so a new view without expected
answers in ``tests/matrix/`` fails here. Admin pages follow one rule (see
``tests/matrix/foundation.py``)."""

import importlib
import pkgutil

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests.matrix
from tests.matrix import LOGIN, OK, PERSONAS
from tests.matrix import REDIRECT as REDIRECT_AFTER_WRITE
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


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Files written by a POST (exports, uploads) go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("name", sorted(CASES))
def test_url_answers_each_persona_as_the_policy_says(client, world, name):
    case = CASES[name]
    url = reverse(name, kwargs=case.kwargs(world)) + case.query
    _check(client, world, name, url, case.expect)
    _check_post(client, world, name, url, case)


def _watched_models():
    return [
        m
        for m in apps.get_models()
        if m.__module__.startswith("harmonia.") and not m._meta.proxy and m._meta.managed
    ]


def _row_counts(models) -> dict[str, int]:
    """Rows in every table, in one query (a sub-select per table)."""
    from django.db import connection

    quote = connection.ops.quote_name
    # Table names come from the models' own metadata, quoted; no input reaches the SQL.
    one_table = "(SELECT COUNT(*) FROM {})"
    sql = "SELECT " + ", ".join(one_table.format(quote(m._meta.db_table)) for m in models)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return {m._meta.label: n for m, n in zip(models, row, strict=True)}


def _answered(response, expected) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and response["Location"].startswith(
            reverse("accounts:login")
        )
    return response.status_code == expected


def _check_post(client, world, name, url, case):
    """POST as every persona, each inside a savepoint that is rolled back. A persona
    refused (sign-in, 403, 404, 405) must leave every table as it was."""
    wrong = []
    watched = _watched_models()
    data = case.data(world)
    for persona in PERSONAS:
        expected = case.post_expect[persona]
        client.logout()
        if persona != "anonymous":
            client.force_login(world.people[persona])
        refused = expected not in (OK, REDIRECT_AFTER_WRITE)
        with transaction.atomic():
            before = _row_counts(watched) if refused else None
            if case.content_type:
                response = client.post(url, data, content_type=case.content_type)
            else:
                response = client.post(url, data)
            after = _row_counts(watched) if refused else None
            transaction.set_rollback(True)
        if not _answered(response, expected):
            got = response.status_code
            wrong.append(f"{persona}: POST expected {expected}, got {got}")
        if refused and before != after:
            changed = sorted(k for k in before if before[k] != after[k])
            wrong.append(f"{persona}: a refused POST changed {changed}")
    assert not wrong, f"{name} (POST {url}):\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("name", sorted(n for n in URLS if n.startswith("admin:")))
def test_admin_is_closed_to_every_persona(client, world, name):
    kwargs = {k: ADMIN_KWARGS[k] for k in URLS[name]}
    url = reverse(name, kwargs=kwargs)
    _check(client, world, name, url, ADMIN_EXCEPTIONS.get(name, ADMIN_DEFAULT))


def test_a_wrong_role_write_is_caught(client, world, monkeypatch):
    """If the policy let a tutor remove a partner school, the POST matrix says so:
    the wrong answer, and the row that went."""
    from harmonia import access
    from harmonia.accounts.models import Role

    widened = {**access.ROLE_CAPABILITIES}
    widened[Role.TUTOR] = widened[Role.TUTOR] | {access.Capability.MANAGE_CENTRE}
    monkeypatch.setattr(access, "ROLE_CAPABILITIES", widened)
    case = CASES["programmes:school_delete"]
    url = reverse("programmes:school_delete", kwargs=case.kwargs(world))
    with pytest.raises(AssertionError) as failure:
        _check_post(client, world, "programmes:school_delete", url, case)
    assert "tutor_a: POST expected 403, got 302" in str(failure.value)
    assert (
        "tutor_a: a refused POST changed ['audit.AuditEvent', 'programmes.PartnerSchool']"
        in str(failure.value)
    )
