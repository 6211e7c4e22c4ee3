"""A tutor sees what a session needs (docs/permissions.md): name, age, year group,
school, ensembles, safety notes, the current photo consent answer and one emergency
contact; not the UPN, the exact date of birth, emails, addresses or consent history."""

import datetime as dt

import pytest

from harmonia.children import services
from harmonia.children.models import ConsentKind, ConsentRecord
from tests.children.factories import make_child, make_form, make_guardian

UPN = "B801200005001"


@pytest.fixture
def ada(world):
    child = make_child(world, upn=UPN, dob=dt.date(2016, 5, 1), by=world.manager_a)
    mother = make_guardian(child, email="mary.lovelace@example.org", by=world.manager_a)
    mother.address = "12 Secret Street, Everton"
    mother.save()
    services.save_safety_notes(child, by=world.manager_a, allergies="Severe nut allergy")
    form = make_form(world.england, ConsentKind.PHOTO)
    services.record_consent(
        child,
        form=form,
        decision=ConsentRecord.Decision.GIVEN,
        guardian=mother,
        method=ConsentRecord.Method.PAPER,
        by=world.manager_a,
    )
    return child


def _page(as_persona, persona, child):
    response = as_persona(persona).get(child.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_tutor_sees_the_safety_notes_and_one_emergency_contact(as_persona, ada):
    html = _page(as_persona, "tutor_a", ada)
    assert "Severe nut allergy" in html
    assert "Mary Lovelace" in html and "0151 000 0000" in html
    assert "Everton Primary" in html
    assert "Photo consent" in html and "Given" in html


def test_a_tutor_does_not_see_upn_date_of_birth_email_address_or_consent_history(as_persona, ada):
    html = _page(as_persona, "tutor_a", ada)
    assert UPN not in html
    assert "1 May 2016" not in html and "2016" not in html
    assert "mary.lovelace@example.org" not in html
    assert "Secret Street" not in html
    assert "Paper form" not in html  # how and when consent was given: the history


@pytest.mark.parametrize("persona", ["manager_a", "safeguarding_a"])
def test_the_manager_and_safeguarding_lead_see_the_whole_record(as_persona, ada, persona):
    html = _page(as_persona, persona, ada)
    assert UPN in html and "1 May 2016" in html
