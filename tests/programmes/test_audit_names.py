"""The change log carries no child's or guardian's name (docs/permissions.md): audit
entries about people store a description and name-free changes; the log names a
child only to a viewer who may see that child; old entries are scrubbed."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from harmonia.accounts.models import Membership, Role
from harmonia.audit.models import AuditEvent
from harmonia.children import services as children_services
from harmonia.children.models import ConsentKind, ConsentRecord
from harmonia.instruments import services as instrument_services
from tests.children.factories import make_child, make_form, make_guardian
from tests.instruments import builders

NAMES = ("Ada", "Lovelace", "Mary", "mary@example.org", "0151 000 0000", "Grace Jones")


@pytest.fixture
def people_changes(world):
    ada = make_child(world, first="Ada", last="Lovelace", by=world.manager_a)
    mary = make_guardian(ada, by=world.manager_a)
    children_services.record_consent(
        ada,
        form=make_form(world.england, ConsentKind.PHOTO),
        decision=ConsentRecord.Decision.GIVEN,
        guardian=mary,
        method=ConsentRecord.Method.PAPER,
        by=world.manager_a,
    )
    builders.lend_to_child(world, kid=ada)  # the agreement accepted by "Grace Jones"
    instrument_services.record_measurement(
        ada, arm_length_cm=Decimal("48"), on=builders.TODAY, by=world.manager_a
    )
    return ada


def test_audit_entries_about_people_store_no_names(world, people_changes):
    events = AuditEvent.objects.filter(programme=world.england)
    assert events.count() >= 5
    for event in events:
        stored = f"{event.object_repr} {event.changes}"
        for name in NAMES:
            assert name not in stored, (event.action, stored)
    linked = events.get(action="guardian linked")
    assert linked.child_id == people_changes.pk
    assert linked.changes["relationship"] == "mother"  # codes are kept


def test_the_change_log_shows_the_programme_lead_no_child_or_guardian_name(
    world, as_persona, people_changes
):
    html = (
        as_persona("programme_lead")
        .get(reverse("programmes:audit_log", args=[world.england.pk]))
        .content.decode()
    )
    assert "guardian linked" in html
    for name in NAMES:
        assert name not in html


def test_the_change_log_names_the_child_to_a_lead_who_also_manages_their_centre(
    world, client, people_changes
):
    Membership.objects.create(
        user=world.programme_lead, role=Role.CENTRE_MANAGER, centre=world.centre_a
    )
    client.force_login(world.programme_lead)
    html = client.get(reverse("programmes:audit_log", args=[world.england.pk])).content.decode()
    assert "Ada Lovelace" in html
    assert "mary@example.org" not in html  # changes stay name-free for everyone


def test_the_migration_scrubs_names_from_old_entries(world, people_changes):
    guardian_link = people_changes.guardian_links.get()
    old = [
        AuditEvent.objects.create(
            action="enrolled",
            object_type="child",
            object_id=str(people_changes.pk),
            object_repr="Ada Lovelace",
            programme=world.england,
            changes={"status": "active"},
        ),
        AuditEvent.objects.create(
            action="guardian linked",
            object_type="childguardian",
            object_id=str(guardian_link.pk),
            object_repr="Mary Lovelace (Mother) — Ada Lovelace",
            programme=world.england,
            changes={"guardian": "Mary Lovelace", "phone": "0151 000 0000"},
        ),
        AuditEvent.objects.create(
            action="updated",
            object_type="centre",
            object_id=str(world.centre_a.pk),
            object_repr="In Harmony Liverpool",
            programme=world.england,
            changes={"name": "In Harmony Liverpool"},
        ),
    ]
    migration = importlib.import_module("harmonia.audit.migrations.0003_scrub_people_names")
    migration.scrub(apps, None)
    child_event, link_event, centre_event = (AuditEvent.objects.get(pk=e.pk) for e in old)
    for event in (child_event, link_event):
        for name in NAMES:
            assert name not in f"{event.object_repr} {event.changes}"
        assert event.child_id == people_changes.pk
    assert child_event.changes == {"status": "active"}
    assert centre_event.object_repr == "In Harmony Liverpool"  # not people data: kept
