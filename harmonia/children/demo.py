"""Demo children and families for ``manage.py load_demo``.

Synthetic, from Faker with a fixed seed per centre, so every run makes the same
children; a child is found by its natural key (centre, names, date of birth)
before anything is created, so loading twice changes nothing. Rows are written
directly (no audit events): this is demo data, not anyone's action.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random

from django.utils import timezone
from faker import Faker
from stdnum.gb import upn as stdnum_upn

from harmonia.children.models import (
    Child,
    ChildGuardian,
    ChildSafetyNotes,
    ChildSensitive,
    ConsentForm,
    ConsentKind,
    ConsentRecord,
    EnrolmentPeriod,
    EthnicityCode,
    FsmPeriod,
    Guardian,
    LeavingReason,
    Relationship,
    Status,
)
from harmonia.programmes.models import Programme

SEED = 2009

WORDING = {
    "en": {
        ConsentKind.PHOTO: (
            "Photography and film",
            "I agree that {programme} may take photographs and film of my child during "
            "rehearsals and concerts, and use them in printed materials, on its website and "
            "on social media. Children are never named in published images. I can withdraw "
            "this consent at any time by telling the centre.",
        ),
        ConsentKind.DATA_SHARING: (
            "Sharing information with my child's school",
            "I agree that {programme} and my child's school may share my child's name, "
            "attendance and progress in music so that they can support my child together.",
        ),
        ConsentKind.MEDICAL: (
            "Emergency medical treatment",
            "In an emergency, if I cannot be reached, I agree that staff may seek and "
            "consent to urgent medical treatment for my child on a doctor's advice.",
        ),
        ConsentKind.RESEARCH: (
            "Research and evaluation",
            "I agree that information about my child (without their name) may be used by "
            "independent researchers to evaluate the programme. Results are only ever "
            "published as totals in which no child can be identified.",
        ),
        ConsentKind.TRIPS: (
            "Trips and performances away",
            "I agree that my child may travel with staff to concerts and workshops away "
            "from the centre. The centre tells me about every trip in advance.",
        ),
    },
    "es": {
        ConsentKind.PHOTO: (
            "Fotografía y video",
            "Autorizo a {programme} a fotografiar y filmar a mi hijo o hija en ensayos y "
            "conciertos y a usar esas imágenes en sus publicaciones. Puedo retirar esta "
            "autorización en cualquier momento.",
        ),
        ConsentKind.DATA_SHARING: (
            "Compartir información con la escuela",
            "Autorizo a {programme} y a la escuela a compartir la asistencia y el progreso "
            "musical de mi hijo o hija.",
        ),
        ConsentKind.MEDICAL: (
            "Atención médica de emergencia",
            "En una emergencia, si no me localizan, autorizo al personal a buscar atención "
            "médica urgente para mi hijo o hija.",
        ),
        ConsentKind.RESEARCH: (
            "Investigación y evaluación",
            "Autorizo el uso de datos de mi hijo o hija, sin su nombre, para evaluar el "
            "programa. Solo se publican totales.",
        ),
        ConsentKind.TRIPS: (
            "Salidas y conciertos fuera del núcleo",
            "Autorizo a mi hijo o hija a viajar con el personal a conciertos y talleres.",
        ),
    },
}
# England's photo form changed this term (social media added), so a re-consent
# campaign is under way there.
PHOTO_V2_EN = (
    "I agree that {programme} may take photographs and film of my child during rehearsals "
    "and concerts, and use them in printed materials, on its website, on social media and "
    "in short videos shared by our partner orchestras. Children are never named in "
    "published images. I can withdraw this consent at any time by telling the centre."
)
ETHNICITY_MIX = [
    (EthnicityCode.WBRI, 55), (EthnicityCode.WOTH, 6), (EthnicityCode.MWBC, 5),
    (EthnicityCode.MWBA, 3), (EthnicityCode.AIND, 3), (EthnicityCode.APKN, 4),
    (EthnicityCode.ABAN, 2), (EthnicityCode.BAFR, 8), (EthnicityCode.BCRB, 4),
    (EthnicityCode.CHNE, 2), (EthnicityCode.WIRI, 2), (EthnicityCode.WROM, 1),
    (EthnicityCode.OOTH, 2), (EthnicityCode.REFU, 1), (EthnicityCode.NOBT, 2),
]  # fmt: skip
ALLERGIES = ["Peanuts", "Tree nuts", "Eggs", "Latex", "Penicillin", "Bee stings"]
MEDICAL = ["Asthma: blue inhaler kept in bag", "Type 1 diabetes: snacks allowed in sessions",
           "Epilepsy: care plan held by the centre manager", "Eczema"]  # fmt: skip
DIETARY = ["Vegetarian", "Halal", "No pork", "Gluten-free", "Dairy-free"]

# First names children born in 2014–2021 were given (ONS top names for England and
# Wales; the registro civil's common names for Venezuela), so a register reads like
# a class of primary-school children, not of their grandparents.
CHILD_NAMES = {
    "en": {
        "F": [
            "Olivia",
            "Amelia",
            "Isla",
            "Ava",
            "Mia",
            "Ivy",
            "Lily",
            "Isabella",
            "Rosie",
            "Sophia",
            "Grace",
            "Freya",
            "Willow",
            "Florence",
            "Emily",
            "Ella",
            "Poppy",
            "Evie",
            "Elsie",
            "Charlotte",
            "Evelyn",
            "Sienna",
            "Daisy",
            "Phoebe",
            "Sophie",
            "Alice",
            "Harper",
            "Matilda",
            "Ruby",
            "Maya",
            "Millie",
            "Layla",
            "Aisha",
            "Maryam",
            "Zara",
            "Amira",
            "Fatima",
            "Jessica",
            "Chloe",
            "Lola",
            "Esme",
            "Nevaeh",
            "Precious",
            "Zuzanna",
            "Amelie",
        ],
        "M": [
            "Oliver",
            "George",
            "Noah",
            "Arthur",
            "Harry",
            "Leo",
            "Muhammad",
            "Jack",
            "Charlie",
            "Oscar",
            "Jacob",
            "Henry",
            "Freddie",
            "Alfie",
            "Theo",
            "Thomas",
            "Archie",
            "Joshua",
            "Alexander",
            "James",
            "William",
            "Isaac",
            "Edward",
            "Lucas",
            "Tommy",
            "Finley",
            "Max",
            "Logan",
            "Ethan",
            "Mohammed",
            "Teddy",
            "Benjamin",
            "Arlo",
            "Joseph",
            "Harrison",
            "Elijah",
            "Adam",
            "Daniel",
            "Samuel",
            "Reggie",
            "Louie",
            "Riley",
            "Ibrahim",
            "Yusuf",
            "Kai",
            "Tyler",
            "Kacper",
            "Jayden",
        ],
    },
    "es": {
        "F": [
            "Valentina",
            "Isabella",
            "Sofía",
            "Camila",
            "Victoria",
            "Valeria",
            "Mariana",
            "Luciana",
            "Daniela",
            "Gabriela",
            "Sara",
            "Ariana",
            "Antonella",
            "Paula",
            "Samantha",
            "Fabiana",
            "Nicole",
            "María José",
            "Andrea",
            "Alejandra",
            "Aitana",
            "Emily",
            "Valery",
            "Oriana",
            "Rosangela",
            "Génesis",
            "Ashley",
        ],
        "M": [
            "Santiago",
            "Sebastián",
            "Samuel",
            "Matías",
            "Diego",
            "Daniel",
            "Gabriel",
            "Alejandro",
            "Mateo",
            "Miguel Ángel",
            "Luis Ángel",
            "Jesús",
            "Carlos",
            "Thiago",
            "Dylan",
            "Liam",
            "Adrián",
            "Ángel",
            "Juan Pablo",
            "Andrés",
            "David",
            "José Gregorio",
            "Jhonny",
            "Cristian",
            "Moisés",
            "Elías",
        ],
    },
}
VE_GUARDIAN_NAMES = {
    "F": [
        "María",
        "Yolanda",
        "Carmen",
        "Luisa",
        "Yusmary",
        "Yelitza",
        "Marisol",
        "Andreína",
        "Carolina",
        "Yuleisy",
        "Mariela",
        "Rosa",
        "Daniela",
        "Milagros",
    ],
    "M": [
        "José",
        "Luis",
        "Carlos",
        "Jesús",
        "Juan",
        "Pedro",
        "Rafael",
        "Freddy",
        "Richard",
        "Wilmer",
        "Héctor",
        "Jorge",
    ],
}
VE_SURNAMES = [
    "González",
    "Rodríguez",
    "Pérez",
    "Hernández",
    "García",
    "Martínez",
    "López",
    "Díaz",
    "Sánchez",
    "Ramírez",
    "Rojas",
    "Torres",
    "Flores",
    "Morales",
    "Castillo",
    "Mendoza",
    "Gutiérrez",
    "Medina",
    "Romero",
    "Suárez",
    "Contreras",
    "Salazar",
    "Blanco",
    "Rivas",
    "Briceño",
    "Guerrero",
    "Marcano",
    "Carrasco",
    "Villegas",
    "Montilla",
]
# DfE local authority numbers (the first three digits of a UPN after its check letter).
LA_NUMBERS = {
    "Liverpool": 341,
    "Lambeth": 208,
    "Norfolk": 926,
    "Leeds": 383,
    "Newcastle upon Tyne": 391,
    "Nottingham": 892,
    "Telford and Wrekin": 894,
}
# How many children each centre has ever enrolled (Liverpool's orchestra has 60).
CENTRE_SIZE = {"In Harmony Liverpool": 120}


def _forms(programme, language, now) -> dict[str, ConsentForm]:
    start = timezone.make_aware(dt.datetime(2023, 9, 1, 9, 0))
    current = {}
    for kind, (title, text) in WORDING[language].items():
        form, _ = ConsentForm.objects.get_or_create(
            programme=programme,
            kind=kind,
            version=1,
            defaults={"title": title, "wording": text.format(programme=programme.name),
                      "published_at": start},
        )  # fmt: skip
        current[kind] = form
    if language == "en":
        current["photo_v2"], _ = ConsentForm.objects.get_or_create(
            programme=programme,
            kind=ConsentKind.PHOTO,
            version=2,
            defaults={
                "title": WORDING["en"][ConsentKind.PHOTO][0],
                "wording": PHOTO_V2_EN.format(programme=programme.name),
                "published_at": now - dt.timedelta(days=21),
            },
        )
    return current


def _dob(rng, year_group: int, today: dt.date) -> dt.date:
    """A date of birth for National Curriculum year ``year_group`` this school year."""
    school_year = today.year if today.month >= 9 else today.year - 1
    start = dt.date(school_year - year_group - 5, 9, 1)
    return start + dt.timedelta(days=rng.randrange(365))


def _upn(rng, centre, dob: dt.date, n: int) -> str:
    """A valid UPN (python-stdnum, as the app checks it): check letter, the DfE number
    of the centre's local authority, a school number, the year it was allocated (the
    child's reception year) and a serial."""
    la = LA_NUMBERS.get(centre.area.local_authority if centre.area_id else "", 341)
    body = f"{la:03d}{2000 + rng.randrange(8000):04d}{(dob.year + 5) % 100:02d}{n:03d}"
    upn = stdnum_upn.calc_check_digit(body) + body
    stdnum_upn.validate(upn)
    return upn


def _joined(rng, today: dt.date) -> dt.date:
    """A start in September of one of the last seven school years (never after today)."""
    school_year = today.year if today.month >= 9 else today.year - 1
    joined = dt.date(school_year - rng.choice([0, 0, 1, 1, 2, 2, 3, 4, 5, 6]), 9, 1)
    joined += dt.timedelta(days=rng.randrange(50))
    while joined > today:
        joined = joined.replace(year=joined.year - 1)
    return joined


def _centre(centre, index, forms, language, today, now) -> int:
    english = language == "en"
    rng = random.Random(f"{SEED}-{centre.name}")
    faker = Faker("en_GB" if english else "es")
    faker.seed_instance(f"{SEED}-{centre.name}")
    schools = list(centre.schools.order_by("name"))
    target = CENTRE_SIZE.get(centre.name) or (rng.randrange(34, 50) if english else 30)
    created = 0
    family = None
    n = 0
    while n < target:
        # Families of one or two children; siblings share the guardian record.
        if english:
            surname = faker.last_name()
            guardian_first = (
                faker.first_name_female() if rng.random() < 0.8 else faker.first_name_male()
            )
        else:  # two surnames, as Venezuelans write them
            surname = f"{rng.choice(VE_SURNAMES)} {rng.choice(VE_SURNAMES)}"
            guardian_first = rng.choice(VE_GUARDIAN_NAMES["F" if rng.random() < 0.8 else "M"])
        relationship = (
            Relationship.MOTHER if rng.random() < 0.7 else rng.choice(
                [Relationship.FATHER, Relationship.GRANDPARENT, Relationship.FOSTER_CARER]
            )
        )  # fmt: skip
        family = {
            "first_name": guardian_first,
            "last_name": surname,
            "email": _ascii(f"{guardian_first}.{surname}.{index}{n}@example.org"),
            "phone": _demo_phone(faker.phone_number(), english, f"{index}-{n}"),
            "relationship": relationship,
        }
        size = 2 if rng.random() < 0.18 else 1
        school = rng.choice(schools) if schools else None
        fsm = rng.random() < (0.5 if english else 0.0)
        for _ in range(size):
            if n >= target:
                break
            n += 1
            sex = rng.choice(["F", "M"])
            first = rng.choice(CHILD_NAMES[language][sex])
            # Churn: children join in September of one of the last seven years (not
            # before their reception year), many stay for years, some pause, some
            # leave; the waiting list is of recent requests.
            waiting = rng.random() < 0.08
            joined = (
                today - dt.timedelta(days=20 + rng.randrange(200)) if waiting
                else _joined(rng, today)
            )  # fmt: skip
            stay = dt.timedelta(days=rng.randrange(120, 365 * 5))
            gone = not waiting and joined + stay < today - dt.timedelta(days=14)
            status = (
                Status.WAITING if waiting else
                (Status.PAUSED if rng.random() < 0.2 else Status.LEFT) if gone else
                Status.ACTIVE
            )  # fmt: skip
            if status == Status.PAUSED and joined + stay < today - dt.timedelta(days=240):
                status = Status.LEFT  # a long pause is a departure
            school_year = today.year if today.month >= 9 else today.year - 1
            earliest_year = max(1, school_year - joined.year)  # in reception when they joined
            year = rng.randrange(earliest_year, max(earliest_year, 6) + 1)
            if status == Status.WAITING:
                year = rng.randrange(1, 5)
            dob = _dob(rng, year, today)
            upn = _upn(rng, centre, dob, n) if english and rng.random() < 0.85 else ""
            values = {
                "ethnicity": rng.choices([c for c, _w in ETHNICITY_MIX],
                                         [w for _c, w in ETHNICITY_MIX])[0] if english else "",
                "sen": rng.choices(["N", "K", "E"], [80, 16, 4])[0],
                "eal": rng.random() < (0.2 if english else 0.0),
                "lac": rng.random() < 0.03,
                "allergy": rng.choice(ALLERGIES) if rng.random() < 0.1 else "",
                "medical": rng.choice(MEDICAL) if rng.random() < 0.08 else "",
                "diet": rng.choice(DIETARY) if rng.random() < 0.15 else "",
                "joined": joined,
                "preferred": first[:3] if rng.random() < 0.05 else "",
                "consent_roll": [rng.random() for _ in range(6)],
                "stay_days": stay.days,
                "reason": rng.choice(LeavingReason.values[:6]),
            }  # fmt: skip
            child, was_created = Child.objects.get_or_create(
                centre=centre,
                first_name=first,
                last_name=surname,
                date_of_birth=dob,
                defaults={
                    "sex": sex,
                    "school": school,
                    "year_group": str(year),
                    "upn": upn,
                    "status": status,
                    "preferred_name": values["preferred"],
                    "waiting_since": values["joined"] if status == Status.WAITING else None,
                },
            )
            if not was_created:
                continue
            created += 1
            _history(child, status, values, today)
            _family(child, family, centre)
            ChildSensitive.objects.create(
                child=child, ethnicity=values["ethnicity"], sen_status=values["sen"],
                eal=values["eal"], first_language="Polish" if values["eal"] else "",
                looked_after=values["lac"],
            )  # fmt: skip
            if fsm:
                FsmPeriod.objects.create(child=child, start=dt.date(2022, 9, 1), source="demo")
            if values["allergy"] or values["medical"] or values["diet"]:
                ChildSafetyNotes.objects.create(
                    child=child, allergies=values["allergy"], medical=values["medical"],
                    dietary=values["diet"],
                )  # fmt: skip
            if status != Status.WAITING:
                _consents(child, forms, values["consent_roll"], values["joined"], now)
    return created


def _history(child, status, values, today):
    joined = values["joined"]
    if status == Status.WAITING:
        EnrolmentPeriod.objects.create(child=child, status=Status.WAITING, start=joined)
        return
    EnrolmentPeriod.objects.create(
        child=child, status=Status.WAITING, start=joined - dt.timedelta(days=60), end=joined
    )
    if status == Status.ACTIVE:
        EnrolmentPeriod.objects.create(child=child, status=Status.ACTIVE, start=joined)
        return
    change = min(joined + dt.timedelta(days=values["stay_days"]), today)
    EnrolmentPeriod.objects.create(child=child, status=Status.ACTIVE, start=joined, end=change)
    reason = values["reason"] if status == Status.LEFT else ""
    EnrolmentPeriod.objects.create(child=child, status=status, start=change, leaving_reason=reason)


def _ascii(text: str) -> str:
    """An email-safe form of a name (no accents or spaces): "María Pérez" → "maria.perez"."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return plain.lower().replace(" ", "")


VE_MOBILE_PREFIXES = ["0412", "0414", "0416", "0424", "0426"]


def _demo_phone(faked: str, english: bool, key: str) -> str:
    """Faker's British numbers (Ofcom's drama ranges) for England; for Venezuela,
    Faker's Spanish locale gives Spanish numbers, so a valid Venezuelan mobile
    number is made instead, the same on every load."""
    if english:
        return faked
    digest = int(hashlib.sha256(f"{SEED}-{key}".encode()).hexdigest(), 16)
    prefix = VE_MOBILE_PREFIXES[digest % len(VE_MOBILE_PREFIXES)]
    return f"{prefix}-{digest % 10_000_000:07d}"


def _family(child, family, centre):
    guardian, _ = Guardian.objects.get_or_create(
        centre=centre,
        email=family["email"],
        defaults={k: family[k] for k in ("first_name", "last_name", "phone")},
    )
    ChildGuardian.objects.get_or_create(
        child=child, guardian=guardian, defaults={"relationship": family["relationship"]}
    )
    family["guardian"] = guardian


def _consents(child, forms, roll, joined, now):
    guardian = child.guardian_links.first().guardian
    at = timezone.make_aware(dt.datetime.combine(joined, dt.time(17, 30)))
    for i, kind in enumerate(
        [ConsentKind.PHOTO, ConsentKind.DATA_SHARING, ConsentKind.MEDICAL,
         ConsentKind.RESEARCH, ConsentKind.TRIPS]
    ):  # fmt: skip
        decision = "refused" if roll[i] < 0.1 else "given"
        ConsentRecord.objects.create(
            child=child, form=forms[kind], decision=decision, guardian=guardian,
            method="paper" if roll[i] < 0.6 else "online", decided_at=at,
        )  # fmt: skip
    if "photo_v2" in forms and roll[5] < 0.45:
        ConsentRecord.objects.create(
            child=child, form=forms["photo_v2"], decision="given", guardian=guardian,
            method="online", decided_at=now - dt.timedelta(days=int(roll[5] * 30)),
        )  # fmt: skip


def load_children_demo() -> int:
    """Children for every demo centre; returns the number of children held."""
    today = timezone.localdate()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for programme in Programme.objects.filter(slug__in=["in-harmony-england",
                                                        "el-sistema-venezuela"]):  # fmt: skip
        language = "en" if programme.country == "GB" else "es"
        forms = _forms(programme, language, now)
        for index, centre in enumerate(programme.centres.order_by("name")):
            _centre(centre, index, forms, language, today, now)
    return Child.objects.count()
