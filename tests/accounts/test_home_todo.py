"""The home page is each person's to-do list: counts that link to the page that
resolves them, only for the centres their role lets them act in."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from harmonia.children.models import ImportLog
from harmonia.ensembles.models import Ensemble, Occurrence
from harmonia.instruments import services as instrument_services
from harmonia.reports.models import ExportJob
from tests.children.factories import make_child, make_form
from tests.instruments.builders import agreement, delivery
from tests.staff.builders import add_staff

LONDON = timezone.get_default_timezone()


def busy_centre(world, n: int):
    """Centre A with ``n`` of everything that needs doing."""
    today = timezone.localdate()
    ensemble = Ensemble.objects.create(
        programme=world.england, centre=world.centre_a, name=f"Orchestra {n}", kind="orchestra"
    )
    ensemble.member_centres.add(world.centre_a)
    for i in range(n):  # registers of past days nobody took
        day = today - dt.timedelta(days=i + 1)
        starts = dt.datetime.combine(day, dt.time(16), tzinfo=LONDON)
        Occurrence.objects.create(
            ensemble=ensemble,
            centre=world.centre_a,
            date=day,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
            minutes=60,
            kind="rehearsal",
        )
    # Today's and a future register are not "not taken" yet.
    for day in (today, today + dt.timedelta(days=3)):
        starts = dt.datetime.combine(day, dt.time(16), tzinfo=LONDON)
        Occurrence.objects.create(
            ensemble=ensemble,
            centre=world.centre_a,
            date=day,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
            minutes=60,
            kind="rehearsal",
        )
    make_form(world.england)
    kids = [make_child(world, first=f"Kid{i}", last=f"Busy{n}") for i in range(n)]
    for i in range(n):  # staff with no checks at all
        add_staff(world, f"New Volunteer {n}-{i}")
    for instrument, kid in zip(delivery(world, n), kids, strict=True):  # loans past due
        instrument_services.lend(
            instrument,
            by=world.manager_a,
            on=today - dt.timedelta(days=60),
            child=kid,
            due_back=today - dt.timedelta(days=1),
            agreement=agreement(world),
            accepted_by="A parent",
        )
    for i in range(n):
        ImportLog.objects.create(
            centre=world.centre_a, kind="csv", filename=f"class{i}.csv", state="mapping"
        )
    ExportJob.objects.create(
        owner=world.manager_a,
        programme=world.england,
        kind="annual_return",
        format="csv",
        state="done",
        finished=timezone.now(),
    )
    return kids


def counts(response):
    todo = response.context["todo"]
    return {t.key: t.count for c in todo["centres"] for t in c.tasks} | {
        t.key: t.count for t in todo["general"]
    }


def test_the_managers_home_lists_what_needs_doing_with_counts_and_links(as_persona, world):
    busy_centre(world, 3)
    response = as_persona("manager_a").get(reverse("home"))
    assert counts(response) == {
        "registers": 3,  # today's and next week's are not late
        "consents": 3,
        "checks_lapsed": 3,
        "loans": 3,
        "imports": 3,
        "exports": 1,
    }
    page = response.content.decode()
    a = world.centre_a.pk
    for url in [
        reverse("children:consent_campaign", args=[a]),
        reverse("staff:staff_list", args=[a]),
        reverse("instruments:loan_list", args=[a]),
        reverse("children:import_upload", args=[a]),
        reverse("reports:downloads"),
        reverse("reports:centre_dashboard", args=[a]) + "#actions-heading",
    ]:
        assert f'href="{url}"' in page
    assert "Registers not taken" in page and "Instruments to get back" in page


def test_the_to_do_list_costs_the_same_queries_at_any_size(as_persona, world):
    client = as_persona("manager_a")
    busy_centre(world, 2)
    client.get(reverse("home"))  # warm per-process caches (content types, translations)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("home"))
    busy_centre(world, 7)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("home"))
    assert counts(response)["registers"] == 9
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]


def test_another_centres_manager_sees_none_of_it(as_persona, world):
    from harmonia.accounts.models import Membership, Role
    from tests.conftest import _person

    busy_centre(world, 2)
    manager_b = _person("manager_b", Role.CENTRE_MANAGER, centre=world.centre_b)
    assert Membership.objects.filter(user=manager_b).count() == 1
    client = as_persona("anonymous")
    client.force_login(manager_b)
    response = client.get(reverse("home"))
    assert counts(response) == {}
    page = response.content.decode()
    assert "All done" in page
    assert str(world.centre_a.name) not in page


def test_the_safeguarding_lead_sees_checks_and_attendance_not_registers_or_loans(as_persona, world):
    busy_centre(world, 2)
    response = as_persona("safeguarding_a").get(reverse("home"))
    assert counts(response) == {"checks_lapsed": 2}


def test_the_programme_lead_sees_every_centre_at_a_glance_without_names(as_persona, world):
    kids = busy_centre(world, 2)
    response = as_persona("programme_lead").get(reverse("home"))
    todo = response.context["todo"]
    assert todo["centres"] == []  # no centre whose children they see
    rows = {row["centre"].name: row["cells"] for row in todo["overview"]}
    registers, lapsed, expiring, loans = rows["In Harmony Liverpool"]
    assert (registers.count, lapsed.count, expiring, loans.count) == (2, 2, None, 2)
    assert rows["In Harmony Lambeth"] == [None, None, None, None]
    page = response.content.decode()
    assert 'class="cards todo-overview"' in page
    for kid in kids:
        assert kid.first_name not in page


def test_a_tutor_gets_no_management_to_do_list(as_persona, world):
    busy_centre(world, 2)
    response = as_persona("tutor_a").get(reverse("home"))
    assert response.context["todo"]["centres"] == []
    assert "To do" not in response.content.decode()


def test_an_empty_to_do_list_says_everything_is_done(as_persona, world):
    response = as_persona("manager_a").get(reverse("home"))
    page = response.content.decode()
    assert counts(response) == {}
    assert "All done. Checked: registers, attendance, consents, safeguarding checks" in page


@pytest.mark.parametrize("persona", ["manager_a", "programme_lead", "safeguarding_a"])
def test_the_home_page_reads_in_spanish(as_persona, world, persona):
    busy_centre(world, 1)
    client = as_persona(persona)
    client.cookies["django_language"] = "es"
    page = client.get(reverse("home")).content.decode()
    assert "Por hacer" in page
