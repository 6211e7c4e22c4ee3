"""The programme and centre dashboards: numbers, suppression, actions, query counts."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from harmonia.accounts.models import Membership, Role, User
from harmonia.programmes.models import Area, Centre, PartnerSchool
from tests.reports.conftest import make_children, make_ensemble, take_register


def _dashboard(client, world, persona, name="reports:programme_dashboard", pk=None):
    client.force_login(world.people[persona])
    pk = pk or world.england.pk
    kwargs = {"programme_pk": pk} if name == "reports:programme_dashboard" else {"pk": pk}
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    return response


def _row(data, centre):
    return next(r for r in data["centres"] if r["centre"].pk == centre.pk)


def test_the_lead_sees_every_number(client, world, registers):
    data = _dashboard(client, world, "programme_lead").context["data"]
    assert not data["suppressed"]
    assert _row(data, world.centre_a)["reached"] == 10
    assert _row(data, world.centre_b)["reached"] == 3
    assert data["totals"]["reached"] == 13
    assert data["totals"]["active"] == 15
    assert data["totals"]["waiting"] == 1
    assert data["totals"]["rate"] == round(100 * (50 + 15) / (60 + 15), 1)
    assert data["totals"]["performances"] == 2


def test_a_funder_never_sees_three_children(client, world, registers):
    response = _dashboard(client, world, "funder")
    data = response.context["data"]
    assert data["suppressed"]
    lambeth = _row(data, world.centre_b)
    assert lambeth["reached"] is None and lambeth["active"] is None
    # A sum is shown only when none of its parts is hidden: the total is hidden,
    # so 13 - 10 cannot be done (here, on a grant report or in any file).
    assert _row(data, world.centre_a)["reached"] == 10
    assert data["totals"]["reached"] is None
    assert lambeth["rate"] is None and lambeth["hours"] is None
    html = response.content.decode()
    assert "[c]" in html and "Small numbers are hidden" in html


def test_the_centre_dashboard_shows_one_centre_and_what_needs_doing(client, world, registers):
    today = timezone.localdate()
    # A past session whose register nobody took.
    make_ensemble(
        world.england,
        world.centre_a,
        [],
        [today - dt.timedelta(days=3)],
        on=today,
        name="Choir",
        kind="choir",
    )
    response = _dashboard(client, world, "manager_a", "reports:centre_dashboard", world.centre_a.pk)
    data = response.context["data"]
    assert [r["centre"] for r in data["centres"]] == [world.centre_a]
    assert data["totals"]["reached"] == 10
    actions = response.context["actions"]
    assert [o.ensemble.name for o, _url in actions["registers"]] == ["Choir"]
    assert "Needs action" in response.content.decode()


def test_a_funder_on_a_centre_dashboard_sees_no_actions_and_the_same_protected_cells(
    client, world, registers
):
    response = _dashboard(client, world, "funder", "reports:centre_dashboard", world.centre_b.pk)
    assert response.context["actions"] is None
    assert response.context["data"]["totals"]["reached"] is None


def _grow(world, n_centres, children_per_centre, tag):
    """More centres with children and registers, for the query-count test."""
    today = timezone.localdate()
    days = [today - dt.timedelta(days=k) for k in (3, 2, 1)]
    on = today - dt.timedelta(days=30)
    for i in range(n_centres):
        area = Area.objects.create(programme=world.england, name=f"Extra {tag}{i}")
        centre = Centre.objects.create(
            programme=world.england,
            name=f"Extra centre {tag}{i}",
            lead_organisation=world.organisation_a,
            area=area,
        )
        school = PartnerSchool.objects.create(
            centre=centre,
            name=f"School {i}",
            phase="primary",
            local_authority="X",
            pupils=200,
            fsm_percent=30,
        )
        kids = make_children(
            centre, school, children_per_centre, f"X{tag}{i}-", by=world.programme_lead, on=on
        )
        # Registers are taken by someone who may mark these children (the policy refuses
        # a programme lead: harmonia.access.ensemble_children).
        tutor = User.objects.create_user(email=f"tutor.{tag}{i}@example.org", full_name="Tutor")
        Membership.objects.create(user=tutor, role=Role.TUTOR, centre=centre)
        for occ in make_ensemble(world.england, centre, kids, days, on=on):
            take_register(occ, kids, present=children_per_centre - 1, by=tutor)


def _count_queries(client, django_assert_max_num_queries, url, limit):
    client.get(url)  # the first view of the day counts the equity snapshot
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_centres_or_children(
    client, world, registers, django_assert_max_num_queries
):
    """Session and user (2), memberships (1), programme (1-2), centres (1), rollup (1),
    children now (1), ensembles (1), grants and their centres (2), the equity
    snapshot and schools (2), navigation (a few, fixed)."""
    client.force_login(world.programme_lead)
    url = reverse("reports:programme_dashboard", args=[world.england.pk])
    small = _count_queries(client, django_assert_max_num_queries, url, 40)
    _grow(world, 3, 6, "a")
    large = _count_queries(client, django_assert_max_num_queries, url, 40)
    assert large == small
    centre_url = reverse("reports:centre_dashboard", args=[world.centre_a.pk])
    client.force_login(world.manager_a)
    first = _count_queries(client, django_assert_max_num_queries, centre_url, 60)
    _grow(world, 2, 8, "b")
    assert _count_queries(client, django_assert_max_num_queries, centre_url, 60) == first


def test_the_equity_profile_is_counted_once_a_day(client, world, registers):
    from harmonia.reports.models import EquitySnapshot

    _dashboard(client, world, "programme_lead")
    assert EquitySnapshot.objects.filter(dimension="total", children=12).exists()
    stored = EquitySnapshot.objects.count()
    _dashboard(client, world, "funder")
    assert EquitySnapshot.objects.count() == stored
