"""Fill empty or fuzzy translations in a gettext catalogue from a JSON file.

    python tools/po_fill.py harmonia/locale/es/LC_MESSAGES/django.po translations.json

The JSON file is either an object of msgid → msgstr, or a list of objects
``{"msgctxt": …, "msgid": …, "msgstr": …}`` (``msgctxt`` optional). A plain msgid
fills only the entry WITHOUT a context: the same English word in another context
("Clear" a safeguarding status, "Clear" a filter) needs its own Spanish word, so it
is given with its ``msgctxt`` (or, in the object form, as the key
``"<msgctxt>\\u0004<msgid>"``, gettext's own separator). Plural entries take a list
of strings (one per plural form). Existing translations are kept; a filled entry
loses its fuzzy flag. Prints every msgid still untranslated, with its context.

Uses polib (pinned in pyproject's test extras), which reads and writes the format
exactly, contexts and plurals included.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

SEPARATOR = "\x04"  # gettext's context separator, as in a compiled .mo


def _table(translations) -> dict[tuple[str | None, str], str | list[str]]:
    if isinstance(translations, list):
        return {(t.get("msgctxt"), t["msgid"]): t["msgstr"] for t in translations}
    table = {}
    for key, value in translations.items():
        context, _, msgid = key.rpartition(SEPARATOR)
        table[(context or None, msgid)] = value
    return table


def _empty(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        return not entry.msgstr_plural or not all(entry.msgstr_plural.values())
    return not entry.msgstr


def fill(po_path: Path, translations) -> list[str]:
    """Fill ``po_path`` in place; return the entries still untranslated."""
    catalogue = polib.pofile(str(po_path), wrapwidth=79)
    table = _table(translations)
    missing = []
    for entry in catalogue:
        if entry.obsolete or not entry.msgid:
            continue
        if not _empty(entry) and "fuzzy" not in entry.flags:
            continue
        value = table.get((entry.msgctxt, entry.msgid))
        if value is None:
            missing.append(
                f"{entry.msgid} (context {entry.msgctxt})" if entry.msgctxt else entry.msgid
            )
            continue
        if entry.msgid_plural:
            values = value if isinstance(value, list) else [value, value]
            entry.msgstr_plural = dict(enumerate(values))
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    catalogue.save(str(po_path))
    return missing


if __name__ == "__main__":
    left = fill(Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text()))
    for msgid in left:
        print("untranslated:", msgid)
