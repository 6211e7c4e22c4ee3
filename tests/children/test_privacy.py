"""Data-protection duties: access log, subject access export, erasure, retention."""

import datetime as dt
import json
from io import StringIO

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from harmonia.children import privacy, services
from harmonia.children.equity import centre_profile
from harmonia.children.models import (
    Child,
    ChildAccessLog,
    ChildSafetyNotes,
    ConsentKind,
    Guardian,
    Status,
)
from tests.children.factories import make_child, make_form, make_guardian


def test_every_view_and_export_is_logged_and_managers_see_the_log(as_persona, world):
    ada = make_child(world)
    as_persona("tutor_a").get(ada.get_absolute_url())
    as_persona("safeguarding_a").get(ada.get_absolute_url())
    client = as_persona("manager_a")
    client.get(reverse("children:subject_access_json", args=[ada.pk]))
    client.get(reverse("children:child_list_export", args=[world.centre_a.pk]))
    log = list(ChildAccessLog.objects.order_by("id").values_list("user__email", "action"))
    assert log == [
        ("tutor.a@example.org", "view"),
        ("safeguarding.a@example.org", "view"),
        ("manager.a@example.org", "subject_access"),
        ("manager.a@example.org", "export"),
    ]
    page = client.get(ada.get_absolute_url()).content.decode()
    assert "Who looked at this record" in page and "Tutor A" in page
    tutor_page = as_persona("tutor_a").get(ada.get_absolute_url()).content.decode()
    assert "Who looked at this record" not in tutor_page


def test_a_forbidden_attempt_is_not_a_view(as_persona, world):
    ada = make_child(world)
    assert as_persona("funder").get(ada.get_absolute_url()).status_code == 403
    assert not ChildAccessLog.objects.exists()


def test_the_subject_access_export_holds_everything(as_persona, world):
    ada = make_child(world)
    mary = make_guardian(ada)
    form = make_form(world.england, ConsentKind.PHOTO)
    services.record_consent(
        ada, form=form, decision="given", guardian=mary, method="paper", by=None
    )
    services.save_sensitive(ada, by=None, fsm_now=True, ethnicity="WBRI")
    services.save_safety_notes(ada, by=None, allergies="Peanuts")
    client = as_persona("manager_a")
    response = client.get(reverse("children:subject_access_json", args=[ada.pk]))
    data = json.loads(response.content)
    assert data["child"]["first_name"] == "Ada"
    assert data["guardians"][0]["email"] == "mary@example.org"
    assert data["consents"][0]["wording"] == "I agree to photo for my child."
    assert data["equity"]["ethnicity"] == "WBRI"
    assert data["free_school_meals"][0]["end"] is None
    assert data["safety_notes"]["allergies"] == "Peanuts"
    assert data["enrolment"][0]["status"] == "active"
    page = client.get(reverse("children:subject_access", args=[ada.pk])).content.decode()
    assert "Everything we hold about Ada Lovelace" in page and "Peanuts" in page


def test_erasure_scrubs_identity_but_keeps_the_counts(as_persona, world):
    ada = make_child(world, upn="B801200005001")
    mary = make_guardian(ada)
    services.save_sensitive(ada, by=None, fsm_now=True, ethnicity="WBRI")
    services.save_safety_notes(ada, by=None, allergies="Peanuts")
    today = timezone.localdate()
    before = centre_profile(world.centre_a, today)
    response = as_persona("manager_a").post(
        reverse("children:anonymise", args=[ada.pk]), {"confirm": "yes"}
    )
    assert response.status_code == 302
    ada.refresh_from_db()
    mary.refresh_from_db()
    assert (ada.first_name, ada.upn, ada.date_of_birth) == ("Anonymised", "", dt.date(2016, 1, 1))
    assert ada.anonymised_at is not None
    assert not ChildSafetyNotes.objects.exists()
    assert mary.first_name == "Anonymised" and mary.email == ""
    assert Child.objects.active_on(today).count() == 1
    assert centre_profile(world.centre_a, today) == before


def test_a_guardian_with_another_child_survives_a_siblings_erasure(world):
    ada = make_child(world)
    mary = make_guardian(ada)
    bob = make_child(world, first="Bob", dob=dt.date(2017, 1, 1))
    services.link_guardian(bob, mary, by=None, relationship="mother")
    privacy.anonymise_child(ada, by=None)
    assert Guardian.objects.get().first_name == "Mary"


def test_apply_retention_anonymises_old_leavers_and_reports(world):
    old = make_child(world, first="Old", on=dt.date(2010, 9, 1))
    services.change_status(old, status=Status.LEFT, on=dt.date(2015, 7, 1), by=None,
                           reason="aged_out")  # fmt: skip
    never = make_child(world, first="Never", status=Status.WAITING, on=dt.date(2020, 1, 1),
                       dob=dt.date(2014, 1, 1))  # fmt: skip
    services.change_status(never, status=Status.LEFT, on=dt.date(2021, 1, 1), by=None,
                           reason="declined_offer")  # fmt: skip
    recent = make_child(world, first="Recent", on=dt.date(2020, 9, 1), dob=dt.date(2013, 1, 1))
    services.change_status(recent, status=Status.LEFT, on=dt.date(2024, 7, 1), by=None,
                           reason="moved_away")  # fmt: skip
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "→ 1 would be processed" in out.getvalue()
    assert Child.objects.filter(anonymised_at__isnull=False).count() == 0
    call_command("apply_retention", stdout=StringIO())
    assert set(Child.objects.filter(anonymised_at__isnull=False)) == {old, never}
    report = privacy.apply_retention()
    assert report["child"] == 0 and report["waiting"] == 0


def test_a_register_logs_every_child_it_shows_in_one_insert(as_persona, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.ensembles.conftest import build_register

    reg = build_register(world.centre_a, 12, name="Junior Strings")
    url = reverse("ensembles:register", args=[reg.occurrence.pk])
    client = as_persona("tutor_a")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    inserts = [q for q in queries if 'INSERT INTO "children_childaccesslog"' in q["sql"]]
    assert len(inserts) == 1
    rows = ChildAccessLog.objects.filter(user=world.tutor_a)
    assert rows.count() == 12 and {r.action for r in rows} == {"list"}
    assert {r.detail for r in rows} == {url}
    # The manager reads it on the child's page: who, how, and where.
    child = reg.ensemble.placements.first().child
    page = as_persona("manager_a").get(child.get_absolute_url()).content.decode()
    assert "Seen in a list" in page and url in page
