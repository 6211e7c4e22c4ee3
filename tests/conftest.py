"""Named personas in a small world, shared by every test.

Centre A is Liverpool, centre B is Lambeth, both in In Harmony England; the
outsider leads another programme. Writes go through the services, as in the app.

    programme_lead   lead of England (every centre)
    funder           funder viewer of England (aggregates only)
    evaluator        evaluator of England
    manager_a        centre manager, Liverpool
    tutor_a          tutor, Liverpool
    safeguarding_a   safeguarding lead, Liverpool
    tutor_b          tutor, Lambeth (the other centre)
    outsider         programme lead of El Sistema Venezuela
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from harmonia.accounts.models import Membership, Role, User
from harmonia.programmes.models import (
    Area,
    Centre,
    Funder,
    Grant,
    LeadOrganisation,
    PartnerSchool,
    Programme,
)
from tests import demo_snapshot as snapshots
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE

PASSWORD = "correct horse battery staple"

PERSONAS = [
    "programme_lead",
    "funder",
    "evaluator",
    "manager_a",
    "tutor_a",
    "safeguarding_a",
    "tutor_b",
    "outsider",
]


@dataclass
class World:
    england: Programme
    venezuela: Programme
    centre_a: Centre
    centre_b: Centre
    centre_v: Centre
    school_a: PartnerSchool
    school_b: PartnerSchool
    area_a: Area
    organisation_a: LeadOrganisation
    funder_dfe: Funder
    grant_programme: Grant  # to the whole of England
    grant_a: Grant  # to Liverpool only
    grant_v: Grant
    people: dict[str, User]

    def __getattr__(self, name):
        people = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        raise AttributeError(name)


def _programme(name, slug, country, language):
    return Programme.objects.create(
        name=name, slug=slug, country=country, default_language=language
    )


def _centre(programme, name, area_name, org_name, decile=1):
    org = LeadOrganisation.objects.create(programme=programme, name=org_name, kind="orchestra")
    area = Area.objects.create(
        programme=programme, name=area_name, local_authority=area_name, deprivation_decile=decile
    )
    return Centre.objects.create(
        programme=programme,
        name=name,
        lead_organisation=org,
        area=area,
        opened=dt.date(2009, 9, 1),
    )


def _school(centre, name, urn):
    return PartnerSchool.objects.create(
        centre=centre,
        name=name,
        urn=urn,
        phase="primary",
        local_authority=centre.area.local_authority,
        fsm_percent=Decimal("48.5"),
        pupils=300,
    )


def _person(key, role, *, programme=None, centre=None):
    user = User.objects.create_user(
        email=f"{key.replace('_', '.')}@example.org",
        password=PASSWORD,
        full_name=key.replace("_", " ").title(),
    )
    Membership.objects.create(user=user, role=role, programme=programme, centre=centre)
    return user


def build_world() -> World:
    england = _programme("In Harmony England", "in-harmony-england", "GB", "en")
    venezuela = _programme("El Sistema Venezuela", "el-sistema-venezuela", "VE", "es")
    centre_a = _centre(england, "In Harmony Liverpool", "West Everton", "Royal Liverpool Phil")
    centre_b = _centre(england, "In Harmony Lambeth", "Stockwell", "Lambeth Council", 2)
    centre_v = _centre(venezuela, "Núcleo Montalbán", "Caracas", "FundaMusical", None)
    funder = Funder.objects.create(
        programme=england, name="Department for Education", kind="government"
    )
    funder_v = Funder.objects.create(programme=venezuela, name="BID", kind="other")
    grant_programme = Grant.objects.create(
        programme=england,
        funder=funder,
        purpose="Expansion",
        amount=Decimal("1000000"),
        start=dt.date(2012, 4, 1),
        end=dt.date(2015, 3, 31),
    )
    grant_a = Grant.objects.create(
        programme=england,
        funder=funder,
        purpose="Liverpool holiday courses",
        amount=Decimal("45000"),
        start=dt.date(2024, 9, 1),
        end=dt.date(2027, 8, 31),
    )
    grant_a.centres.set([centre_a])
    grant_v = Grant.objects.create(
        programme=venezuela,
        funder=funder_v,
        purpose="Núcleos",
        amount=Decimal("150000000"),
        currency="USD",
        start=dt.date(2008, 1, 1),
        end=dt.date(2014, 12, 31),
    )
    people = {
        "programme_lead": _person("programme_lead", Role.PROGRAMME_LEAD, programme=england),
        "funder": _person("funder", Role.FUNDER_VIEWER, programme=england),
        "evaluator": _person("evaluator", Role.EVALUATOR, programme=england),
        "manager_a": _person("manager_a", Role.CENTRE_MANAGER, centre=centre_a),
        "tutor_a": _person("tutor_a", Role.TUTOR, centre=centre_a),
        "safeguarding_a": _person("safeguarding_a", Role.SAFEGUARDING_LEAD, centre=centre_a),
        "tutor_b": _person("tutor_b", Role.TUTOR, centre=centre_b),
        "outsider": _person("outsider", Role.PROGRAMME_LEAD, programme=venezuela),
    }
    return World(
        england=england,
        venezuela=venezuela,
        centre_a=centre_a,
        centre_b=centre_b,
        centre_v=centre_v,
        school_a=_school(centre_a, "Everton Primary", "104512"),
        school_b=_school(centre_b, "Stockwell Primary", "100601"),
        area_a=centre_a.area,
        organisation_a=centre_a.lead_organisation,
        funder_dfe=funder,
        grant_programme=grant_programme,
        grant_a=grant_a,
        grant_v=grant_v,
        people=people,
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def as_persona(client, world):
    """Log the test client in as a named persona (or out, for "anonymous")."""

    def login(name: str):
        client.logout()
        if name != "anonymous":
            client.force_login(world.people[name])
        return client

    return login


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker):
    """The demo programme's rows, loaded once per session (tests/demo_snapshot.py)."""
    with django_db_blocker.unblock():
        return snapshots.take()


@pytest.fixture
def demo(db, demo_snapshot):
    """The whole demo programme (``manage.py load_demo``) in this test's database, in a
    second or two instead of a load. Inside the test's transaction for a ``db`` test;
    committed (and flushed after) when the test also uses ``transactional_db`` or
    ``live_server``. Returns In Harmony England."""
    snapshots.restore(demo_snapshot)
    return Programme.objects.get(slug="in-harmony-england")


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium, live_server):
    """A fresh browser context at phone size; ``page.base`` is the live server's URL.

    Playwright's ``wait_for_function`` polls by evaluating a string in the page, which
    our Content-Security-Policy (rightly) blocks, so these contexts bypass the CSP;
    tests/browser/test_content_security_policy.py checks the pages under the real one."""
    context = chromium.new_context(viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    page.base = live_server.url
    yield page
    context.close()


def pytest_collection_modifyitems(items):
    """A test that drives Chromium is a browser test, and a test that needs the whole
    demo is a slow one (the session's one demo load is most of a minute), wherever they
    live, marked or not: ``make test-fast`` (-m "not browser and not slow") then never
    starts the browser and never loads the demo."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "chromium" in fixtures and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)
        if "demo_snapshot" in fixtures and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)
