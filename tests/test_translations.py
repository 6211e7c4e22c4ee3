"""Spanish, completely: every message the code and the templates can show has a
Spanish translation in the catalogue, and the compiled catalogue says the same.

The message ids are extracted the way ``make messages`` does (Django's makemessages,
so gettext/_/pgettext/ngettext in Python and {% translate %}/{% blocktranslate %}
in templates, with their contexts), but from a temporary copy of the sources into a
temporary catalogue: the real one is only read. Nothing here depends on file times,
so a fresh clone passes exactly when the catalogue is complete."""

import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "harmonia"
CATALOGUE = SOURCES / "locale/es/LC_MESSAGES/django.po"
EXTENSIONS = {".py", ".html", ".txt"}  # what makemessages reads for the "django" domain


def _key(entry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or None)


def _shown(entry) -> str:
    context = f" (context {entry.msgctxt!r})" if entry.msgctxt else ""
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
    return f"{entry.msgid!r}{context} at {where or '?'}"


def _translated(entry) -> bool:
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """Every message id in the code and templates, by makemessages into a temporary
    catalogue built from a copy of the sources."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is needed (Debian package gettext); .ci/run installs it")
    copy = tmp_path_factory.mktemp("messages") / "harmonia"

    def ignore(folder, names):
        # The evaluation engine is pure Python with its own catalogue
        # (harmonia/evaluation/locale, tests/evaluation/test_report_language.py).
        engine = Path(folder) == SOURCES
        return [
            n
            for n in names
            if n in {"locale", "__pycache__", "static"}
            or (engine and n == "evaluation")
            or (Path(folder, n).is_file() and Path(n).suffix not in EXTENSIONS)
        ]

    shutil.copytree(SOURCES, copy, ignore=ignore)
    locale = copy / "locale"
    (locale / "es" / "LC_MESSAGES").mkdir(parents=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(copy)
        from django.test import override_settings

        with override_settings(LOCALE_PATHS=[str(locale)]):
            call_command("makemessages", locale=["es"], verbosity=0)
    return polib.pofile(str(locale / "es/LC_MESSAGES/django.po"))


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(CATALOGUE))


def test_extraction_finds_the_messages_we_know_are_there(extracted):
    keys = {_key(e) for e in extracted}
    assert len(keys) > 1000
    assert ("safeguarding status", "Clear", None) in keys  # pgettext_lazy in a model
    assert (None, "Clear", None) in keys  # {% translate "Clear" %} on the children list


def test_every_message_in_the_code_has_a_spanish_translation(extracted, catalogue):
    spanish = {_key(e): e for e in catalogue if not e.obsolete}
    missing = [_shown(e) for e in extracted if _key(e) not in spanish]
    untranslated = [
        _shown(e)
        for e in extracted
        if _key(e) in spanish
        and (not _translated(spanish[_key(e)]) or "fuzzy" in spanish[_key(e)].flags)
    ]
    assert not missing, f"{len(missing)} messages missing from django.po:\n" + "\n".join(missing)
    assert not untranslated, (
        f"{len(untranslated)} messages empty or fuzzy in django.po:\n" + "\n".join(untranslated)
    )


def test_the_catalogue_has_no_fuzzy_empty_or_duplicate_entries(catalogue):
    bad = [_shown(e) for e in catalogue if not e.obsolete and e.msgid and not _translated(e)]
    fuzzy = [_shown(e) for e in catalogue if not e.obsolete and "fuzzy" in e.flags and e.msgid]
    keys = [_key(e) for e in catalogue if not e.obsolete]
    duplicates = sorted({k for k in keys if keys.count(k) > 1}, key=str)
    assert not bad, "empty translations:\n" + "\n".join(bad)
    assert not fuzzy, "fuzzy translations (msgfmt would drop them):\n" + "\n".join(fuzzy)
    assert not duplicates, f"entries given twice: {duplicates}"


def test_the_same_word_in_another_context_keeps_its_own_translation(catalogue):
    """ "Clear" a safeguarding status is not "Clear" a filter (tools/po_fill.py used to
    fill one from the other)."""
    status = catalogue.find("Clear", msgctxt="safeguarding status")
    button = catalogue.find("Clear")
    assert status is not None and button is not None
    assert status.msgstr == "En regla"
    assert button.msgstr == "Limpiar"


def test_the_compiled_catalogue_says_what_the_source_says(catalogue):
    """django.mo is committed; it must hold every translation django.po has, and no
    other — compared by content, never by file times."""
    compiled = polib.mofile(str(CATALOGUE.with_suffix(".mo")))
    translations = {_key(e): (e.msgstr, e.msgstr_plural) for e in compiled if e.msgid}
    source = {
        _key(e): (e.msgstr, e.msgstr_plural)
        for e in catalogue
        if e.msgid and not e.obsolete and "fuzzy" not in e.flags and _translated(e)
    }
    stale = sorted(str(k) for k in source.keys() ^ translations.keys())
    stale += sorted(
        str(k) for k in source.keys() & translations.keys() if source[k] != translations[k]
    )
    assert not stale, (
        "django.mo is out of date; run msgfmt -o harmonia/locale/es/LC_MESSAGES/django.mo "
        "harmonia/locale/es/LC_MESSAGES/django.po. Differences: " + "; ".join(stale[:20])
    )
