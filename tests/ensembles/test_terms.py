"""Terms and holidays: a manager corrects or removes one; sessions keep theirs."""

import datetime as dt

from django.urls import reverse

from harmonia.audit.models import AuditEvent
from harmonia.ensembles.models import Session, Term


def make_term(world, **overrides):
    values = {
        "name": "Autumn term 2026",
        "kind": "term",
        "start": dt.date(2026, 9, 3),
        "end": dt.date(2026, 12, 18),
    }
    values.update(overrides)
    return Term.objects.create(centre=world.centre_a, **values)


def test_the_manager_corrects_a_term_date(as_persona, world):
    term = make_term(world)
    response = as_persona("manager_a").post(
        reverse("ensembles:term_edit", args=[term.pk]),
        {"name": "Autumn term 2026", "kind": "term", "start": "2026-09-04", "end": "2026-12-18"},
    )
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.start == dt.date(2026, 9, 4)
    event = AuditEvent.objects.get(object_type="term", action="updated")
    assert event.changes == {"start": "2026-09-04"}


def test_a_term_that_ends_before_it_starts_is_refused(as_persona, world):
    term = make_term(world)
    response = as_persona("manager_a").post(
        reverse("ensembles:term_edit", args=[term.pk]),
        {"name": "Autumn term 2026", "kind": "term", "start": "2026-12-18", "end": "2026-09-03"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    term.refresh_from_db()
    assert term.start == dt.date(2026, 9, 3)


def test_a_term_is_removed_unless_sessions_run_through_it(as_persona, world, register_of):
    client = as_persona("manager_a")
    spare = make_term(world, name="Spare")
    assert client.post(reverse("ensembles:term_delete", args=[spare.pk])).status_code == 302
    assert not Term.objects.filter(pk=spare.pk).exists()
    used = make_term(world)
    reg = register_of(2)
    Session.objects.create(ensemble=reg.ensemble, weekday=1, start_time=dt.time(16), term=used)
    response = client.post(reverse("ensembles:term_delete", args=[used.pk]))
    assert response.status_code == 302
    assert Term.objects.filter(pk=used.pk).exists()


def test_a_tutor_cannot_edit_a_term_and_lambeth_cannot_see_it(as_persona, world):
    term = make_term(world)
    url = reverse("ensembles:term_edit", args=[term.pk])
    assert as_persona("tutor_a").get(url).status_code == 403
    assert as_persona("tutor_b").get(url).status_code == 404
