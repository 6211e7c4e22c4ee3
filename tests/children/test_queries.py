"""Page cost does not grow with the number of children."""

import datetime as dt

from django.urls import reverse

from harmonia.children import services
from harmonia.children.models import ConsentKind
from tests.children.factories import make_child, make_form, make_guardian


def _family(world, n, form):
    for i in range(n):
        child = make_child(world, first=f"Child{i}", dob=dt.date(2016, 1, 1) + dt.timedelta(i))
        guardian = make_guardian(child, first=f"G{i}", email=f"g{i}@example.org")
        services.record_consent(
            child, form=form, decision="given", guardian=guardian, method="paper", by=None
        )
        services.save_sensitive(child, by=None, fsm_now=bool(i % 2), ethnicity="WBRI")
        services.save_safety_notes(child, by=None, allergies="None")
    return child


def test_the_children_list_costs_the_same_at_two_sizes(
    as_persona, world, django_assert_num_queries
):
    form = make_form(world.england, ConsentKind.PHOTO)
    client = as_persona("manager_a")
    url = reverse("children:child_list", args=[world.centre_a.pk])
    _family(world, 3, form)
    client.get(url)  # warm the session
    # session, user, centre (+ membership subqueries), memberships (caps),
    # count, page of children with schools, access-log insert (one row per child shown),
    # status counts, schools for the filter
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200
    _family(world, 30, form)
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200


def test_the_child_page_costs_the_same_however_many_children(
    as_persona, world, django_assert_num_queries
):
    form = make_form(world.england, ConsentKind.PHOTO)
    client = as_persona("manager_a")
    child = _family(world, 2, form)
    client.get(child.get_absolute_url())
    # session, user, child, memberships, access-log insert, guardian links, their other
    # children (prefetch), consent records, forms in force, equity, safety notes, FSM
    # periods, enrolment periods, offers, access log; the whole child (issue 11):
    # placements, the current term, attendance totals, latest marks, loans
    with django_assert_num_queries(20) as small:
        client.get(child.get_absolute_url())
    big = _family(world, 25, form)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(big.get_absolute_url())
