"""While a request is handled, a query on people data that skipped the access
policy fails loudly instead of returning every centre's children."""

import datetime as dt

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from harmonia import access
from harmonia.children.models import Child
from harmonia.children.services import enrol_child
from harmonia.ensembles.models import Ensemble, Placement
from harmonia.instruments.models import Loan
from harmonia.programmes.models import Centre
from harmonia.staff.models import StaffMember


@pytest.fixture
def children(world):
    made = []
    for centre, name in ((world.centre_a, "Ada"), (world.centre_b, "Ben")):
        child = Child(
            centre=centre, first_name=name, last_name="Pupil", date_of_birth=dt.date(2016, 1, 1)
        )
        enrol_child(child, status="active", on=dt.date(2025, 9, 1), by=world.programme_lead)
        made.append(child)
    return made


def in_request(user, work):
    """Run ``work`` as a view would, behind the guard middleware."""
    request = RequestFactory().get("/")
    request.user = user
    request.resolver_match = None
    result = {}

    def view(req):
        result["value"] = work()
        return HttpResponse()

    middleware = access.ScopeGuardMiddleware(
        lambda req: middleware.process_view(req, view, (), {}) or view(req)
    )
    middleware(request)
    return result["value"]


def test_an_unscoped_list_of_children_in_a_view_raises(world, children):
    with pytest.raises(access.UnscopedQuery, match="children.Child"):
        in_request(world.tutor_a, lambda: list(Child.objects.all()))
    for unscoped in (
        lambda: Child.objects.filter(first_name="Ben").exists(),
        lambda: Child.objects.count(),
        lambda: Child.objects.values_list("first_name", flat=True).first(),
        lambda: Child.objects.filter(first_name="Ben").update(first_name="X"),
        lambda: list(StaffMember.objects.all()),
        lambda: list(Loan.objects.all()),
        lambda: list(Placement.objects.all()),
    ):
        with pytest.raises(access.UnscopedQuery):
            in_request(world.tutor_a, unscoped)
    assert Child.objects.get(first_name="Ben").first_name == "Ben"  # nothing was changed


def test_a_list_through_the_policy_works(world, children):
    names = in_request(
        world.tutor_a, lambda: [c.first_name for c in Child.objects.visible_to(world.tutor_a)]
    )
    assert names == ["Ada"]
    child = in_request(
        world.tutor_a, lambda: access.get_for(world.tutor_a, Child.objects.all(), children[0].pk)
    )
    assert child == children[0]


def test_a_persons_own_records_follow_from_a_scoped_record(world, children):
    def periods():
        child = Child.objects.visible_to(world.manager_a).get()
        return child.periods.count()

    assert in_request(world.manager_a, periods) == 1


def test_a_structure_object_does_not_open_its_people(world, children):
    # A funder sees the centre; the centre's children stay behind the policy.
    with pytest.raises(access.UnscopedQuery):
        in_request(
            world.funder, lambda: list(Centre.objects.get(pk=world.centre_a.pk).children.all())
        )
    ensemble = Ensemble.objects.create(programme=world.england, centre=world.centre_a, name="O")
    with pytest.raises(access.UnscopedQuery):
        in_request(world.funder, lambda: list(ensemble.placements.all()))


def test_a_named_escape_says_why(world, children):
    assert (
        in_request(world.tutor_a, lambda: Child.objects.unscoped("a test of the escape").count())
        == 2
    )
    with pytest.raises(ValueError):
        Child.objects.unscoped(" ")


def test_structure_and_background_work_are_not_guarded(world, children):
    assert in_request(world.funder, lambda: Centre.objects.count()) == 3
    # Outside a request (tasks, commands) and in declared background work.
    assert Child.objects.count() == 2
    assert in_request(world.funder, lambda: _in_background(lambda: Child.objects.count())) == 2


def _in_background(work):
    with access.background_work():
        return work()


def test_every_people_data_model_is_guarded():
    labels = {m._meta.label for m in access.people_data_models()}
    assert {
        "children.Child",
        "children.Guardian",
        "children.ConsentRecord",
        "children.ChildSensitive",
        "children.ChildSafetyNotes",
        "ensembles.Placement",
        "ensembles.Mark",
        "instruments.Loan",
        "instruments.ArmMeasurement",
        "staff.StaffMember",
        "staff.SafeguardingCheck",
        "staff.Concern",
    } <= labels
    assert "children.ConsentForm" not in labels and "programmes.Centre" not in labels


def test_filtering_by_a_person_fetched_through_the_policy_is_scoped(world, children):
    from harmonia.children.models import EnrolmentPeriod

    def periods_of_visible():
        mine = list(Child.objects.visible_to(world.manager_a))
        return EnrolmentPeriod.objects.filter(child__in=mine).count()

    assert in_request(world.manager_a, periods_of_visible) == 1
    # A person fetched without the policy (by id) opens nothing.
    with pytest.raises(access.UnscopedQuery):
        in_request(
            world.manager_a,
            lambda: EnrolmentPeriod.objects.filter(child_id=children[1].pk).count(),
        )
    # Excluding someone is not a scope.
    with pytest.raises(access.UnscopedQuery):
        in_request(
            world.manager_a,
            lambda: EnrolmentPeriod.objects.exclude(
                child=Child.objects.visible_to(world.manager_a).get()
            ).count(),
        )


def test_an_aggregate_scope_counts_but_never_lists(world, children):
    from django.db.models import Count

    counts = in_request(
        world.funder,
        lambda: list(
            Child.objects.for_aggregates("a test")
            .values("centre_id")
            .annotate(n=Count("pk"))
            .order_by("centre_id")
        ),
    )
    assert [row["n"] for row in counts] == [1, 1]
    assert in_request(world.funder, lambda: Child.objects.for_aggregates("a test").count()) == 2
    with pytest.raises(access.UnscopedQuery, match="lists no rows"):
        in_request(world.funder, lambda: list(Child.objects.for_aggregates("a test")))
    with pytest.raises(access.UnscopedQuery, match="lists no rows"):
        list(Child.objects.for_aggregates("a test").values_list("first_name"))
