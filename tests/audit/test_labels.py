"""The change log reads in Spanish for a Spanish reader: actions, what changed and the
names of the fields, while the stored record stays as it was written."""

import ast
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from harmonia.audit import labels
from harmonia.audit.models import AuditEvent
from tests.programmes.test_audit_names import people_changes  # noqa: F401  (a fixture)

ROOT = Path(__file__).resolve().parents[2] / "harmonia"


def _recorded_actions():
    """Every action a write passes to ``audit.record(action=...)``, read from the code."""
    found = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "record"):
                continue
            for keyword in node.keywords:
                if keyword.arg != "action":
                    continue
                parts = {
                    id(v)
                    for f in ast.walk(keyword.value)
                    if isinstance(f, ast.JoinedStr)
                    for v in f.values
                }
                for value in ast.walk(keyword.value):
                    if id(value) in parts:
                        continue
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        found[value.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
                    elif isinstance(value, ast.JoinedStr):
                        prefix = value.values[0].value.strip()
                        found.update(
                            {f"{prefix} {v}": str(path.name) for v in labels.DYNAMIC[prefix]}
                        )
    return found


def test_every_action_a_write_records_has_a_label():
    actions = _recorded_actions()
    assert len(actions) > 30
    named = labels.named_actions()
    missing = {a: where for a, where in actions.items() if a not in labels.ACTIONS | named}
    assert not missing, f"audit actions with no label in harmonia/audit/labels.py: {missing}"


def test_the_change_log_reads_in_spanish(world, as_persona, people_changes):  # noqa: F811
    client = as_persona("programme_lead")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    html = client.get(reverse("programmes:audit_log", args=[world.england.pk])).content.decode()
    assert "vinculación de tutor" in html  # "guardian linked"
    assert "préstamo de instrumento" in html  # "instrument lent"
    assert "guardian linked" not in html and "instrument lent" not in html
    assert " · niño o niña " in html  # "loan 7 · child 42"
    assert "· child " not in html
    # The record itself is unchanged, in the language it was written in.
    assert AuditEvent.objects.filter(action="guardian linked").exists()


def test_the_change_log_in_english_reads_as_before(world, as_persona, people_changes):  # noqa: F811
    html = (
        as_persona("programme_lead")
        .get(reverse("programmes:audit_log", args=[world.england.pk]))
        .content.decode()
    )
    assert "guardian linked" in html and "instrument lent" in html
