"""The evaluation report in Spanish: `harmonia-evaluate estimate ... --lang es` writes the
whole report in Spanish, and every message of the engine has a Spanish entry."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from harmonia.evaluation import i18n
from harmonia.evaluation.cli import main
from harmonia.evaluation.errors import EvaluationError

from .test_cli import school_csv  # noqa: F401  (a fixture)

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "harmonia/evaluation/locale/es/LC_MESSAGES/evaluation.po"
sys.path.insert(0, str(ROOT / "tools"))
import evaluation_messages  # noqa: E402

ENGLISH = re.compile(
    r"\b(the|and|of|with|from|were|was|which|than|effect|effects|standard|Outcome|"
    r"Estimate|Caveats|Groups|rows|Page|higher|lower|treated)\b"
)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "code", "pre"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "code", "pre") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def _report(tmp_path, csv, *extra):
    report = tmp_path / "report.html"
    argv = ["estimate", str(csv), "--method", "multilevel", "--outcome", "reading"]
    argv += ["--treatment", "ih", "--covariates", "prior", "--group", "school"]
    assert main([*argv, "--report", str(report), *extra]) == 0
    return report.read_text(encoding="utf-8")


def test_the_report_in_spanish_has_no_english_left(capsys, school_csv, tmp_path):  # noqa: F811
    doc = _report(tmp_path, school_csv, "--lang", "es")
    capsys.readouterr()
    assert '<html lang="es">' in doc
    parser = _Text()
    parser.feed(doc)
    text = [p.replace(str(school_csv), "") for p in parser.parts]
    english = [p for p in text if ENGLISH.search(p)]
    assert not english, english[:10]
    joined = " ".join(text)
    assert "Hallazgos principales" in joined and "IC del 95 %" in joined
    assert "Participantes con ih = 1 obtuvieron" in joined
    assert '"Página " counter(page) " de " counter(pages)' in doc


def test_the_report_in_english_is_unchanged_by_default(capsys, school_csv, tmp_path):  # noqa: F811
    doc = _report(tmp_path, school_csv)
    capsys.readouterr()
    assert '<html lang="en">' in doc and "Key findings" in doc and "95% CI" in doc
    assert "Participants with ih = 1 scored" in doc


def test_an_unknown_language_is_refused():
    with (
        pytest.raises(EvaluationError, match="language must be one of en, es"),
        i18n.language("fr"),
    ):
        pass


def test_every_engine_message_has_a_spanish_entry(tmp_path):
    compiled = tmp_path / "evaluation.mo"
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "GNU gettext's msgfmt is needed (apt install gettext)"
    subprocess.run([msgfmt, "--check", "-o", str(compiled), str(PO)], check=True)  # noqa: S603
    with compiled.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog
    with PO.with_suffix(".mo").open("rb") as handle:
        shipped = gettext.GNUTranslations(handle)._catalog
    assert shipped == catalogue, "evaluation.mo is older than evaluation.po: run the tool"
    fuzzy = [b for b in PO.read_text(encoding="utf-8").split("\n\n") if "#, fuzzy" in b]
    assert not fuzzy, fuzzy[:3]
    missing = []
    for msgid, plural in evaluation_messages.messages():
        key = msgid if plural is None else (msgid, 0)
        if not catalogue.get(key):
            missing.append(msgid)
    assert not missing, f"no Spanish for: {missing[:10]} (python tools/evaluation_messages.py)"
