"""The demo programme: real centres, one login per role, idempotent."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django.utils import timezone

from harmonia.accounts.models import User
from harmonia.children.models import Child
from harmonia.demo.people import DEMO_PASSWORD, PERSONAS
from harmonia.ensembles.models import Ensemble, Mark, Occurrence
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
def test_loading_twice_changes_nothing_and_marks_no_register_left_untaken(demo):
    # ``demo`` is the session's one load (tests/demo_snapshot.py); this loads it again.
    assert_guardian_phones_are_valid()  # here, not in a test of its own: a load takes seconds
    # Last week's Liverpool orchestra rehearsal, as if its tutor had not taken the
    # register, and yesterday's extra rehearsal, never taken either.
    orchestra = (
        Ensemble.objects.filter(centre__name="In Harmony Liverpool", kind="orchestra")
        .order_by("pk")
        .first()
    )
    today = timezone.localdate()
    untaken = orchestra.occurrences.filter(date__lt=today - dt.timedelta(days=3)).latest("date")
    untaken.marks.all().delete()
    Occurrence.objects.filter(pk=untaken.pk).update(register_taken_at=None, register_taken_by=None)
    starts = timezone.now() - dt.timedelta(days=1)
    extra = Occurrence.objects.create(
        ensemble=orchestra, centre=orchestra.centre, date=today - dt.timedelta(days=1),
        starts_at=starts, ends_at=starts + dt.timedelta(hours=1), minutes=60,
        kind="rehearsal", title="Extra rehearsal",
    )  # fmt: skip
    first = counts()
    marks = Mark.objects.count()
    names = sorted(PartnerSchool.objects.values_list("name", flat=True))
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert counts() == first
    assert sorted(PartnerSchool.objects.values_list("name", flat=True)) == names
    assert Mark.objects.count() == marks
    # The command says what it is doing, a line per step with its counts and time.
    lines = out.getvalue().splitlines()
    children = Child.objects.count()
    assert any(
        line.strip().startswith("children, families and consents")
        and f"{children} children" in line
        and line.endswith(" s)")
        for line in lines
    ), lines
    assert any(f"{marks} marks" in line for line in lines if "registers" in line), lines
    assert any("no new marks: unchanged" in line for line in lines), lines
    for occurrence in (untaken, extra):
        occurrence.refresh_from_db()
        assert occurrence.register_taken_at is None, occurrence
        assert not occurrence.marks.exists(), occurrence


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
