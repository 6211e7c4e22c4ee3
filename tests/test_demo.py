"""The demo programme: real centres, one login per role, idempotent."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from harmonia.accounts.models import User
from harmonia.demo.people import DEMO_PASSWORD, PERSONAS
from harmonia.programmes.models import Centre, Grant, PartnerSchool, Programme


def counts():
    return (
        Programme.objects.count(),
        Centre.objects.count(),
        PartnerSchool.objects.count(),
        Grant.objects.count(),
        User.objects.count(),
    )


@pytest.mark.slow
def test_loading_twice_changes_nothing(demo):
    # ``demo`` is the session's one load (tests/demo_snapshot.py); this loads it again.
    assert_guardian_phones_are_valid()  # here, not in a test of its own: a load takes seconds
    first = counts()
    names = sorted(PartnerSchool.objects.values_list("name", flat=True))
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == first
    assert sorted(PartnerSchool.objects.values_list("name", flat=True)) == names


def test_in_harmony_england_has_its_real_centres_and_lead_organisations(demo):
    england = Programme.objects.get(slug="in-harmony-england")
    leads = dict(england.centres.values_list("name", "lead_organisation__name"))
    assert leads["In Harmony Liverpool"] == "Royal Liverpool Philharmonic"
    assert leads["In Harmony Leeds"] == "Opera North"
    assert leads["In Harmony Newcastle Gateshead"] == "Sage Gateshead"
    assert leads["In Harmony Telford and Stoke-on-Trent"] == "Telford and Wrekin Music"
    assert len(leads) == 7
    funders = set(england.funders.values_list("name", flat=True))
    assert {"Department for Education", "Arts Council England"} <= funders
    assert england.grants.filter(start__year=2012, end__year=2015).exists()
    venezuela = Programme.objects.get(slug="el-sistema-venezuela")
    assert venezuela.default_language == "es"
    assert venezuela.centres.count() >= 3


def test_every_demo_login_works(demo):
    for persona in PERSONAS:
        request = RequestFactory().post("/accounts/login/")
        user = authenticate(request, username=persona.email, password=DEMO_PASSWORD)
        assert user is not None, persona.email
        assert user.memberships.filter(role=persona.role).exists()


def test_the_demo_loader_and_the_seed_refuse_production_mode(db, settings):
    settings.MODE = "production"
    before = counts()
    with pytest.raises(CommandError, match="production mode"):
        call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with pytest.raises(CommandError, match="production mode"):
        call_command("seed", "--children", "20", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == before == (0, 0, 0, 0, 0)


def assert_guardian_phones_are_valid():
    """The Venezuelan guardians have valid Venezuelan numbers; every number has its
    E.164 key."""
    import phonenumbers

    from harmonia.children.models import Guardian

    venezuelans = Guardian.objects.filter(centre__programme__country="VE")
    assert venezuelans.exists()
    for g in venezuelans:
        number = phonenumbers.parse(g.phone, "VE")
        assert phonenumbers.is_valid_number(number), g.phone
        assert phonenumbers.region_code_for_number(number) == "VE", g.phone
        assert g.phone_e164 == phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.E164
        )
    assert not Guardian.objects.filter(phone_e164="").exclude(phone="").exists()
