"""A joint ensemble of two centres: each tutor sees and marks only the children of
the centres where they hold a role; a centre's manager may grant a lead tutor that
centre's children of this one ensemble (audited, revocable, shown on the page)."""

import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from harmonia.audit.models import AuditEvent
from harmonia.ensembles import leads
from harmonia.ensembles.models import EnsembleLead, Mark
from harmonia.ensembles.register import submit_register
from tests.ensembles.conftest import marks_payload
from tests.ensembles.shared import build_shared_ensemble

LIVERPOOL_NAMES = ("Liverpoolian", "Evertonian", "Liverpool peanut allergy")
LAMBETH_NAMES = ("Stockwellite", "Brixtonian", "Lambeth bee sting allergy")


@pytest.fixture
def shared(world):
    return build_shared_ensemble(world)


def _post(client, occurrence, children):
    return client.post(
        reverse("ensembles:register_submit", args=[occurrence.pk]),
        data=json.dumps({"key": str(uuid.uuid4()), "marks": marks_payload(children)}),
        content_type="application/json",
    )


def _register(client, shared):
    page = client.get(reverse("ensembles:register", args=[shared.occurrence.pk]))
    assert page.status_code == 200
    return page.content.decode()


def test_a_lambeth_tutor_sees_only_lambeth_children_on_the_register(as_persona, shared):
    html = _register(as_persona("tutor_b"), shared)
    for text in LAMBETH_NAMES:
        assert text in html
    for text in LIVERPOOL_NAMES:
        assert text not in html
    assert html.count("data-row ") == 2


def test_a_liverpool_tutor_sees_only_liverpool_children_on_the_register(as_persona, shared):
    html = _register(as_persona("tutor_a"), shared)
    for text in LIVERPOOL_NAMES:
        assert text in html
    for text in LAMBETH_NAMES:
        assert text not in html


def test_the_register_state_carries_no_marks_of_children_the_tutor_may_not_see(
    world, as_persona, shared
):
    submit_register(
        shared.occurrence, key="state-00001", marks=marks_payload(shared.lambeth), by=world.tutor_b
    )
    page = as_persona("tutor_a").get(reverse("ensembles:register", args=[shared.occurrence.pk]))
    assert not set(page.context["state"]["marks"]) & {str(c.pk) for c in shared.lambeth}


def test_marking_another_centres_child_is_refused_and_nothing_is_saved(as_persona, shared):
    client = as_persona("tutor_b")
    response = _post(client, shared.occurrence, shared.lambeth + shared.liverpool[:1])
    assert response.status_code == 403
    assert "Nothing was saved" in response.json()["error"]
    assert not Mark.objects.exists()
    assert _post(client, shared.occurrence, shared.lambeth).status_code == 200
    assert set(Mark.objects.values_list("child_id", flat=True)) == {c.pk for c in shared.lambeth}


def test_the_register_history_shows_only_children_the_tutor_may_see(world, as_persona, shared):
    for status, key in (("present", "history-0001"), ("late", "history-0002")):
        submit_register(
            shared.occurrence,
            key=key,
            marks=marks_payload(shared.liverpool, status=status),
            by=world.manager_a,
        )
    page = as_persona("tutor_b").get(reverse("ensembles:register", args=[shared.occurrence.pk]))
    assert not list(page.context["history"])
    for text in LIVERPOOL_NAMES:
        assert text not in page.content.decode()
    manager_page = as_persona("manager_a").get(
        reverse("ensembles:register", args=[shared.occurrence.pk])
    )
    assert len(manager_page.context["history"]) == 2


def test_the_ensemble_page_lists_each_tutor_their_own_centres_children(as_persona, shared):
    url = reverse("ensembles:ensemble_detail", args=[shared.ensemble.pk])
    html = as_persona("tutor_b").get(url).content.decode()
    for text in LAMBETH_NAMES[:2]:
        assert text in html
    for text in LIVERPOOL_NAMES[:2]:
        assert text not in html
    # The way back leads to the tutor's own centre (Liverpool's list is a 404 for them).
    assert reverse("ensembles:ensemble_list", args=[shared.ensemble.member_centres.get(
        name="In Harmony Lambeth").pk]) in html  # fmt: skip
    html = as_persona("tutor_a").get(url).content.decode()
    assert "Liverpoolian" in html and "Stockwellite" not in html


def test_centre_attendance_names_only_that_centres_children(world, as_persona, shared):
    submit_register(
        shared.occurrence,
        key="attendance-01",
        marks=marks_payload(shared.liverpool),
        by=world.manager_a,
    )
    submit_register(
        shared.occurrence,
        key="attendance-02",
        marks=marks_payload(shared.lambeth),
        by=world.tutor_b,
    )
    html = (
        as_persona("tutor_b")
        .get(reverse("ensembles:centre_attendance", args=[world.centre_b.pk]))
        .content.decode()
    )
    assert "Stockwellite" in html
    for text in LIVERPOOL_NAMES:
        assert text not in html


def test_the_liverpool_manager_grants_a_lambeth_tutor_the_lead(world, as_persona, shared):
    client = as_persona("manager_a")
    url = reverse("ensembles:ensemble_leads", args=[shared.ensemble.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"user": world.tutor_b.pk, "centre": world.centre_a.pk})
    assert response.status_code == 302
    lead = EnsembleLead.objects.get()
    assert (lead.user, lead.centre, lead.granted_by) == (
        world.tutor_b,
        world.centre_a,
        world.manager_a,
    )
    assert AuditEvent.objects.filter(action="ensemble lead granted", object_id=lead.pk).exists()
    detail = client.get(reverse("ensembles:ensemble_detail", args=[shared.ensemble.pk]))
    assert "Tutor B" in detail.content.decode()

    tutor = as_persona("tutor_b")
    html = _register(tutor, shared)
    for text in LIVERPOOL_NAMES + LAMBETH_NAMES:
        assert text in html
    assert _post(tutor, shared.occurrence, shared.liverpool + shared.lambeth).status_code == 200
    assert Mark.objects.count() == 4
    # The lead shows the names in the ensemble; the child's record stays closed.
    assert tutor.get(shared.liverpool[0].get_absolute_url()).status_code == 404


def test_a_revoked_lead_sees_only_their_own_centre_again(world, as_persona, shared):
    lead = leads.grant_ensemble_lead(
        shared.ensemble, user=world.tutor_b, centre=world.centre_a, by=world.manager_a
    )
    client = as_persona("manager_a")
    response = client.post(reverse("ensembles:ensemble_lead_revoke", args=[lead.pk]))
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.revoked_by == world.manager_a and lead.revoked_at <= timezone.now()
    assert AuditEvent.objects.filter(action="ensemble lead revoked").count() == 1
    html = _register(as_persona("tutor_b"), shared)
    assert "Liverpoolian" not in html
    assert _post(as_persona("tutor_b"), shared.occurrence, shared.liverpool).status_code == 403


@pytest.mark.parametrize("persona", ["tutor_a", "tutor_b", "programme_lead", "safeguarding_a"])
def test_only_a_manager_of_the_centre_may_share_its_children(world, as_persona, shared, persona):
    client = as_persona(persona)
    url = reverse("ensembles:ensemble_leads", args=[shared.ensemble.pk])
    assert client.get(url).status_code == 403
    assert (
        client.post(url, {"user": world.tutor_b.pk, "centre": world.centre_a.pk}).status_code == 403
    )
    with pytest.raises(leads.LeadError):
        leads.grant_ensemble_lead(
            shared.ensemble, user=world.tutor_b, centre=world.centre_a, by=world.people[persona]
        )
    assert not EnsembleLead.objects.exists()


def test_a_manager_cannot_grant_another_centres_children(world, shared):
    with pytest.raises(leads.LeadError):
        leads.grant_ensemble_lead(
            shared.ensemble, user=world.tutor_a, centre=world.centre_b, by=world.manager_a
        )


def test_the_lead_must_work_at_a_member_centre(world, shared):
    with pytest.raises(leads.LeadError):
        leads.grant_ensemble_lead(
            shared.ensemble, user=world.outsider, centre=world.centre_a, by=world.manager_a
        )
