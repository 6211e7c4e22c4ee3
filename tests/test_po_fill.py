"""tools/po_fill.py fills a catalogue by message AND context: the same English word in
two contexts keeps two Spanish words ("Clear" a safeguarding status became "Limpiar"
a filter when the tool ignored msgctxt)."""

import importlib.util
from pathlib import Path

import polib

TOOL = Path(__file__).resolve().parent.parent / "tools" / "po_fill.py"

CATALOGUE = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgctxt "safeguarding status"
msgid "Clear"
msgstr ""

msgid "Clear"
msgstr ""

#, fuzzy
#| msgid "Save"
msgid "Save all"
msgstr "Guardar"

msgid "Kept"
msgstr "Conservado"

msgid "%(n)s child"
msgid_plural "%(n)s children"
msgstr[0] ""
msgstr[1] ""

msgid "Not in the file"
msgstr ""
"""


def _fill(tmp_path, translations):
    spec = importlib.util.spec_from_file_location("po_fill", TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    po = tmp_path / "django.po"
    po.write_text(CATALOGUE)
    missing = tool.fill(po, translations)
    return polib.pofile(str(po)), missing


def test_a_plain_msgid_fills_only_the_entry_without_a_context(tmp_path):
    filled, missing = _fill(
        tmp_path,
        {
            "Clear": "Limpiar",
            "Save all": "Guardar todo",
            "Kept": "Cambiado",
            "%(n)s child": ["%(n)s niño", "%(n)s niños"],
        },
    )
    assert filled.find("Clear").msgstr == "Limpiar"
    assert filled.find("Clear", msgctxt="safeguarding status").msgstr == ""
    assert filled.find("Kept").msgstr == "Conservado"  # existing translations are kept
    save = filled.find("Save all")
    assert save.msgstr == "Guardar todo" and "fuzzy" not in save.flags
    assert save.previous_msgid is None
    assert filled.find("%(n)s child").msgstr_plural == {0: "%(n)s niño", 1: "%(n)s niños"}
    assert missing == ["Clear (context safeguarding status)", "Not in the file"]


def test_a_context_is_given_with_the_message(tmp_path):
    filled, _ = _fill(
        tmp_path,
        [
            {"msgctxt": "safeguarding status", "msgid": "Clear", "msgstr": "En regla"},
            {"msgid": "Clear", "msgstr": "Limpiar"},
        ],
    )
    assert filled.find("Clear", msgctxt="safeguarding status").msgstr == "En regla"
    assert filled.find("Clear").msgstr == "Limpiar"
    filled, _ = _fill(tmp_path, {"safeguarding status\u0004Clear": "En regla"})
    assert filled.find("Clear", msgctxt="safeguarding status").msgstr == "En regla"
    assert filled.find("Clear").msgstr == ""
