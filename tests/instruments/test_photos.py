"""Instrument photos: only real images are kept, re-encoded (no hidden payload, no
EXIF), stored under a random name, and served only to people who may see the kit."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from harmonia.instruments.models import Instrument
from tests.instruments.builders import instrument_a

HTML = b"<html><script>alert(document.cookie)</script></html>"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def jpeg(colour="red", *, exif=None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (64, 48), colour)
    if exif is not None:
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def polyglot() -> bytes:
    """A JPEG that is also a ZIP archive (with an HTML page in it) and carries HTML."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("index.html", HTML)
    return jpeg() + HTML + archive.getvalue()


def _edit_data(instrument):
    return {
        "instrument_type": instrument.instrument_type,
        "size": instrument.size,
        "make": instrument.make,
        "model_name": instrument.model_name,
        "serial_number": instrument.serial_number,
        "condition": instrument.condition,
        "value": str(instrument.value),
        "owner": instrument.owner,
        "lender_name": instrument.lender_name,
        "location": instrument.location,
        "acquired": instrument.acquired.isoformat() if instrument.acquired else "",
        "notes": instrument.notes,
    }


def upload(client, instrument, content, name="violin.jpg", content_type="image/jpeg"):
    data = _edit_data(instrument)
    data["photo"] = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(reverse("instruments:instrument_edit", args=[instrument.pk]), data)


def test_a_jpeg_zip_html_polyglot_is_stored_without_its_payload(world, as_persona):
    instrument = instrument_a(world)
    response = upload(as_persona("manager_a"), instrument, polyglot(), name="evil.html.jpg")
    assert response.status_code == 302
    instrument.refresh_from_db()
    stored = instrument.photo.open("rb").read()
    assert stored.startswith(b"\xff\xd8") and stored.rstrip(b"\x00").endswith(b"\xff\xd9")
    assert b"<script" not in stored and b"<html" not in stored and b"PK\x03\x04" not in stored
    assert not zipfile.is_zipfile(io.BytesIO(stored))
    assert "evil" not in instrument.photo.name  # a random name, not the uploaded one
    assert instrument.photo.name.startswith("instruments/photos/")
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (64, 48)


def test_metadata_such_as_gps_is_not_kept(world, as_persona):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (53.0, 24.0, 30.0)}  # GPS latitude
    instrument = instrument_a(world)
    assert upload(as_persona("manager_a"), instrument, jpeg(exif=exif.tobytes())).status_code == 302
    instrument.refresh_from_db()
    stored = instrument.photo.open("rb").read()
    assert b"PhoneMaker" not in stored and b"Exif" not in stored


@pytest.mark.parametrize(
    "content,name,content_type",
    [
        (HTML, "photo.jpg", "image/jpeg"),  # HTML dressed as a JPEG
        (jpeg()[:200], "cut.jpg", "image/jpeg"),  # a truncated image
        (b"GIF89a" + HTML, "x.gif", "image/gif"),
    ],
)
def test_files_that_are_not_whole_photos_are_refused(
    world, as_persona, content, name, content_type
):
    instrument = instrument_a(world)
    response = upload(as_persona("manager_a"), instrument, content, name, content_type)
    assert response.status_code == 200  # the form again, with the error
    assert response.context["form"].errors["photo"]
    instrument.refresh_from_db()
    assert not instrument.photo


def test_the_photo_is_served_only_to_people_who_may_see_the_instrument(world, as_persona, client):
    instrument = instrument_a(world)
    upload(as_persona("manager_a"), instrument, jpeg())
    instrument.refresh_from_db()
    url = reverse("instruments:instrument_photo", args=[instrument.pk, instrument.photo_name])
    for persona in ("manager_a", "tutor_a", "programme_lead"):
        response = as_persona(persona).get(url)
        assert response.status_code == 200, persona
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content).startswith(b"\xff\xd8")
    assert as_persona("tutor_b").get(url).status_code == 404  # another centre
    assert as_persona("outsider").get(url).status_code == 404
    assert as_persona("funder").get(url).status_code == 403  # too low a role
    assert as_persona("safeguarding_a").get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_the_instrument_page_shows_the_photo_and_a_new_photo_retires_the_old_address(
    world, as_persona, django_capture_on_commit_callbacks
):
    instrument = instrument_a(world)
    manager = as_persona("manager_a")
    upload(manager, instrument, jpeg("red"))
    instrument.refresh_from_db()
    first = reverse("instruments:instrument_photo", args=[instrument.pk, instrument.photo_name])
    first_file = instrument.photo.name
    page = manager.get(instrument.get_absolute_url()).content.decode()
    assert f'src="{first}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        upload(manager, instrument, jpeg("blue"))
    instrument = Instrument.objects.get(pk=instrument.pk)
    assert manager.get(first).status_code == 404
    assert not instrument.photo.storage.exists(first_file)  # the old file is gone
    second = reverse("instruments:instrument_photo", args=[instrument.pk, instrument.photo_name])
    assert manager.get(second).status_code == 200
