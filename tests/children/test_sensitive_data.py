"""Special-category data is apart and role-restricted: pages, search, filters, exports."""

import datetime as dt

from django.urls import reverse

from harmonia.children import services
from harmonia.children.models import ChildSensitive
from tests.children.factories import make_child


def _ada_with_everything(world):
    ada = make_child(world)
    services.save_sensitive(
        ada, by=None, fsm_now=True, ethnicity="WBRI", sen_status="E", eal=True,
        first_language="Polish", looked_after=True, care_authority="Liverpool",
    )  # fmt: skip
    services.save_safety_notes(
        ada, by=None, medical="Asthma: inhaler in bag", allergies="Peanuts", dietary="Halal"
    )
    return ada


def test_sensitive_data_is_stored_apart(world):
    ada = _ada_with_everything(world)
    assert ChildSensitive.objects.get(child=ada).ethnicity == "WBRI"
    assert ada.fsm_periods.get().end is None
    assert not hasattr(type(ada), "ethnicity")


def test_a_tutor_sees_safety_notes_but_never_ethnicity_fsm_or_sen(as_persona, world):
    ada = _ada_with_everything(world)
    page = as_persona("tutor_a").get(ada.get_absolute_url()).content.decode()
    assert "Peanuts" in page and "Asthma" in page
    for secret in ("WBRI", "White — British", "Free school meals", "Education, health",
                   "Looked after", "Polish"):  # fmt: skip
        assert secret not in page, secret


def test_the_manager_and_safeguarding_lead_see_special_category_data(as_persona, world):
    ada = _ada_with_everything(world)
    for persona in ("manager_a", "safeguarding_a"):
        page = as_persona(persona).get(ada.get_absolute_url()).content.decode()
        assert "WBRI" in page and "Education, health and care plan" in page
        assert "Peanuts" in page


def test_a_tutor_searching_or_filtering_on_special_category_data_finds_nothing(as_persona, world):
    _ada_with_everything(world)
    url = reverse("children:child_list", args=[world.centre_a.pk])
    client = as_persona("tutor_a")
    page = client.get(url, {"q": "WBRI"}).content.decode()
    assert "Ada" not in page and "0 children" in page
    page = client.get(url).content.decode()
    assert 'name="fsm"' not in page  # no FSM filter for a tutor
    # A hand-made FSM filter is ignored: the tutor learns nothing from it.
    with_fsm = client.get(url, {"fsm": "yes"}).content.decode()
    without = client.get(url, {"fsm": "no"}).content.decode()
    assert "Ada Lovelace" in with_fsm and "Ada Lovelace" in without


def test_the_manager_filters_by_fsm(as_persona, world):
    _ada_with_everything(world)
    make_child(world, first="Bob", dob=dt.date(2017, 1, 1))
    url = reverse("children:child_list", args=[world.centre_a.pk])
    client = as_persona("manager_a")
    page = client.get(url, {"fsm": "yes"}).content.decode()
    assert "Ada Lovelace" in page and "Bob Lovelace" not in page
    page = client.get(url, {"fsm": "no"}).content.decode()
    assert "Ada Lovelace" not in page and "Bob Lovelace" in page
    # Search never looks at ethnicity, even for a manager.
    assert "Ada Lovelace" not in client.get(url, {"q": "WBRI"}).content.decode()


def test_exports_and_equity_edits_are_for_the_manager_only(as_persona, world):
    ada = _ada_with_everything(world)
    for persona in ("tutor_a", "safeguarding_a"):
        client = as_persona(persona)
        assert client.get(reverse("children:subject_access_json", args=[ada.pk])).status_code == 403
        export = reverse("children:child_list_export", args=[world.centre_a.pk])
        assert client.get(export).status_code == 403
        assert client.get(reverse("children:sensitive_edit", args=[ada.pk])).status_code == 403
    csv = as_persona("manager_a").get(
        reverse("children:child_list_export", args=[world.centre_a.pk])
    )
    body = csv.content.decode()
    assert "Lovelace" in body and "WBRI" not in body  # the list export carries no special data


def test_the_manager_edits_equity_data_and_fsm_history_is_kept(as_persona, world):
    ada = make_child(world)
    client = as_persona("manager_a")
    url = reverse("children:sensitive_edit", args=[ada.pk])
    data = {"ethnicity": "MWBC", "sen_status": "K", "fsm_now": "on"}
    assert client.post(url, data).status_code == 302
    assert ada.fsm_periods.filter(end__isnull=True).count() == 1
    assert client.post(url, {**data, "fsm_now": ""}).status_code == 302
    assert ada.fsm_periods.filter(end__isnull=False).count() == 1
    assert ChildSensitive.objects.get(child=ada).ethnicity == "MWBC"
