"""People and roles: the programme lead gives and removes access."""

from django.urls import reverse

from harmonia.accounts.models import Membership, User
from harmonia.audit.models import AuditEvent
from harmonia.programmes import services
from harmonia.programmes.models import RoleRequest


def test_the_lead_gives_a_new_person_a_centre_role(as_persona, world):
    client = as_persona("programme_lead")
    url = reverse("programmes:people", args=[world.england.pk])
    data = {"email": "New.Tutor@Example.org", "full_name": "New Tutor", "role": "tutor",
            "centre": world.centre_a.pk}  # fmt: skip
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # asking twice makes one request
    user = User.objects.get(email="new.tutor@example.org")
    assert not user.has_usable_password()
    # A tutor sees children: the centre's manager approves it (tests/programmes/
    # test_role_requests.py), then the role is given once.
    request = RoleRequest.objects.get(user=user)
    services.approve_role_request(request, by=world.manager_a)
    assert [(m.role, m.centre) for m in user.memberships.all()] == [("tutor", world.centre_a)]
    assert AuditEvent.objects.filter(action="role granted").count() == 1


def test_a_centre_role_needs_a_centre_and_a_programme_role_refuses_one(as_persona, world):
    client = as_persona("programme_lead")
    url = reverse("programmes:people", args=[world.england.pk])
    response = client.post(url, {"email": "a@example.org", "full_name": "A", "role": "tutor"})
    assert "centre" in response.context["form"].errors
    response = client.post(
        url,
        {
            "email": "a@example.org",
            "full_name": "A",
            "role": "evaluator",
            "centre": world.centre_a.pk,
        },  # fmt: skip
    )
    assert "centre" in response.context["form"].errors


def test_the_lead_removes_a_role_but_not_their_own_lead_role(as_persona, world):
    client = as_persona("programme_lead")
    tutor_role = world.tutor_a.memberships.get()
    url = reverse("programmes:membership_delete", args=[world.england.pk, tutor_role.pk])
    assert client.post(url).status_code == 302
    assert not Membership.objects.filter(pk=tutor_role.pk).exists()
    own = world.programme_lead.memberships.get()
    url = reverse("programmes:membership_delete", args=[world.england.pk, own.pk])
    assert client.post(url).status_code == 403


def test_a_role_in_another_programme_cannot_be_removed_from_here(as_persona, world):
    outsider_role = world.outsider.memberships.get()
    url = reverse("programmes:membership_delete", args=[world.england.pk, outsider_role.pk])
    assert as_persona("programme_lead").post(url).status_code == 404
    assert Membership.objects.filter(pk=outsider_role.pk).exists()
