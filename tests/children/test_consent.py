"""Consent: versions, decisions, withdrawal from a moment, re-consent and has_consent."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from harmonia.children import services
from harmonia.children.models import ConsentKind, ConsentRecord
from tests.children.factories import make_child, make_form, make_guardian

NOW = timezone.now()


def _decide(child, form, guardian, decision="given", at=None):
    return services.record_consent(
        child, form=form, decision=decision, guardian=guardian, method="paper",
        at=at or NOW - dt.timedelta(days=10), by=None,
    )  # fmt: skip


def test_has_consent_follows_decisions_and_withdrawal_over_time(world):
    ada = make_child(world)
    mary = make_guardian(ada)
    form = make_form(world.england, ConsentKind.PHOTO, at=NOW - dt.timedelta(days=60))
    assert not services.has_consent(ada, ConsentKind.PHOTO)
    record = _decide(ada, form, mary, at=NOW - dt.timedelta(days=20))
    assert services.has_consent(ada, ConsentKind.PHOTO)
    assert not services.has_consent(ada, ConsentKind.PHOTO, on=NOW - dt.timedelta(days=21))
    assert not services.has_consent(ada, ConsentKind.RESEARCH)
    services.withdraw_consent(record, by=None, at=NOW - dt.timedelta(days=5))
    # Withdrawal takes effect from that moment: the past stays true.
    assert services.has_consent(ada, ConsentKind.PHOTO, on=NOW - dt.timedelta(days=6))
    assert not services.has_consent(ada, ConsentKind.PHOTO)
    assert ConsentRecord.objects.count() == 1  # nothing deleted


def test_a_refusal_after_consent_stands(world):
    ada = make_child(world)
    mary = make_guardian(ada)
    form = make_form(world.england, ConsentKind.RESEARCH)
    _decide(ada, form, mary, at=NOW - dt.timedelta(days=9))
    _decide(ada, form, mary, "refused", at=NOW - dt.timedelta(days=2))
    assert not services.has_consent(ada, ConsentKind.RESEARCH)
    assert services.has_consent(ada, ConsentKind.RESEARCH, on=NOW - dt.timedelta(days=5))
    assert list(services.consenting_children(ConsentKind.RESEARCH)) == []


def test_a_new_version_needing_fresh_consent_starts_a_campaign(world):
    ada = make_child(world)
    bob = make_child(world, first="Bob", dob=dt.date(2017, 1, 1))
    mary = make_guardian(ada)
    make_guardian(bob, first="Jo", email="jo@example.org")
    v1 = make_form(world.england, ConsentKind.PHOTO, at=NOW - dt.timedelta(days=60))
    _decide(ada, v1, mary)
    assert list(services.outstanding_consents(world.centre_a, v1)) == [bob]
    v2 = make_form(world.england, ConsentKind.PHOTO, at=NOW - dt.timedelta(days=1))
    assert v2.version == 2
    assert not services.has_consent(ada, ConsentKind.PHOTO)  # v1 no longer counts
    assert services.has_consent(ada, ConsentKind.PHOTO, on=NOW - dt.timedelta(days=2))
    assert set(services.outstanding_consents(world.centre_a, v2)) == {ada, bob}
    _decide(ada, v2, mary, at=NOW)
    assert services.has_consent(ada, ConsentKind.PHOTO)
    assert list(services.outstanding_consents(world.centre_a, v2)) == [bob]


def test_a_minor_version_keeps_earlier_answers(world):
    ada = make_child(world)
    mary = make_guardian(ada)
    v1 = make_form(world.england, ConsentKind.TRIPS, at=NOW - dt.timedelta(days=60))
    _decide(ada, v1, mary)
    make_form(world.england, ConsentKind.TRIPS, at=NOW - dt.timedelta(days=1),
              requires_reconsent=False)  # fmt: skip
    assert services.has_consent(ada, ConsentKind.TRIPS)


def test_consent_only_counts_in_the_childs_own_programme(world):
    ada = make_child(world)
    mary = make_guardian(ada)
    form = make_form(world.england, ConsentKind.PHOTO, at=NOW - dt.timedelta(days=60))
    _decide(ada, form, mary)
    # A Venezuelan version needing fresh consent does not touch English answers.
    make_form(world.venezuela, ConsentKind.PHOTO, at=NOW - dt.timedelta(days=1))
    assert services.has_consent(ada, ConsentKind.PHOTO)


def test_the_manager_records_and_withdraws_through_the_pages(as_persona, world):
    ada = make_child(world)
    mary = make_guardian(ada)
    form = make_form(world.england, ConsentKind.PHOTO)
    client = as_persona("manager_a")
    page = client.get(reverse("children:consent_record", args=[ada.pk])).content.decode()
    assert "I agree to photo for my child." in page  # the exact wording is shown
    response = client.post(
        reverse("children:consent_record", args=[ada.pk]),
        {"form": form.pk, "decision": "given", "guardian": mary.pk, "method": "online",
         "decided_at": "2025-01-06T10:00"},
    )  # fmt: skip
    assert response.status_code == 302
    record = ConsentRecord.objects.get()
    assert (record.guardian, record.method) == (mary, "online")
    response = client.post(
        reverse("children:consent_withdraw", args=[record.pk]),
        {"guardian": mary.pk, "note": "Phoned the centre"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.withdrawn_at is not None and record.withdrawn_by_guardian == mary
    assert not services.has_consent(ada, ConsentKind.PHOTO)
    assert "Withdrawn" in client.get(ada.get_absolute_url()).content.decode()


def test_the_programme_lead_publishes_a_version_and_the_centre_sees_who_is_outstanding(
    as_persona, world
):
    ada = make_child(world)
    response = as_persona("programme_lead").post(
        reverse("children:consent_form_publish", args=[world.england.pk]),
        {"kind": "research", "title": "Evaluation", "wording": "We may use …",
         "requires_reconsent": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    page = as_persona("manager_a").get(
        reverse("children:consent_campaign", args=[world.centre_a.pk])
    )
    assert "Evaluation" in page.content.decode()
    assert ada.display_name in page.content.decode()
