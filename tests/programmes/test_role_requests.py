"""A programme lead cannot silently open children's records, least of all to
themselves: a centre role that opens children's records waits for a second person
(the centre's manager or another programme lead); the centre's managers and the
data protection contact are emailed; every step is on the change log."""

import pytest
from django.core import mail
from django.urls import reverse

from harmonia.accounts.models import Membership, Role
from harmonia.audit.models import AuditEvent
from harmonia.programmes.models import RoleRequest
from tests.conftest import _person


@pytest.fixture
def dpo(world):
    world.england.dpo_email = "dpo@inharmony.example"
    world.england.save()
    return world.england.dpo_email


def _ask(client, world, email, role="centre_manager", centre=None):
    return client.post(
        reverse("programmes:people", args=[world.england.pk]),
        {
            "email": email,
            "full_name": "Someone",
            "role": role,
            "centre": (centre or world.centre_a).pk,
        },
    )


def test_a_lead_making_themselves_a_centre_manager_needs_a_second_person(world, as_persona, dpo):
    client = as_persona("programme_lead")
    assert _ask(client, world, world.programme_lead.email).status_code == 302
    assert not Membership.objects.filter(
        user=world.programme_lead, role=Role.CENTRE_MANAGER
    ).exists()
    request = RoleRequest.objects.get()
    assert request.pending and request.requested_by == world.programme_lead
    # The centre's manager and the DPO contact are told.
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {world.manager_a.email, dpo}
    # The lead cannot approve their own request.
    url = reverse("programmes:role_request", args=[world.england.pk, request.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"decision": "approve"}).status_code == 403
    assert not Membership.objects.filter(
        user=world.programme_lead, role=Role.CENTRE_MANAGER
    ).exists()
    # Nor can they open a child's page meanwhile.
    log = client.get(reverse("programmes:audit_log", args=[world.england.pk])).content.decode()
    assert "role requested" in log


def test_the_centre_manager_approves_and_everyone_is_told(world, as_persona, dpo):
    _ask(as_persona("programme_lead"), world, world.programme_lead.email)
    request = RoleRequest.objects.get()
    manager = as_persona("manager_a")
    url = reverse("programmes:role_request", args=[world.england.pk, request.pk])
    assert manager.get(url).status_code == 200
    assert manager.post(url, {"decision": "approve"}).status_code == 302
    assert Membership.objects.filter(
        user=world.programme_lead, role=Role.CENTRE_MANAGER, centre=world.centre_a
    ).exists()
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("approved", world.manager_a)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"role requested", "role request approved", "role granted"} <= actions
    assert len(mail.outbox) == 2 and dpo in mail.outbox[1].to


def test_another_programme_lead_may_approve_and_a_decline_gives_nothing(world, as_persona):
    second = _person("second_lead", Role.PROGRAMME_LEAD, programme=world.england)
    _ask(as_persona("programme_lead"), world, "new.tutor@example.org", role="tutor",
         centre=world.centre_b)  # fmt: skip
    request = RoleRequest.objects.get()
    url = reverse("programmes:role_request", args=[world.england.pk, request.pk])
    for persona in ("tutor_a", "tutor_b", "funder", "safeguarding_a"):
        assert as_persona(persona).get(url).status_code == 403
    assert as_persona("outsider").get(url).status_code == 404
    client = as_persona("anonymous")
    client.force_login(second)
    assert client.post(url, {"decision": "decline"}).status_code == 302
    request.refresh_from_db()
    assert request.status == "declined"
    assert not Membership.objects.filter(user__email="new.tutor@example.org").exists()
    assert AuditEvent.objects.filter(action="role request declined").exists()


def test_roles_that_open_no_childrens_records_are_given_at_once(world, as_persona):
    client = as_persona("programme_lead")
    response = client.post(
        reverse("programmes:people", args=[world.england.pk]),
        {"email": "new.funder@example.org", "full_name": "New Funder", "role": "funder_viewer"},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user__email="new.funder@example.org").exists()
    assert not RoleRequest.objects.exists()
