"""Families are never joined by accident: a shared phone (a school office, a foster
agency, a landline) or a shared name is only a *possible* match, which the manager
confirms or keeps separate; siblings come only from a shared confirmed guardian.
Phone numbers are compared in E.164, for England and Venezuela alike."""

import datetime as dt
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from harmonia.children import services
from harmonia.children.models import Child, ChildGuardian, Guardian, ImportLog

DATA = Path(__file__).parent / "data"
CTF = (DATA / "everton_primary.ctf.xml").read_bytes()


def _family(world, *, phone="07700 900123", address="", first="Maria", last="Lopez"):
    child = Child(
        centre=world.centre_a, first_name="Ana", last_name=last, date_of_birth=dt.date(2016, 5, 5)
    )
    services.enrol_child(child, status="active", on=dt.date(2025, 9, 1), by=world.manager_a)
    guardian = Guardian(first_name=first, last_name=last, phone=phone, address=address)
    services.link_guardian(child, guardian, by=world.manager_a, relationship="mother")
    return child, guardian


def _upload(client, world, content=CTF):
    client.post(
        reverse("children:import_upload", args=[world.centre_a.pk]),
        {"kind": "ctf", "file": SimpleUploadedFile("everton.ctf.xml", content)},
    )
    return ImportLog.objects.latest("id")


def _siblings_on_page(client, child):
    page = client.get(child.get_absolute_url()).content.decode()
    return "Brothers and sisters" in page or "brothers and sisters" in page.lower()


def test_a_shared_phone_is_only_a_possible_match_and_kept_separate_by_default(as_persona, world):
    ana, maria = _family(world)  # the same number as Ngozi Okafor in the school's file
    client = as_persona("manager_a")
    log = _upload(client, world)
    preview = client.get(reverse("children:import_detail", args=[log.pk])).content.decode()
    assert "Possible match — confirm or keep separate" in preview
    assert 'value="" form="apply-form" checked' in preview  # the default: keep separate
    assert "the same new guardian as on row 1 (email match)" in preview  # Adaeze's mother
    client.post(reverse("children:import_apply", args=[log.pk]))
    log.refresh_from_db()
    assert log.state == ImportLog.State.APPLIED
    chidi = Child.objects.get(upn="B801200005001")
    assert not ChildGuardian.objects.filter(child=chidi, guardian=maria).exists()
    assert list(maria.child_links.values_list("child", flat=True)) == [ana.pk]
    assert not _siblings_on_page(client, ana)
    # Chidi's real sister (same guardian email in the file) is still his sister.
    page = client.get(chidi.get_absolute_url()).content.decode()
    assert "Adaeze" in page and "Ana" not in page.split("<main", 1)[-1].split("Guardians")[0]


def test_the_manager_can_confirm_a_possible_match(as_persona, world):
    ana, maria = _family(world)
    client = as_persona("manager_a")
    log = _upload(client, world)
    client.post(reverse("children:import_apply", args=[log.pk]), {"match-1:0": str(maria.pk)})
    chidi = Child.objects.get(upn="B801200005001")
    assert ChildGuardian.objects.filter(child=chidi, guardian=maria).exists()
    assert _siblings_on_page(client, ana)


def test_a_confirmation_naming_a_guardian_not_offered_is_ignored(as_persona, world):
    _family(world)
    other = Guardian.objects.create(centre=world.centre_b, first_name="Bo", last_name="B")
    client = as_persona("manager_a")
    log = _upload(client, world)
    client.post(reverse("children:import_apply", args=[log.pk]), {"match-1:0": str(other.pk)})
    assert not ChildGuardian.objects.filter(guardian=other).exists()


def test_name_phone_and_address_together_are_strong_evidence(as_persona, world):
    address = "12 Everton Road, Liverpool, L6 1AA"
    ana, ngozi = _family(world, phone="07700900123", address=address, first="Ngozi", last="Okafor")
    content = CTF.replace(
        b"<Responsible>true</Responsible>\n          <Phones>",
        b"<Responsible>true</Responsible>\n          <Address><BS7666Address><PAON>12</PAON>"
        b"<Street>Everton Road</Street><Town>Liverpool</Town></BS7666Address>"
        b"<PostCode>L6 1AA</PostCode></Address>\n          <Phones>",
        1,
    ).replace(b"ngozi.okafor@example.org", b"n.okafor@example.net")
    client = as_persona("manager_a")
    log = _upload(client, world, content)
    preview = client.get(reverse("children:import_detail", args=[log.pk])).content.decode()
    assert "same guardian as Ngozi Okafor (name, phone and address match)" in preview
    client.post(reverse("children:import_apply", args=[log.pk]))
    chidi = Child.objects.get(upn="B801200005001")
    assert ChildGuardian.objects.filter(child=chidi, guardian=ngozi).exists()


def test_a_name_alone_is_not_enough(as_persona, world):
    _ana, namesake = _family(world, phone="0151 496 0000", first="Ngozi", last="Okafor")
    client = as_persona("manager_a")
    log = _upload(client, world)
    client.post(reverse("children:import_apply", args=[log.pk]))
    assert list(namesake.child_links.values_list("child__first_name", flat=True)) == ["Ana"]


def test_phone_numbers_are_compared_in_e164(world):
    _ana, maria = _family(world, phone="07700917058")
    found = services.possible_duplicate_guardians(world.centre_a, phone="07700 917058")
    assert list(found) == [maria]
    assert list(services.possible_duplicate_guardians(world.centre_a, phone="+44 7700 917058")) == [
        maria
    ]


def test_venezuelan_numbers_are_read_in_the_venezuelan_plan(world):
    guardian = Guardian.objects.create(
        centre=world.centre_v, first_name="Rosa", last_name="Pérez", phone="0412-5550012"
    )
    assert guardian.phone_e164 == "+584125550012"
    found = services.possible_duplicate_guardians(world.centre_v, phone="+58 412 555 0012")
    assert list(found) == [guardian]


def test_an_invalid_phone_number_is_refused_naming_the_field(as_persona, world):
    ana, _maria = _family(world)
    client = as_persona("manager_a")
    response = client.post(
        reverse("children:guardian_add", args=[ana.pk]),
        {"link-relationship": "father", "link-priority": "2", "guardian-first_name": "Tom",
         "guardian-last_name": "Lopez", "guardian-phone": "12", "guardian-alternative_phone": ""},
    )  # fmt: skip
    assert response.status_code == 200
    assert "“12” is not a valid phone number for “Phone”." in response.content.decode()
    assert not Guardian.objects.filter(first_name="Tom").exists()


def test_existing_guardians_get_their_e164_numbers(world):
    from importlib import import_module

    from django.apps import apps

    _ana, maria = _family(world, phone="07700 917058")
    Guardian.objects.filter(pk=maria.pk).update(phone_e164="")
    migration = import_module("harmonia.children.migrations.0004_guardian_phone_e164")
    migration.normalise_existing_phones(apps, None)
    maria.refresh_from_db()
    assert maria.phone_e164 == "+447700917058"
