"""Instrument photos: decoded, re-encoded and stored under a random name.

An upload is accepted only if Pillow decodes it completely as a JPEG, PNG or
WebP of sensible size. The stored file is not the upload: it is a fresh
encoding of the decoded pixels, so anything hidden in the upload (a ZIP or HTML
appended to a JPEG, a script in a comment, EXIF with the GPS position of a
school) is not kept. Orientation from EXIF is applied first, so the photo still
stands the right way up. Files are named ``instruments/photos/<random>.<ext>``
(nothing guessable, no user-supplied name) and are served only through
``instruments:instrument_photo``, which checks the access policy.
"""

from __future__ import annotations

import io
import secrets
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; larger is refused (decompression bombs)
MAX_SIDE = 2000  # stored photos are scaled down to at most this many pixels a side
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def random_photo_path(instance, filename: str) -> str:
    """``upload_to`` for instrument photos: ignores the uploaded name."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    if extension not in CONTENT_TYPES:
        extension = "jpg"
    return f"instruments/photos/{secrets.token_urlsafe(18)}.{extension}"


def reencode(upload) -> ContentFile:
    """A clean copy of an uploaded photo, or ValidationError if it is not one."""
    from PIL import Image, ImageOps

    refused = ValidationError(_("Upload a JPEG, PNG or WebP photo."), code="not_a_photo")
    if getattr(upload, "size", 0) > MAX_BYTES:
        raise ValidationError(_("The photo is larger than 5 MB."), code="too_large")
    upload.seek(0)
    raw = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as probe:
                if probe.format not in FORMATS:
                    raise refused
                if probe.width * probe.height > MAX_PIXELS:
                    raise refused
                probe.verify()  # structure and checksums
            with Image.open(io.BytesIO(raw)) as image:
                kind = image.format
                image.load()  # every pixel decodes
                image = ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a bad file
        raise refused from None
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if kind == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif kind == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=85)
    return ContentFile(out.getvalue(), name=f"photo.{FORMATS[kind]}")
