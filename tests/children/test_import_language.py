"""Import problems in the reader's language: a Spanish manager reads why a file was
refused and what is wrong on each row in Spanish; the log keeps the English record."""

from django.conf import settings
from django.urls import reverse

from harmonia.children.models import ImportLog
from tests.children.test_imports import _upload


def spanish(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    return client


def test_a_bad_upn_reads_in_spanish_and_the_record_stays_english(as_persona, world):
    client = spanish(as_persona("manager_a"))
    _upload(client, world, "one_bad_upn.ctf.xml")
    log = ImportLog.objects.get()
    page = client.get(reverse("children:import_detail", args=[log.pk])).content.decode()
    assert "A801200005001 no es un UPN válido (¿letra de control equivocada?)." in page
    assert "is not a valid UPN" not in page
    assert log.problems[0]["message"].endswith("is not a valid UPN (wrong check letter?).")
    english = as_persona("manager_a").get(reverse("children:import_detail", args=[log.pk]))
    assert "A801200005001 is not a valid UPN (wrong check letter?)." in english.content.decode()


def test_a_refused_file_says_why_in_spanish(as_persona, world):
    client = spanish(as_persona("manager_a"))
    response = _upload(client, world, "billion_laughs.xml")
    page = client.get(response["Location"]).content.decode()
    assert "se rechazó por seguridad" in page and "refused for safety" not in page
    assert "refused for safety" in ImportLog.objects.get().error


def test_a_class_list_too_wide_is_refused_in_spanish_naming_the_limit(as_persona, world):
    client = spanish(as_persona("manager_a"))
    wide = ",".join(f"c{i}" for i in range(5000)).encode() + b"\n"
    response = _upload(client, world, "wide.csv", kind="csv", content=wide)
    page = client.get(response["Location"]).content.decode()
    assert "El archivo tiene 5,000 columnas" in page and "como máximo 200" in page


def test_an_older_log_without_a_template_shows_its_english(as_persona, world):
    log = ImportLog.objects.create(
        centre=world.centre_a,
        kind="ctf",
        filename="old.xml",
        state=ImportLog.State.INVALID,
        problems=[{"row": 3, "field": "DOB", "message": "“x” is not a date."}],
        error="",
    )
    page = spanish(as_persona("manager_a")).get(reverse("children:import_detail", args=[log.pk]))
    assert "“x” is not a date." in page.content.decode()
