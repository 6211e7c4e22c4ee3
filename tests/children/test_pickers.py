"""Long pickers (the child on the lend form, an existing guardian) can be searched, and
a new contact may not collect the child until someone says so."""

import re

from django.urls import reverse

from tests.children.factories import make_child, make_guardian
from tests.instruments.builders import agreement, delivery


def test_a_new_contact_may_not_collect_the_child_until_ticked(as_persona, world):
    child = make_child(world)
    page = as_persona("manager_a").get(reverse("children:guardian_add", args=[child.pk]))
    html = page.content.decode()
    checkbox = re.search(r'<input[^>]*name="link-may_collect"[^>]*>', html).group(0)
    assert "checked" not in checkbox
    assert "Tick only when the family has said this person may collect the child." in html


def test_adding_a_contact_without_ticking_records_may_not_collect(as_persona, world):
    from harmonia.children.models import ChildGuardian

    child = make_child(world)
    as_persona("manager_a").post(
        reverse("children:guardian_add", args=[child.pk]),
        {
            "link-relationship": "grandparent",
            "link-priority": 2,
            "guardian-first_name": "Rose",
            "guardian-last_name": "Lovelace",
            "guardian-phone": "0151 496 0001",
        },
    )
    link = ChildGuardian.objects.get(child=child, guardian__first_name="Rose")
    assert link.may_collect is False


def test_the_existing_guardian_picker_is_searchable(as_persona, world):
    sister = make_child(world, first="Grace")
    make_guardian(sister)
    child = make_child(world)
    html = (
        as_persona("manager_a")
        .get(reverse("children:guardian_add", args=[child.pk]))
        .content.decode()
    )
    select = re.search(r'<select[^>]*name="link-existing"[^>]*>', html).group(0)
    assert "data-searchable" in select
    assert 'data-search-label="Find a guardian: type part of a name"' in select
    assert "harmonia/searchable-select" in html


def test_the_child_picker_on_the_lend_form_is_searchable(as_persona, world):
    agreement(world)
    make_child(world)
    instrument = delivery(world, 1)[0]
    html = (
        as_persona("manager_a")
        .get(reverse("instruments:lend", args=[instrument.pk]))
        .content.decode()
    )
    select = re.search(r'<select[^>]*name="child"[^>]*>', html).group(0)
    assert "data-searchable" in select
    assert "Ada Lovelace" in html  # every child is still a plain option without JavaScript
