"""Imports from schools through the pages: check whole, preview, apply all or nothing."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from harmonia.children import imports
from harmonia.children.models import (
    Child,
    ChildGuardian,
    ChildSensitive,
    FsmPeriod,
    Guardian,
    ImportLog,
)

DATA = Path(__file__).parent / "data"


def _upload(client, world, name, kind="ctf", content=None):
    content = content if content is not None else (DATA / name).read_bytes()
    return client.post(
        reverse("children:import_upload", args=[world.centre_a.pk]),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )


def _counts():
    return (Child.objects.count(), Guardian.objects.count(), ChildSensitive.objects.count(),
            FsmPeriod.objects.count(), ChildGuardian.objects.count())  # fmt: skip


def test_a_ctf_is_previewed_then_applied_and_reimporting_changes_nothing(as_persona, world):
    client = as_persona("manager_a")
    response = _upload(client, world, "everton_primary.ctf.xml")
    log = ImportLog.objects.get()
    assert response["Location"] == reverse("children:import_detail", args=[log.pk])
    assert log.state == ImportLog.State.VALIDATED and log.total == 3
    assert Child.objects.count() == 0  # nothing written before applying
    preview = client.get(response["Location"]).content.decode()
    assert "Chidi Okafor" in preview and "create a new record" in preview
    client.post(reverse("children:import_apply", args=[log.pk]))
    log.refresh_from_db()
    assert log.state == ImportLog.State.APPLIED
    assert (log.created_count, log.updated_count, log.unchanged_count) == (3, 0, 0)
    chidi = Child.objects.get(upn="B801200005001")
    assert chidi.school == world.school_a  # matched by the source school's URN
    assert chidi.year_group == "4" and chidi.sex == "M"
    assert chidi.sensitive.ethnicity == "BAFR" and chidi.sensitive.sen_status == "K"
    assert chidi.fsm_periods.get().end is None
    shiv = Child.objects.get(upn="E801200005003")
    assert shiv.preferred_name == "Shiv"
    # Siblings share the one guardian from the file.
    assert Guardian.objects.count() == 1
    assert ChildGuardian.objects.count() == 2
    before = _counts()
    _upload(client, world, "everton_primary.ctf.xml")
    again = ImportLog.objects.latest("id")
    assert (
        "match" in client.get(reverse("children:import_detail", args=[again.pk])).content.decode()
    )
    client.post(reverse("children:import_apply", args=[again.pk]))
    again.refresh_from_db()
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert _counts() == before


def test_a_changed_pupil_is_updated_not_duplicated(as_persona, world):
    client = as_persona("manager_a")
    _upload(client, world, "everton_primary.ctf.xml")
    client.post(reverse("children:import_apply", args=[ImportLog.objects.get().pk]))
    changed = (
        (DATA / "everton_primary.ctf.xml")
        .read_bytes()
        .replace(b"<NCyearActual>4</NCyearActual>", b"<NCyearActual>5</NCyearActual>")
    )
    _upload(client, world, "next-year.xml", content=changed)
    log = ImportLog.objects.latest("id")
    client.post(reverse("children:import_apply", args=[log.pk]))
    log.refresh_from_db()
    assert (log.created_count, log.updated_count, log.unchanged_count) == (0, 1, 2)
    assert Child.objects.get(upn="B801200005001").year_group == "5"
    assert Child.objects.count() == 3


def test_a_file_with_one_bad_upn_imports_nothing_and_names_the_row(as_persona, world):
    client = as_persona("manager_a")
    _upload(client, world, "one_bad_upn.ctf.xml")
    log = ImportLog.objects.get()
    assert log.state == ImportLog.State.INVALID
    assert log.problems == [
        {"row": 2, "field": "UPN",
         "message": "A801200005001 is not a valid UPN (wrong check letter?).",
         "template": "%(value)s is not a valid UPN (wrong check letter?).",
         "params": {"value": "A801200005001"}}
    ]  # fmt: skip
    page = client.get(reverse("children:import_detail", args=[log.pk])).content.decode()
    assert "A801200005001" in page and "Apply" not in page
    client.post(reverse("children:import_apply", args=[log.pk]))
    assert _counts() == (0, 0, 0, 0, 0)


def test_an_xml_bomb_is_refused_with_a_clear_error(as_persona, world):
    client = as_persona("manager_a")
    response = _upload(client, world, "billion_laughs.xml")
    log = ImportLog.objects.get()
    assert log.state == ImportLog.State.INVALID
    assert "refused for safety" in log.error
    assert "refused for safety" in client.get(response["Location"]).content.decode()
    assert _counts() == (0, 0, 0, 0, 0)


def test_malformed_and_huge_files_change_nothing(as_persona, world):
    client = as_persona("manager_a")
    _upload(client, world, "broken.xml", content=b"<CTfile><Pupil>")
    assert "not well-formed" in ImportLog.objects.get().error
    huge = b"<CTfile>" + b" " * 21 * 1024 * 1024 + b"</CTfile>"
    _upload(client, world, "huge.xml", content=huge)
    assert "limit" in ImportLog.objects.latest("id").error
    assert Child.objects.count() == 0


def test_a_csv_class_list_goes_through_column_mapping(as_persona, world):
    client = as_persona("manager_a")
    response = _upload(client, world, "class_list.csv", kind="csv")
    log = ImportLog.objects.get()
    assert response["Location"] == reverse("children:import_mapping", args=[log.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Pupil surname" in page
    response = client.post(
        response["Location"],
        {"surname": "Pupil surname", "forename": "Pupil forename", "dob": "Date of birth",
         "year_group": "Year", "upn": "UPN", "sex": "Gender", "contact_email": "Parent email"},
    )  # fmt: skip
    checked = ImportLog.objects.get()
    assert checked.state == ImportLog.State.VALIDATED and checked.total == 3
    client.post(reverse("children:import_apply", args=[checked.pk]))
    assert Child.objects.count() == 3
    assert Guardian.objects.filter(email="r.khan@example.org").count() == 1  # siblings share


def test_a_large_import_runs_as_a_background_task(as_persona, world, monkeypatch):
    monkeypatch.setattr(imports, "BACKGROUND_FROM", 2)
    calls = []
    task = imports.apply_import_task

    class Spy:
        def enqueue(self, *args):
            calls.append(args)
            return task.enqueue(*args)

    monkeypatch.setattr(imports, "apply_import_task", Spy())
    client = as_persona("manager_a")
    _upload(client, world, "everton_primary.ctf.xml")
    log = ImportLog.objects.get()
    client.post(reverse("children:import_apply", args=[log.pk]))
    assert calls == [(log.pk, world.manager_a.pk)]
    log.refresh_from_db()
    assert log.state == ImportLog.State.APPLIED
    progress = client.get(reverse("children:import_progress", args=[log.pk])).content.decode()
    assert "3 new" in progress and "hx-get" not in progress
