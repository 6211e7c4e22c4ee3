"""Fill empty translations in a gettext catalogue from a JSON file of msgid → msgstr.

    python tools/po_fill.py harmonia/locale/es/LC_MESSAGES/django.po translations.json

Only empty msgstr entries are filled; existing translations are kept. Plural
entries take a list of strings. Prints the msgids still untranslated.
"""

import json
import re
import sys
from pathlib import Path


def unquote(lines: list[str]) -> str:
    return "".join(json.loads(line.strip()) for line in lines)


def quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def fill(po_path: Path, translations: dict) -> list[str]:
    blocks = po_path.read_text().split("\n\n")
    missing = []
    for i, block in enumerate(blocks):
        lines = block.split("\n")
        keys = [line for line in lines if re.match(r"^(msgid|msgstr)", line)]
        if not keys:
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        parts: dict[str, list[str]] = {}
        current = None
        for line in lines:
            m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
            if m:
                current = m.group(1)
                parts[current] = [m.group(2)]
            elif current and line.startswith('"'):
                parts[current].append(line)
        msgid = unquote(parts.get("msgid", ['""']))
        if not msgid:
            continue
        plural = "msgid_plural" in parts
        empty = (
            all(unquote(v) == "" for k, v in parts.items() if k.startswith("msgstr["))
            if plural
            else unquote(parts.get("msgstr", ['""'])) == ""
        )
        if not empty and not fuzzy:
            continue
        value = translations.get(msgid)
        if value is None:
            missing.append(msgid)
            continue
        # Rebuild: keep comments and msgid lines, drop the fuzzy flag and "previous
        # msgid" notes, replace the msgstr lines.
        kept, skipping = [], False
        for line in lines:
            if line.startswith("msgstr"):
                skipping = True
                continue
            if skipping and line.startswith('"'):
                continue
            skipping = False
            kept.append(line)
        kept = [
            line.replace(", fuzzy", "") if line.startswith("#,") else line
            for line in kept
            if line != "#, fuzzy" and not line.startswith("#|")
        ]
        kept = [line for line in kept if line != "#,"]
        if plural:
            values = value if isinstance(value, list) else [value, value]
            kept += [f"msgstr[{n}] {quote(v)}" for n, v in enumerate(values)]
        else:
            kept.append(f"msgstr {quote(value)}")
        blocks[i] = "\n".join(kept)
    po_path.write_text("\n\n".join(blocks))
    return missing


if __name__ == "__main__":
    left = fill(Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text()))
    for msgid in left:
        print("untranslated:", msgid)
