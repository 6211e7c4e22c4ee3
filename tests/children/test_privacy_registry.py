"""Subject access and erasure are complete: every app contributes through one registry.

* Every model that leads to a child (a relation to ``Child`` or ``Guardian``, or to a
  model that does, however deep) is registered for the subject access export and
  for erasure, or exempt with a reason — found by walking ``apps.get_models()``, so
  a new model cannot be forgotten.
* A child with a record in every app gets every section in the export.
* Anonymising that child leaves its names, UPN and its guardian's names and contact
  details in no text column of any model and in no file under MEDIA_ROOT, while a
  concern about two children keeps the other child's name (redacted, not deleted).
"""

import datetime as dt
import io
import json
import uuid
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models
from django.db.models import Q
from django.urls import reverse

from harmonia.children import privacy, services
from harmonia.children.models import Child, ConsentKind, Guardian, ImportLog, Status
from harmonia.ensembles.models import Occurrence
from harmonia.ensembles.register import submit_register
from harmonia.instruments import services as kit_services
from harmonia.reports.models import ExportJob
from harmonia.staff import forms as staff_forms
from harmonia.staff import services as staff_services
from harmonia.staff.models import Concern
from tests.children.factories import make_child, make_form
from tests.ensembles.conftest import build_register
from tests.instruments import builders as kit

TEXT_FIELDS = (
    models.CharField,
    models.TextField,
    models.JSONField,
    models.FileField,
)


def models_that_lead_to_a_child() -> set:
    linked = {Child, Guardian}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            if model in linked:
                continue
            for field in model._meta.get_fields():
                if field.is_relation and field.concrete and field.related_model in linked:
                    linked.add(model)
                    grew = True
                    break
    return linked


def test_every_model_that_leads_to_a_child_is_exported_and_erased():
    linked = models_that_lead_to_a_child()
    # The walk finds the models the issue names (it is not vacuous).
    labels = {m._meta.label for m in linked}
    assert {
        "ensembles.Placement",
        "ensembles.Mark",
        "instruments.Loan",
        "instruments.ArmMeasurement",
        "children.ConsentRecord",
    } <= labels
    registry = privacy.registry
    not_exported = sorted(m._meta.label for m in linked - registry.exported_models())
    assert not not_exported, f"not in the subject access export, and not exempt: {not_exported}"
    not_erased = sorted(m._meta.label for m in linked - registry.erased_models())
    assert not not_erased, f"erasure says nothing about: {not_erased}"
    stale = sorted(m._meta.label for m in registry.exported_models() - linked)
    assert not stale, f"registered for subject access but not linked to a child: {stale}"
    for model, reason in {**registry.not_exported, **registry.not_erased}.items():
        assert str(reason).strip(), f"{model._meta.label} is exempt without a reason"


# --- a child with a record in every app ----------------------------------------------

ZEB = {"first": "Zebedee", "last": "Quixote", "upn": "B801200005001"}
GUARDIAN = {
    "first_name": "Ophelia",
    "last_name": "Quarrington",
    "email": "ophelia.q@example.net",
    "phone": "07700 900123",
    "address": "12 Lark Lane\nAigburth",
}


def _concern(world, subject, account):
    form = staff_forms.ConcernForm(
        {"subject": subject, "category": "welfare", "noticed": dt.date.today().isoformat(),
         "account": account, "state": "open"}
    )  # fmt: skip
    assert form.is_valid(), form.errors
    return staff_services.record_concern(form, centre=world.centre_a, by=world.safeguarding_a)


@pytest.fixture
def zebedee(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_zebedee(world)


def make_zebedee(world) -> dict:
    """A child with a record in every app, named in other records' free text and files."""
    manager = world.manager_a
    zeb = make_child(world, first=ZEB["first"], last=ZEB["last"], upn=ZEB["upn"], by=manager,
                     status=Status.WAITING, on=dt.date.today() - dt.timedelta(days=90))  # fmt: skip
    offer = services.offer_place(zeb, on=dt.date.today() - dt.timedelta(days=80), respond_by=None,
                                 by=manager)  # fmt: skip
    services.settle_offer(offer, outcome="accepted", on=dt.date.today() - dt.timedelta(days=70),
                          by=manager)  # fmt: skip
    zeb.refresh_from_db()
    guardian = Guardian(**GUARDIAN)
    services.link_guardian(zeb, guardian, by=manager, relationship="mother")
    form = make_form(world.england, ConsentKind.PHOTO)
    record = services.record_consent(
        zeb, form=form, decision="given", guardian=guardian, method="paper", by=manager
    )
    services.withdraw_consent(
        record, by=manager, guardian=guardian, note="Ophelia Quarrington phoned for Zebedee"
    )
    services.save_sensitive(zeb, by=manager, fsm_now=True, ethnicity="WBRI")
    services.save_safety_notes(zeb, by=manager, allergies="Zebedee: peanuts")
    # An orchestra with Zebedee in it, a taken register with a note, and a correction.
    reg = build_register(world.centre_a, 2, name="Junior Strings")
    placement = reg.ensemble.placements.first()
    placement.pk = None
    placement.child = zeb
    placement.note = "Zebedee Quixote sits by the door"
    placement.save()
    occurrence = Occurrence.objects.get(pk=reg.occurrence.pk)
    occurrence.note = "Zebedee left early; Child0 Surname000 went with him"
    occurrence.save()
    roster = list(reg.ensemble.placements.values_list("child_id", flat=True))
    for status in ("present", "late"):
        marks = [{"child": pk, "status": status, "note": "Quixote's mum called"} for pk in roster]
        submit_register(occurrence, key=str(uuid.uuid4()), marks=marks, by=world.tutor_a)
    # A violin on loan, signed for by the guardian; an arm measurement.
    loan = kit.lend_to_child(world, kid=zeb)
    loan.agreement_accepted_by = "Ophelia Quarrington"
    loan.notes = "Zebedee to bring it back on Fridays"
    loan.save()
    kit_services.record_measurement(zeb, arm_length_cm=Decimal("51.5"), on=dt.date.today(),
                                    by=manager)  # fmt: skip
    # A concern about two children, and one about someone else only.
    both = _concern(
        world,
        "Zebedee Quixote and Child0 Surname000",
        "Zebedee and Child0 Surname000 arrived hungry; Ophelia says 07700 900123.",
    )
    other = _concern(world, "Child1 Surname001", "Arrived without a coat.")
    # The school's file that brought Zebedee in.
    ImportLog.objects.create(
        centre=world.centre_a, kind="csv", filename="class.csv", state=ImportLog.State.APPLIED,
        source=f"Surname,Forename,UPN\nQuixote,Zebedee,{ZEB['upn']}\nSurname000,Child0,\n",
        rows=[{"first_name": "Zebedee", "last_name": "Quixote", "upn": ZEB["upn"]}],
    )  # fmt: skip
    # Stored export files that name him (a CSV and an XLSX), and one that does not.
    book = openpyxl.Workbook()
    book.active.append(["Quixote", "Zebedee", ZEB["upn"]])
    xlsx = io.BytesIO()
    book.save(xlsx)
    for name, content in (
        ("named.csv", b"Zebedee,Quixote\n"),
        ("named.xlsx", xlsx.getvalue()),
        ("counts.csv", b"centre,children\nLiverpool,40\n"),
    ):
        job = ExportJob.objects.create(
            owner=manager, programme=world.england, kind="annual_return", format="csv",
            state="done", filename=name,
        )  # fmt: skip
        job.file.save(name, ContentFile(content))
    return {"child": zeb, "guardian": guardian, "both": both, "other": other}


def test_the_subject_access_export_has_every_section(as_persona, zebedee):
    zeb = zebedee["child"]
    client = as_persona("manager_a")
    data = json.loads(client.get(reverse("children:subject_access_json", args=[zeb.pk])).content)
    for key in privacy.registry.sections:
        assert data[key], f"the export's {key!r} section is empty"
    assert data["placements"][0]["ensemble"] == "Junior Strings"
    assert data["placements"][0]["note"] == "Zebedee Quixote sits by the door"
    assert [m["status"] for m in data["attendance"]] == ["late"]
    assert [(c["old_status"], c["new_status"]) for c in data["attendance_changes"]] == [
        ("present", "late")
    ]
    assert data["loans"][0]["agreement_accepted_by"] == "Ophelia Quarrington"
    assert data["loans"][0]["instrument"].startswith("LIV-")
    assert data["arm_measurements"][0]["arm_length_cm"] == "51.5"
    assert data["access_log"][0]["action"] == "subject_access"
    # The page a parent reads: every section under its own heading, in plain words.
    page = client.get(reverse("children:subject_access", args=[zeb.pk])).content.decode()
    for title in ("Ensembles and instruments played", "Attendance", "Instruments lent",
                  "Arm measurements", "Who looked at this record"):  # fmt: skip
        assert f">{title}</h2>" in page
    assert "Junior Strings" in page and "51.5" in page and "Late" in page
    client.cookies["django_language"] = "es"
    page = client.get(reverse("children:subject_access", args=[zeb.pk])).content.decode()
    assert "Instrumentos prestados" in page


def _identifying(zeb_values, guardian_values) -> list[str]:
    return [
        zeb_values["first"], zeb_values["last"], f"{zeb_values['first']} {zeb_values['last']}",
        zeb_values["upn"], guardian_values["first_name"], guardian_values["last_name"],
        guardian_values["email"], guardian_values["phone"], "12 Lark Lane",
        "+447700900123",  # the phone's normalised (E.164) key
    ]  # fmt: skip


def _text_columns():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, TEXT_FIELDS):
                yield model, field


def _found_in_tables(strings) -> list[str]:
    hits = []
    for model, field in _text_columns():
        condition = Q()
        for s in strings:
            condition |= Q(**{f"{field.name}__icontains": s})
            if isinstance(field, models.JSONField):
                condition |= Q(**{f"{field.name}__icontains": json.dumps(s)[1:-1]})
        for value in model._default_manager.filter(condition).values_list(field.name, flat=True):
            hits.append(f"{model._meta.label}.{field.name}: {str(value)[:80]}")
    return hits


def _found_in_files(root: Path, strings) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        texts = [data]
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                texts = [archive.read(n) for n in archive.namelist()]
        text = " ".join(t.decode("utf-8", "ignore") for t in texts).lower()
        hits += [f"{path.name}: {s}" for s in strings if s.lower() in text]
    return hits


def test_anonymising_a_child_leaves_its_names_nowhere(as_persona, world, settings, zebedee):
    zeb = zebedee["child"]
    strings = _identifying(ZEB, GUARDIAN)
    assert _found_in_tables(strings), "the test data must name the child before erasure"
    assert _found_in_files(Path(settings.MEDIA_ROOT), strings)
    response = as_persona("manager_a").post(
        reverse("children:anonymise", args=[zeb.pk]), {"confirm": "yes"}
    )
    assert response.status_code == 302
    assert _found_in_tables(strings) == []
    assert _found_in_files(Path(settings.MEDIA_ROOT), strings) == []
    # Other records keep their text, with the child's names redacted, not deleted.
    both = Concern.objects.get(pk=zebedee["both"].pk)
    assert both.subject == "[redacted] and Child0 Surname000"
    assert "arrived hungry" in both.account and "[redacted]" in both.account
    assert Concern.objects.get(pk=zebedee["other"].pk).account == "Arrived without a coat."
    occurrence = Occurrence.objects.get(ensemble__name="Junior Strings")
    assert occurrence.note == "[redacted] left early; Child0 Surname000 went with him"
    # The export that named no one is untouched; the two that did are gone.
    assert ExportJob.objects.exclude(file="").get().filename == "counts.csv"
    # What counts need stays: the marks (without notes), the loan, the equity data.
    zeb.refresh_from_db()
    assert zeb.marks.get().status == "late" and zeb.marks.get().note == ""
    assert zeb.instrument_loans.get().agreement_accepted_by == ""
    assert zeb.sensitive.ethnicity == "WBRI"


def test_a_bare_name_someone_else_has_is_kept_in_their_notes(world):
    ada = make_child(world, first="Ada", last="Byron")
    other_ada = make_child(world, first="Ada", last="King")
    concern = _concern(world, "Ada King", "Ada King and Ada Byron argued; Ada cried.")
    privacy.anonymise_child(ada, by=None)
    concern.refresh_from_db()
    assert concern.account == "Ada King and [redacted] argued; Ada cried."
    assert concern.subject == "Ada King"
    assert Child.objects.get(pk=other_ada.pk).first_name == "Ada"
