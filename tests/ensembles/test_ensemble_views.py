"""Ensemble pages: lists, members, placing and moving children with history kept."""

import pytest
from django.urls import reverse
from django.utils import timezone

from harmonia.ensembles.models import Ensemble, Placement


def test_the_manager_creates_an_ensemble_that_belongs_to_their_centre(as_persona, world):
    client = as_persona("manager_a")
    response = client.post(
        reverse("ensembles:ensemble_create", args=[world.centre_a.pk]),
        {"name": "Everton Strings", "kind": "strings", "active": "on",
         "member_centres": [world.centre_b.pk]},
    )  # fmt: skip
    assert response.status_code == 302
    ensemble = Ensemble.objects.get(name="Everton Strings")
    assert ensemble.centre == world.centre_a and ensemble.programme == world.england
    assert set(ensemble.member_centres.all()) == {world.centre_a, world.centre_b}
    # A cross-centre ensemble is seen at every member centre.
    assert as_persona("tutor_b").get(ensemble.get_absolute_url()).status_code == 200


def test_moving_a_child_ends_the_old_placement_and_keeps_it(as_persona, world, register_of):
    orchestra = register_of(2, name="Orchestra")
    choir = register_of(0, name="Choir")
    child = orchestra.children[0]
    old = Placement.objects.get(child=child, ensemble=orchestra.ensemble)
    today = timezone.localdate()
    response = as_persona("manager_a").post(
        reverse("ensembles:place_child", args=[choir.ensemble.pk]),
        {"child": child.pk, "section": choir.section.pk, "instrument": "voice", "desk": "",
         "start": today.isoformat(), "move_from": old.pk, "note": ""},
    )  # fmt: skip
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.end == today
    new = Placement.objects.get(child=child, ensemble=choir.ensemble)
    assert new.end is None and new.instrument == "voice"
    assert Placement.objects.filter(child=child).count() == 2  # the history is kept
    page = as_persona("manager_a").get(orchestra.ensemble.get_absolute_url()).content.decode()
    assert "Recently left or moved" in page


def test_a_child_cannot_be_placed_twice_in_one_ensemble(as_persona, world, register_of):
    reg = register_of(1)
    response = as_persona("manager_a").post(
        reverse("ensembles:place_child", args=[reg.ensemble.pk]),
        {"child": reg.children[0].pk, "start": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200 and "already in this ensemble" in response.content.decode()


def test_members_are_named_only_for_roles_that_see_children(as_persona, register_of):
    reg = register_of(2)
    url = reverse("ensembles:ensemble_detail", args=[reg.ensemble.pk])
    assert "Surname000" in as_persona("tutor_a").get(url).content.decode()
    funder_page = as_persona("funder").get(url)
    assert funder_page.status_code == 200 and "Surname000" not in funder_page.content.decode()


@pytest.mark.parametrize("count", [1, 6])
def test_the_ensemble_list_costs_the_same_queries_at_any_size(
    as_persona, world, register_of, django_assert_num_queries, count
):
    for i in range(count):
        register_of(3, name=f"Ensemble {i}")
    client = as_persona("tutor_a")
    # session, user, centre, memberships, the zones of the centres, ensembles with counts
    with django_assert_num_queries(6):
        response = client.get(reverse("ensembles:ensemble_list", args=[world.centre_a.pk]))
    assert len(response.context["ensembles"]) == count


@pytest.mark.parametrize("size", [5, 40])
def test_the_ensemble_page_costs_the_same_queries_at_any_size(
    as_persona, register_of, django_assert_num_queries, size
):
    reg = register_of(size)
    client = as_persona("manager_a")
    # session, user, ensemble, member centres, active lead grants, memberships,
    # sections, members, rates, history, access-log insert (one row per child shown),
    # sessions (no tutors to prefetch here), upcoming, the next one-off dates, the zones
    # of the centres
    with django_assert_num_queries(15):
        response = client.get(reverse("ensembles:ensemble_detail", args=[reg.ensemble.pk]))
    assert len(response.context["members"]) == size


def test_editing_an_ensemble_changes_it_through_the_service_and_keeps_its_centres(
    as_persona, world
):
    from harmonia.audit.models import AuditEvent
    from harmonia.ensembles import services

    ensemble = services.create_ensemble(
        world.centre_a, name="Strings", kind="strings", member_centres=[world.centre_b], by=None
    )
    client = as_persona("manager_a")
    response = client.post(
        reverse("ensembles:ensemble_edit", args=[ensemble.pk]),
        {"name": "Junior Strings", "kind": "strings", "active": "on",
         "member_centres": [world.centre_b.pk]},
    )  # fmt: skip
    assert response.status_code == 302
    ensemble.refresh_from_db()
    assert ensemble.name == "Junior Strings"
    assert set(ensemble.member_centres.all()) == {world.centre_a, world.centre_b}
    event = AuditEvent.objects.get(action="updated", object_type="ensemble")
    assert event.actor == world.manager_a and event.changes == {"name": "Junior Strings"}
