"""The access policy itself: scope adds no queries and answers per role."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from harmonia import access
from harmonia.access import Capability as C
from harmonia.programmes.models import Centre, Grant, PartnerSchool


def names(qs):
    return sorted(o.name for o in qs)


def test_centre_roles_see_their_centre_and_programme_roles_every_centre(world):
    assert names(Centre.objects.visible_to(world.tutor_a)) == ["In Harmony Liverpool"]
    assert names(Centre.objects.visible_to(world.tutor_b)) == ["In Harmony Lambeth"]
    assert names(Centre.objects.visible_to(world.funder)) == [
        "In Harmony Lambeth",
        "In Harmony Liverpool",
    ]
    assert names(Centre.objects.visible_to(world.outsider)) == ["Núcleo Montalbán"]


def test_scoping_is_folded_into_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(PartnerSchool.objects.visible_to(world.manager_a))


def test_an_inactive_or_anonymous_user_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    world.tutor_a.is_active = False
    assert not Centre.objects.visible_to(world.tutor_a).exists()
    assert not Centre.objects.visible_to(AnonymousUser()).exists()


def test_get_for_is_404_outside_and_403_inside_with_too_low_a_role(world):
    qs = Centre.objects.all()
    assert access.get_for(world.manager_a, qs, world.centre_a.pk, C.MANAGE_CENTRE)
    with pytest.raises(PermissionDenied):
        access.get_for(world.tutor_a, qs, world.centre_a.pk, C.MANAGE_CENTRE)
    with pytest.raises(Http404):
        access.get_for(world.tutor_a, qs, world.centre_b.pk, C.MANAGE_CENTRE)
    with pytest.raises(Http404):
        access.get_for(world.tutor_a, qs, 999999)


def test_grants_to_a_centre_are_seen_there_and_programme_wide_ones_by_the_team(world):
    assert [g.purpose for g in Grant.objects.visible_to(world.manager_a)] == [
        "Liverpool holiday courses"
    ]
    assert {g.purpose for g in Grant.objects.visible_to(world.funder)} == {
        "Liverpool holiday courses",
        "Expansion",
    }
    assert not Grant.objects.visible_to(world.tutor_a).exists()


def test_every_role_has_a_documented_row():
    from pathlib import Path

    doc = (Path(__file__).resolve().parent.parent / "docs/permissions.md").read_text()
    for capability in C:
        assert f"`{capability.value}`" in doc, f"{capability} missing from docs/permissions.md"
