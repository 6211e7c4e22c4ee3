"""The demo programme's people: one login per role, all with one password."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from harmonia.accounts.models import Role

DEMO_PASSWORD = "harmonia-demo"  # noqa: S105 — printed on the demo login page on purpose


@dataclass(frozen=True)
class Persona:
    email: str
    full_name: str
    role: str
    programme: str  # programme slug
    centre: str | None = None  # centre name, for centre roles
    language: str = "en"


PERSONAS = [
    Persona("lead@inharmony.demo", "Helen Ashworth", Role.PROGRAMME_LEAD, "in-harmony-england"),
    Persona("funder@inharmony.demo", "Rajesh Patel", Role.FUNDER_VIEWER, "in-harmony-england"),
    Persona("evaluator@inharmony.demo", "Dr Fiona McLeod", Role.EVALUATOR, "in-harmony-england"),
    Persona(
        "manager.liverpool@inharmony.demo",
        "Siobhan Kelly",
        Role.CENTRE_MANAGER,
        "in-harmony-england",
        "In Harmony Liverpool",
    ),
    Persona(
        "tutor.liverpool@inharmony.demo",
        "Tom Whitfield",
        Role.TUTOR,
        "in-harmony-england",
        "In Harmony Liverpool",
    ),
    Persona(
        "safeguarding.liverpool@inharmony.demo",
        "Grace Okafor",
        Role.SAFEGUARDING_LEAD,
        "in-harmony-england",
        "In Harmony Liverpool",
    ),
    Persona(
        "tutor.lambeth@inharmony.demo",
        "Kwame Mensah",
        Role.TUTOR,
        "in-harmony-england",
        "In Harmony Lambeth",
    ),
    Persona(
        "coordinacion@elsistema.demo",
        "María Fernanda Rojas",
        Role.PROGRAMME_LEAD,
        "el-sistema-venezuela",
        language="es",
    ),
    Persona(
        "tutor.montalban@elsistema.demo",
        "José Gregorio Pérez",
        Role.TUTOR,
        "el-sistema-venezuela",
        "Núcleo Montalbán",
        language="es",
    ),
]

ROLE_HINTS = {
    Role.PROGRAMME_LEAD: _("runs the whole programme"),
    Role.FUNDER_VIEWER: _("sees aggregates only"),
    Role.EVALUATOR: _("pseudonymised research data"),
    Role.CENTRE_MANAGER: _("runs one centre"),
    Role.TUTOR: _("takes registers"),
    Role.SAFEGUARDING_LEAD: _("the concern log"),
}


PROGRAMME_NAMES = {
    "in-harmony-england": "In Harmony England",
    "el-sistema-venezuela": "El Sistema Venezuela",
}


def demo_logins() -> list[dict]:
    labels = dict(Role.choices)
    return [
        {
            "email": p.email,
            "name": p.full_name,
            "role": labels[p.role],
            "hint": ROLE_HINTS[p.role],
            "where": p.centre or PROGRAMME_NAMES[p.programme],
        }
        for p in PERSONAS
    ]
