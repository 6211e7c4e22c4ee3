"""Refresh the evaluation engine's message template and its Spanish catalogue.

The engine is pure Python (no Django), so Django's makemessages does not see it. This
reads every ``_("...")``, ``N_("...")`` and ``ngettext("...", "...", n)`` in
``harmonia/evaluation`` (with Python's own parser, so f-strings and implicit
concatenation are read as Python reads them), writes ``evaluation.pot``, merges it
into each language's ``.po`` with GNU ``msgmerge`` and compiles the ``.mo``::

    python tools/evaluation_messages.py

Then translate the new or fuzzy entries in ``locale/es/LC_MESSAGES/evaluation.po``
and run it again."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "harmonia" / "evaluation"
LOCALE = ROOT / "locale"


def messages(root: Path = ROOT) -> dict[tuple[str, str | None], list[str]]:
    """(msgid, msgid_plural) -> where each is used."""
    found: dict[tuple[str, str | None], list[str]] = {}
    for path in sorted(root.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            args = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if node.func.id in ("_", "N_") and args and isinstance(args[0], str):
                key = (args[0], None)
            elif node.func.id == "ngettext" and len(args) >= 2:
                key = (args[0], args[1])
            else:
                continue
            found.setdefault(key, []).append(f"{path.name}:{node.lineno}")
    return found


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def pot(found) -> str:
    out = [
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Content-Transfer-Encoding: 8bit\\n"\n'
    ]
    for (msgid, plural), where in found.items():
        entry = f"#: {' '.join(where)}\n"
        if "{" in msgid:
            entry += "#, python-brace-format\n"
        entry += f"msgid {_quote(msgid)}\n"
        if plural is None:
            entry += 'msgstr ""\n'
        else:
            entry += f'msgid_plural {_quote(plural)}\nmsgstr[0] ""\nmsgstr[1] ""\n'
        out.append(entry)
    return "\n".join(out)


def main() -> int:
    template = LOCALE / "evaluation.pot"
    template.write_text(pot(messages()), encoding="utf-8")
    msgmerge, msgfmt = shutil.which("msgmerge"), shutil.which("msgfmt")
    if not (msgmerge and msgfmt):
        sys.exit("GNU gettext is needed: apt install gettext")
    for po in LOCALE.glob("*/LC_MESSAGES/evaluation.po"):
        # Our own paths and GNU gettext's tools: no outside input reaches these commands.
        merge = [msgmerge, "--quiet", "--update", "--backup=none", "--no-wrap", str(po)]
        subprocess.run([*merge, str(template)], check=True)  # noqa: S603
        compile_ = [msgfmt, "--check", "-o", str(po.with_suffix(".mo")), str(po)]
        subprocess.run(compile_, check=True)  # noqa: S603
    return 0


if __name__ == "__main__":
    sys.exit(main())
