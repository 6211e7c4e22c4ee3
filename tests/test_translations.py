"""The Spanish catalogue covers every string, and the compiled catalogue is current."""

import shutil
import subprocess
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent.parent / "harmonia/locale/es/LC_MESSAGES/django.po"


def test_every_string_has_a_spanish_translation():
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "GNU gettext's msgfmt is needed (Debian package gettext); .ci/run installs it"
    result = subprocess.run(  # noqa: S603 — our own catalogue, a fixed tool
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_the_compiled_catalogue_is_newer_than_its_source():
    compiled = CATALOGUE.with_suffix(".mo")
    assert compiled.exists()
    assert compiled.stat().st_mtime >= CATALOGUE.stat().st_mtime - 1 or (
        compiled.read_bytes() == _compile()
    )


def _compile() -> bytes:
    msgfmt = shutil.which("msgfmt")
    return subprocess.run(  # noqa: S603 — our own catalogue, a fixed tool
        [msgfmt, "-o", "-", str(CATALOGUE)], capture_output=True, check=True
    ).stdout
