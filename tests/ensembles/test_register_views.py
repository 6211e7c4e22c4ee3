"""The register page and its JSON endpoint: access, safety notes, query counts."""

import json
import uuid

import pytest
from django.urls import reverse

from harmonia.access import ROLE_CAPABILITIES
from harmonia.access import Capability as C
from harmonia.accounts.models import Role
from harmonia.children.models import ChildSafetyNotes
from harmonia.ensembles.models import Mark, MarkChange, Submission
from tests.ensembles.conftest import marks_payload


def post(client, occurrence, payload):
    return client.post(
        reverse("ensembles:register_submit", args=[occurrence.pk]),
        data=json.dumps(payload),
        content_type="application/json",
    )


def test_the_register_lists_the_ensemble_on_that_day(as_persona, register_of):
    reg = register_of(5)
    response = as_persona("tutor_a").get(reverse("ensembles:register", args=[reg.occurrence.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("data-row ") == 5
    assert response.context["state"]["default"] == "present"


def test_another_centres_tutor_gets_a_404(as_persona, register_of):
    reg = register_of(2)
    client = as_persona("tutor_b")
    assert client.get(reverse("ensembles:register", args=[reg.occurrence.pk])).status_code == 404
    assert post(client, reg.occurrence, {"key": str(uuid.uuid4()), "marks": []}).status_code == 404
    assert not Mark.objects.exists()


def test_safety_notes_are_shown_to_the_tutor(as_persona, register_of):
    reg = register_of(2)
    ChildSafetyNotes.objects.create(child=reg.children[0], allergies="Peanuts (EpiPen in bag)")
    page = as_persona("tutor_a").get(reverse("ensembles:register", args=[reg.occurrence.pk]))
    assert "Peanuts (EpiPen in bag)" in page.content.decode()


def test_safety_notes_are_hidden_without_the_capability(as_persona, register_of, monkeypatch):
    monkeypatch.setitem(
        ROLE_CAPABILITIES, Role.TUTOR, ROLE_CAPABILITIES[Role.TUTOR] - {C.VIEW_SAFETY_NOTES}
    )
    reg = register_of(2)
    ChildSafetyNotes.objects.create(child=reg.children[0], allergies="Peanuts (EpiPen in bag)")
    page = as_persona("tutor_a").get(reverse("ensembles:register", args=[reg.occurrence.pk]))
    assert page.status_code == 200
    assert "Peanuts" not in page.content.decode()


def test_the_same_submission_sent_twice_leaves_one_mark_per_child(as_persona, register_of):
    reg = register_of(60)
    client = as_persona("tutor_a")
    payload = {"key": str(uuid.uuid4()), "marks": marks_payload(reg.children)}
    payload["marks"][3]["status"] = "late"
    first = post(client, reg.occurrence, payload)
    second = post(client, reg.occurrence, payload)
    assert first.status_code == second.status_code == 200
    assert first.json()["saved"] == 60 and second.json()["replayed"] is True
    assert Mark.objects.filter(occurrence=reg.occurrence).count() == 60
    assert Mark.objects.filter(status="late").count() == 1
    assert Submission.objects.count() == 1 and not MarkChange.objects.exists()


def test_a_bad_submission_is_a_400_with_a_message(as_persona, register_of):
    reg = register_of(1)
    client = as_persona("tutor_a")
    response = client.post(
        reverse("ensembles:register_submit", args=[reg.occurrence.pk]),
        data="not json",
        content_type="application/json",
    )
    assert response.status_code == 400 and "error" in response.json()
    response = post(client, reg.occurrence, {"key": "x", "marks": []})
    assert response.status_code == 400


def test_corrections_are_shown_on_the_page(as_persona, register_of):
    reg = register_of(2)
    client = as_persona("tutor_a")
    post(client, reg.occurrence, {"key": str(uuid.uuid4()), "marks": marks_payload(reg.children)})
    manager = as_persona("manager_a")
    post(
        manager,
        reg.occurrence,
        {"key": str(uuid.uuid4()), "marks": marks_payload(reg.children[:1], status="late")},
    )
    page = manager.get(reverse("ensembles:register", args=[reg.occurrence.pk])).content.decode()
    assert "Changes to this register" in page and "Manager A" in page


@pytest.mark.parametrize("size", [10, 60])
def test_the_register_page_costs_the_same_queries_at_any_size(
    as_persona, register_of, django_assert_num_queries, size
):
    reg = register_of(size)
    for child in reg.children[:3]:
        ChildSafetyNotes.objects.create(child=child, medical="Asthma: inhaler")
    client = as_persona("tutor_a")
    post(client, reg.occurrence, {"key": str(uuid.uuid4()), "marks": marks_payload(reg.children)})
    url = reverse("ensembles:register", args=[reg.occurrence.pk])
    # Reopening a taken register: session, user, occurrence (get_for), memberships, lead
    # grants (who may see which children is worked out once, as centre ids), roster
    # (+ children, sections and safety notes joined), marks, the programme's attendance
    # codes, history, access-log insert (one row per child shown), the zones of the
    # centres (one query)
    with django_assert_num_queries(11):
        response = client.get(url)
    assert response.status_code == 200
    # A register nobody has taken also reads the centre's default (present/unmarked).
    fresh = register_of(size, name="Second orchestra")
    with django_assert_num_queries(12):
        response = client.get(reverse("ensembles:register", args=[fresh.occurrence.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [10, 60])
def test_a_submission_costs_the_same_queries_at_any_size(
    as_persona, register_of, django_assert_num_queries, size
):
    reg = register_of(size)
    client = as_persona("tutor_a")
    post(client, reg.occurrence, {"key": str(uuid.uuid4()), "marks": marks_payload(reg.children)})
    payload = {"key": str(uuid.uuid4()), "marks": marks_payload(reg.children, status="late")}
    # session, user, occurrence, stored key?, the programme's attendance codes, children
    # the sender may not mark (one count),
    # savepoint, existing marks, roster, ONE upsert
    # of every mark, one insert of the history rows, register taken, submission, audit,
    # release savepoint; memberships (the person's home zone) and the zones of the
    # centres (one query: is the register open yet, on the centre's date?)
    with django_assert_num_queries(17):
        response = post(client, reg.occurrence, payload)
    assert response.json()["saved"] == size


def test_another_persons_queued_marks_are_a_403(as_persona, register_of):
    reg = register_of(1)
    client = as_persona("tutor_a")
    response = client.post(
        reverse("ensembles:register_submit", args=[reg.occurrence.pk]),
        data=json.dumps({"key": "not-mine-0001", "user": client.session["_auth_user_id"] + "0",
                         "marks": [{"child": reg.children[0].pk, "status": "late"}]}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 403 and "another person" in response.json()["error"]
    assert not Mark.objects.exists()


def test_the_service_worker_is_versioned_with_the_release(client):
    import harmonia

    response = client.get(reverse("ensembles:service_worker"))
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/"
    source = response.content.decode()
    assert f'const RELEASE = "{harmonia.__version__}-' in source
    assert "HarmoniaOffline" in source.split("const RELEASE")[0]  # the queue module first
    assert 'addEventListener("sync"' in source  # Background Sync sends the queue


def test_the_register_page_says_whose_queue_it_is(as_persona, register_of):
    reg = register_of(1)
    client = as_persona("tutor_a")
    response = client.get(reverse("ensembles:register", args=[reg.occurrence.pk]))
    assert response.context["state"]["user"] == int(client.session["_auth_user_id"])
    assert f'data-user="{client.session["_auth_user_id"]}"' in response.content.decode()


def test_signing_out_tells_the_browser_to_forget_the_offline_registers(as_persona):
    client = as_persona("tutor_a")
    response = client.post(reverse("accounts:logout"))
    assert response.status_code in (200, 302)
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_the_release_the_worker_carries_is_the_packaged_one():
    import tomllib
    from pathlib import Path

    import harmonia

    pyproject = tomllib.loads(
        (Path(harmonia.__file__).parent.parent / "pyproject.toml").read_text()
    )
    assert harmonia.__version__ == pyproject["project"]["version"]
