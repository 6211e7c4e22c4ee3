"""Editing a guardian: contact details shared by siblings, the link per child."""

from django.urls import reverse

from harmonia.audit.models import AuditEvent
from tests.children.factories import make_child, make_guardian


def test_the_manager_corrects_a_phone_number_once_for_both_siblings(as_persona, world):
    older = make_child(world, first="Ada")
    younger = make_child(world, first="Byron")
    guardian = make_guardian(older)
    link_older = older.guardian_links.get()
    younger.guardian_links.create(guardian=guardian, relationship="mother")
    client = as_persona("manager_a")
    url = reverse("children:guardian_edit", args=[older.pk, link_older.pk])
    page = client.get(url)
    assert "shared with 1 other child" in page.content.decode()
    response = client.post(
        url,
        {
            "guardian-first_name": "Mary",
            "guardian-last_name": "Lovelace",
            "guardian-email": "mary@example.org",
            "guardian-phone": "0151 999 1234",
            "guardian-preferred_language": "en",
            "link-relationship": "mother",
            "link-parental_responsibility": "on",
            "link-priority": "1",
        },
    )
    assert response.status_code == 302
    guardian.refresh_from_db()
    assert guardian.phone == "0151 999 1234"
    assert younger.guardian_links.get().guardian.phone == "0151 999 1234"
    link_older.refresh_from_db()
    assert link_older.may_collect is False  # unticked: may no longer collect
    event = AuditEvent.objects.get(action="guardian updated")
    assert event.changes["phone"] == "…"  # what changed, never the value (audit carries no names)
    assert event.actor == world.manager_a


def test_a_link_of_another_child_is_not_found_and_a_tutor_cannot_edit(as_persona, world):
    first = make_child(world, first="Ada")
    other = make_child(world, first="Cara")
    make_guardian(first)
    link = first.guardian_links.get()
    url = reverse("children:guardian_edit", args=[other.pk, link.pk])
    assert as_persona("manager_a").get(url).status_code == 404
    url = reverse("children:guardian_edit", args=[first.pk, link.pk])
    assert as_persona("tutor_a").post(url, {}).status_code == 403
