"""School calendars per country, public holidays, and subscribing to a feed."""

import datetime as dt

from django.urls import reverse
from django.utils import translation

from harmonia.ensembles import holidays, school_calendars, timetable
from harmonia.ensembles.models import Ensemble, Holiday, Mark, Occurrence, Session
from harmonia.reports import dashboard

D = dt.date


def test_easter_and_the_movable_feasts_fall_on_their_days():
    assert school_calendars.easter(2026) == D(2026, 4, 5)
    assert school_calendars.easter(2027) == D(2027, 3, 28)
    ve = {c.name: (c.start, c.end) for c in school_calendars.public_holidays("VE", 2026)}
    assert ve["Carnaval"] == (D(2026, 2, 16), D(2026, 2, 17))  # Monday and Tuesday
    assert ve["Semana Santa"] == (D(2026, 3, 30), D(2026, 4, 3))
    assert ve["Día de la Independencia"] == (D(2026, 7, 5), D(2026, 7, 5))
    assert ve["Batalla de Carabobo"] == (D(2026, 6, 24), D(2026, 6, 24))
    assert ve["Día de la Resistencia Indígena"] == (D(2026, 10, 12), D(2026, 10, 12))
    gb = {c.name: c.start for c in school_calendars.public_holidays("GB", 2027)}
    assert gb["Good Friday"] == D(2027, 3, 26)
    assert gb["Early May bank holiday"] == D(2027, 5, 3)
    assert gb["Summer bank holiday"] == D(2027, 8, 30)
    # 25 and 26 December 2027 are a Saturday and a Sunday: the holidays move.
    assert (gb["Christmas Day"], gb["Boxing Day"]) == (D(2027, 12, 27), D(2027, 12, 28))


def test_venezuelan_terms_are_lapsos_in_both_languages_and_never_otono():
    with translation.override("es"):
        assert dashboard.term_label(2025, 1, "VE") == "Primer lapso 2025/26"
        assert dashboard.term_label(2025, 3, "VE") == "Tercer lapso 2025/26"
        assert dashboard.term_label(2025, 1, "GB") == "Trimestre de otoño 2025/26"
        assert "Otoño" not in dashboard.term_label(2025, 1, "VE")
    with translation.override("en"):
        assert dashboard.term_label(2025, 2, "VE") == "Second lapso 2025/26"
        assert dashboard.term_label(2025, 2, "GB") == "Spring term 2025/26"
    year = school_calendars.school_year("VE", 2026)
    assert [t.name for t in year if t.kind == "term"] == [
        "Primer lapso 2026–27",
        "Segundo lapso 2026–27",
        "Tercer lapso 2026–27",
    ]
    assert year[0].start.month == 9 and year[-1].end.month in (7, 9)


def _weekly(world, centre, weekday, first, last):
    ensemble = Ensemble.objects.create(
        programme=centre.programme, centre=centre, name="Orquesta", kind="orchestra"
    )
    ensemble.member_centres.add(centre)
    return Session.objects.create(
        ensemble=ensemble,
        weekday=weekday,
        start_time=dt.time(16, 0),
        starts_on=first,
        ends_on=last,
    )


def test_no_session_is_generated_on_a_public_holiday(world):
    holidays.add_country_holidays(world.venezuela, [2026])
    # Wednesdays, 17 June – 8 July 2026: 24 June is the Batalla de Carabobo.
    session = _weekly(world, world.centre_v, 2, D(2026, 6, 17), D(2026, 7, 8))
    timetable.generate_occurrences([session])
    dates = sorted(session.occurrences.values_list("date", flat=True))
    assert D(2026, 6, 24) not in dates  # Batalla de Carabobo
    assert dates == [D(2026, 6, 17), D(2026, 7, 1), D(2026, 7, 8)]
    # England keeps its own calendar: Venezuela's holidays close nothing in Liverpool.
    english = _weekly(world, world.centre_a, 2, D(2026, 6, 17), D(2026, 7, 8))
    timetable.generate_occurrences([english])
    assert english.occurrences.count() == 4


def test_a_holiday_added_later_cancels_the_untaken_dates_and_keeps_taken_registers(world):
    session = _weekly(world, world.centre_v, 0, D(2026, 10, 5), D(2026, 10, 19))
    timetable.generate_occurrences([session])
    assert session.occurrences.count() == 3
    holiday, cancelled = holidays.add_holiday(
        world.venezuela,
        name="Día de la Resistencia Indígena",
        start=D(2026, 10, 12),
        by=world.people["outsider"],
    )
    assert cancelled == 1
    closed = session.occurrences.get(date=D(2026, 10, 12))
    assert closed.status == Occurrence.Status.CANCELLED
    assert closed.note == "Holiday: Día de la Resistencia Indígena"
    assert closed.sequence == 1  # calendar apps are told
    assert Holiday.objects.filter(programme=world.venezuela).count() == 1
    # A register already taken in a holiday added afterwards is never hidden.
    taken = session.occurrences.get(date=D(2026, 10, 19))
    from harmonia.children.models import Child

    child = Child.objects.create(
        centre=world.centre_v, first_name="Ana", last_name="Pérez", date_of_birth=D(2016, 1, 1)
    )
    Mark.objects.create(
        occurrence=taken,
        child=child,
        status="present",
        marked_at=taken.starts_at,
        recorded_at=taken.starts_at,
    )
    _h, cancelled = holidays.add_holiday(world.venezuela, name="Cierre", start=D(2026, 10, 19))
    assert cancelled == 0
    taken.refresh_from_db()
    assert taken.status == Occurrence.Status.SCHEDULED
    assert holiday.pk


def test_the_timetable_lists_the_holidays_and_a_cancelled_date_says_why(client, world):
    from harmonia.accounts.models import Membership, Role, User

    manager = User.objects.create_user(email="gerente@example.org", password="x" * 20)
    Membership.objects.create(user=manager, role=Role.CENTRE_MANAGER, centre=world.centre_v)
    session = _weekly(world, world.centre_v, 0, D(2026, 10, 5), D(2026, 10, 19))
    timetable.generate_occurrences([session])
    holidays.add_holiday(
        world.venezuela, name="Día de la Resistencia Indígena", start=D(2026, 10, 12)
    )
    client.force_login(manager)
    url = reverse("ensembles:timetable", args=[world.centre_v.pk]) + "?week=2026-10-12"
    body = client.get(url).content.decode()
    assert "Holiday: Día de la Resistencia Indígena" in body


def test_a_feed_is_offered_as_a_webcal_link_with_a_copy_button_and_a_qr_code(as_persona, world):
    client = as_persona("tutor_a")
    body = client.get(reverse("ensembles:my_timetable")).content.decode()
    assert 'href="webcal://testserver/' in body
    assert "data-copy" in body and "ensembles/copy-link.js" in body
    assert "<svg" in body and 'class="segno"' in body
    assert "<script>" not in body  # the strict CSP: no inline script
