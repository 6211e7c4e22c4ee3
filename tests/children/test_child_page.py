"""The child page shows the whole child: ensembles and placements, attendance, instruments
and loans, consents (a refused emergency-medical consent first, as an alert), guardians
and siblings, and a timeline — at a cost that does not grow with the child's history."""

import datetime as dt

import pytest
from django.utils import timezone

from harmonia.children import services
from harmonia.children.models import ChildAccessLog, ConsentKind
from harmonia.ensembles.models import Mark, Placement
from tests.children.factories import make_child, make_form, make_guardian
from tests.ensembles.conftest import build_register
from tests.instruments.builders import lend_to_child

LONDON = timezone.get_default_timezone()


def history(world, child, weeks: int, ensemble):
    """``weeks`` past sessions of ``ensemble`` with a mark for ``child`` (present, except
    every third week)."""
    from harmonia.ensembles.models import Occurrence

    today = timezone.localdate()
    for week in range(1, weeks + 1):
        day = today - dt.timedelta(weeks=week)
        starts = dt.datetime.combine(day, dt.time(16), tzinfo=LONDON)
        occurrence = Occurrence.objects.create(
            ensemble=ensemble,
            centre=world.centre_a,
            date=day,
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=90),
            minutes=90,
            kind="rehearsal",
        )
        Mark.objects.create(
            occurrence=occurrence,
            child=child,
            status="absent_unauthorised" if week % 3 == 0 else "present",
            marked_at=starts,
            recorded_at=starts,
        )


@pytest.fixture
def ada(world):
    child = make_child(world, first="Ada", last="Lovelace", on=dt.date(2024, 9, 2))
    mother = make_guardian(child)
    sister = make_child(world, first="Grace", last="Lovelace")
    services.link_guardian(sister, mother, by=None, relationship="mother")
    register = build_register(world.centre_a, 3, name="Liverpool Children's Orchestra")
    Placement.objects.create(
        child=child,
        ensemble=register.ensemble,
        section=register.section,
        instrument="cello",
        desk=2,
        start=dt.date(2024, 9, 9),
    )
    history(world, child, 6, register.ensemble)
    lend_to_child(world, kid=child)
    for kind in [ConsentKind.PHOTO, ConsentKind.MEDICAL]:
        make_form(world.england, kind)
    return child, mother


def refuse_medical(child, mother):
    form = make_form(child.centre.programme, ConsentKind.MEDICAL)
    return services.record_consent(
        child, form=form, decision="refused", guardian=mother, method="paper", by=None
    )


def test_the_manager_sees_the_whole_child(as_persona, world, ada):
    child, _mother = ada
    response = as_persona("manager_a").get(child.get_absolute_url())
    page = response.content.decode()
    assert "Liverpool Children&#x27;s Orchestra" in page and "desk 2" in page
    attendance = response.context["attendance"]
    assert (attendance["marks"], attendance["attended"]) == (6, 4)
    assert round(attendance["rate"], 2) == 0.67
    assert attendance["hours"] == 6.0  # four sessions of 90 minutes
    assert len(attendance["recent"]) == 6
    assert "Latest marks" in page
    assert [ln.instrument.instrument_type for ln in response.context["loans_open"]] == ["violin"]
    assert "Grace Lovelace" in page  # her sister, through their mother
    kinds = [e.kind for e in response.context["timeline"]]
    assert {"enrolment", "placement", "loan"} <= set(kinds)
    assert 'id="timeline-heading"' in page


def test_a_refused_emergency_medical_consent_is_an_alert_at_the_top(as_persona, world, ada):
    child, mother = ada
    refuse_medical(child, mother)
    for persona in ["manager_a", "tutor_a", "safeguarding_a"]:
        page = as_persona(persona).get(child.get_absolute_url()).content.decode()
        alert = page.index('class="card alert-consent" role="alert"')
        assert "Emergency medical treatment: consent REFUSED" in page
        # Before everything else on the page: safety notes, figures, the record.
        assert alert < page.index('id="about-heading"')
        assert alert < page.index('class="stats child-stats"')


def test_a_withdrawn_emergency_medical_consent_is_an_alert_too(as_persona, world, ada):
    child, mother = ada
    form = make_form(world.england, ConsentKind.MEDICAL)
    record = services.record_consent(
        child, form=form, decision="given", guardian=mother, method="paper", by=None
    )
    page = as_persona("manager_a").get(child.get_absolute_url()).content.decode()
    assert "alert-consent" not in page
    services.withdraw_consent(record, by=None)
    page = as_persona("manager_a").get(child.get_absolute_url()).content.decode()
    assert "Emergency medical treatment: consent WITHDRAWN" in page


def test_each_role_sees_its_part(as_persona, world, ada):
    child, _mother = ada
    tutor = as_persona("tutor_a").get(child.get_absolute_url())
    assert tutor.context["attendance"]["marks"] == 6
    assert tutor.context.get("show_loans") is True  # tutors lend and take back
    assert "timeline" not in tutor.context  # the history needs the full record
    dsl = as_persona("safeguarding_a").get(child.get_absolute_url())
    assert dsl.context.get("show_loans") is None  # safeguarding leads see no instruments
    assert dsl.context["timeline"]


def test_the_attendance_day_by_day_slot_is_on_the_page(as_persona, world, ada):
    child, _mother = ada
    response = as_persona("manager_a").get(child.get_absolute_url())
    assert "children/_attendance_link.html" in [t.name for t in response.templates]


def test_the_page_is_logged_and_costs_the_same_with_a_long_history(
    as_persona, world, ada, django_assert_num_queries
):
    child, _mother = ada
    client = as_persona("manager_a")
    client.get(child.get_absolute_url())
    with django_assert_num_queries(20) as small:
        client.get(child.get_absolute_url())
    register = build_register(world.centre_a, 2, name="Junior strings")
    Placement.objects.create(child=child, ensemble=register.ensemble, start=dt.date(2024, 9, 9))
    history(world, child, 30, register.ensemble)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(child.get_absolute_url())
    assert response.context["attendance"]["recent"][0].occurrence.date < timezone.localdate()
    assert ChildAccessLog.objects.filter(child=child, action="view").count() == 3
