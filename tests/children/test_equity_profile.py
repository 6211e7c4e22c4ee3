"""The centre page's equity profile: aggregates only, small counts suppressed."""

import datetime as dt

from harmonia.children import services
from tests.children.factories import make_child


def _children(world, n, fsm):
    for i in range(n):
        child = make_child(world, first=f"C{i}", dob=dt.date(2016, 1, 1) + dt.timedelta(i))
        services.save_sensitive(child, by=None, fsm_now=i < fsm, sen_status="K" if i < 2 else "N")


def test_the_profile_shows_shares_and_suppresses_small_counts(as_persona, world):
    _children(world, 10, fsm=5)
    page = as_persona("funder").get(world.centre_a.get_absolute_url()).content.decode()
    assert "Who we reach" in page
    assert "50%" in page  # FSM: 5 of 10 (and 5 not)
    assert "20%" not in page and "80%" not in page  # SEN: 2 of 10 is small: both hidden
    assert "48.5%" in page  # the school's published FSM share
    assert "Lovelace" not in page  # no names, ever


def test_a_centre_with_under_five_children_shows_no_shares(as_persona, world):
    _children(world, 3, fsm=3)
    page = as_persona("programme_lead").get(world.centre_a.get_absolute_url()).content.decode()
    # One mark for a hidden number on every page (issue 11): [c], never "<5".
    assert "[c]" in page and "&lt;5" not in page
    assert "100%" not in page


def test_tutors_do_not_see_the_profile(as_persona, world):
    _children(world, 10, fsm=6)
    page = as_persona("tutor_a").get(world.centre_a.get_absolute_url()).content.decode()
    assert "Who we reach" not in page
    manager = as_persona("manager_a").get(world.centre_a.get_absolute_url()).content.decode()
    assert "Who we reach" in manager


def test_the_programme_page_shows_each_centres_reach_to_aggregate_roles(as_persona, world):
    _children(world, 10, fsm=5)
    url = world.england.get_absolute_url()
    page = as_persona("evaluator").get(url).content.decode()
    assert "Who we reach" in page and "50%" in page
    assert "Lovelace" not in page
    assert "Who we reach" not in as_persona("tutor_a").get(url).content.decode()


def test_a_funder_cannot_subtract_a_small_group_on_the_centre_page(as_persona, world):
    # 6 of 10 on free school meals leaves 4 who are not: a small group, so the
    # share is hidden for a funder (it would give the 4 away), as on the dashboards.
    _children(world, 10, fsm=6)
    page = as_persona("funder").get(world.centre_a.get_absolute_url()).content.decode()
    assert "60%" not in page and "40%" not in page and "[c]" in page
    lead = as_persona("programme_lead").get(world.centre_a.get_absolute_url()).content.decode()
    assert "60%" in lead  # the programme lead sees true shares, as before
