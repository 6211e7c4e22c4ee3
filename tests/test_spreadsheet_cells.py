"""No download carries a live formula: hostile names put into the data come out of
every CSV and XLSX export as text (OWASP CSV injection), and negative numbers stay
numbers. A grep keeps new writers honest."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from harmonia.reports.models import ExportJob
from tests.children.factories import make_child
from tests.staff.builders import add_staff

HYPERLINK = '=HYPERLINK("http://evil.example","x")'
DDE = "+cmd|' /C calc'!A0"
SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
TAB = "\t=1+1"
CR = "\r=1+1"
PAYLOADS = [HYPERLINK, DDE, SUM, MINUS, TAB, CR]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _assert_csv_safe(text: str, *must_contain: str):
    cells = [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]
    for cell in cells:
        assert not (cell.startswith(DANGEROUS) and not NUMBER.fullmatch(cell)), cell
    for payload in must_contain:  # the text is still there, for people to read
        assert "'" + payload in cells, payload


def _assert_xlsx_safe(content: bytes, *must_contain: str):
    book = load_workbook(io.BytesIO(content))
    values = []
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(DANGEROUS), cell.value
                    values.append(cell.value)
    for payload in must_contain:
        assert "'" + payload in values, payload


def test_the_guard_escapes_text_and_keeps_numbers_and_dates():
    import datetime as dt
    from decimal import Decimal

    from harmonia.spreadsheet_cells import safe_cell

    for payload in PAYLOADS:
        assert safe_cell(payload) == "'" + payload
    assert safe_cell(-3) == -3 and safe_cell(-1.5) == -1.5 and safe_cell(Decimal("-2")) < 0
    assert safe_cell("-3") == "-3" and safe_cell("-1.5") == "-1.5"  # a number written as text
    assert safe_cell(dt.date(2026, 1, 2)) == dt.date(2026, 1, 2)
    assert safe_cell(None) == "" and safe_cell("Ada") == "Ada" and safe_cell("a=b") == "a=b"


# The annual return a funder downloads ------------------------------------------------


def _annual_return(client, world, persona, fmt):
    client.force_login(world.people[persona])
    data = {"kind": "annual_return", "programme": world.england.pk, "format": fmt, "lang": "en"}
    assert client.post(reverse("reports:export_start"), data).status_code == 302
    job = ExportJob.objects.filter(owner=world.people[persona]).latest("id")
    assert job.state == "done", job.error
    return b"".join(client.get(reverse("reports:job_download", args=[job.pk])).streaming_content)


@pytest.fixture
def hostile_centres(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world.centre_a.name = HYPERLINK
    world.centre_a.save()
    world.centre_b.name = DDE
    world.centre_b.save()
    world.england.name = SUM
    world.england.save()
    world.school_b.name = MINUS  # the schools table
    world.school_b.save()
    return world


@pytest.mark.parametrize("persona", ["funder", "programme_lead"])
def test_the_annual_return_xlsx_has_no_live_formula(client, hostile_centres, persona):
    content = _annual_return(client, hostile_centres, persona, "xlsx")
    _assert_xlsx_safe(content, HYPERLINK, DDE, MINUS)


def test_the_annual_return_csv_has_no_live_formula(client, hostile_centres):
    content = _annual_return(client, hostile_centres, "funder", "csv")
    _assert_csv_safe(content.decode("utf-8"), HYPERLINK, DDE, MINUS)


# The children list a manager exports ---------------------------------------------------


def test_the_children_csv_has_no_live_formula(world, as_persona):
    world.school_a.name = HYPERLINK
    world.school_a.save()
    make_child(world, first=DDE, last=SUM)
    make_child(world, first=MINUS, last=TAB)
    make_child(world, first="Ada", last=CR)
    response = as_persona("manager_a").get(
        reverse("children:child_list_export", args=[world.centre_a.pk])
    )
    _assert_csv_safe(response.content.decode(), HYPERLINK, DDE, SUM, MINUS)


# The single central record -------------------------------------------------------------


def test_the_single_central_record_has_no_live_formula(world, as_persona):
    add_staff(world, DDE, role_title=SUM)
    add_staff(world, HYPERLINK, role_title=MINUS)
    client = as_persona("safeguarding_a")
    response = client.get(reverse("staff:central_record_export", args=[world.centre_a.pk, "csv"]))
    _assert_csv_safe(response.content.decode(), DDE, SUM, HYPERLINK, MINUS)
    url = reverse("staff:programme_central_record_export", args=[world.england.pk, "xlsx"])
    _assert_xlsx_safe(as_persona("programme_lead").get(url).content, DDE, SUM, HYPERLINK)


# No writer bypasses the guard ----------------------------------------------------------

WRITER = re.compile(r"\bcsv\.(writer|DictWriter)\b|\bWorkbook\s*\(|from openpyxl import Workbook")


def test_no_csv_or_xlsx_writer_bypasses_the_guard():
    root = Path(__file__).resolve().parent.parent / "harmonia"
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "spreadsheet_cells.py":
            continue
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            if WRITER.search(line):
                offenders.append(f"{path.relative_to(root.parent)}:{number}: {line.strip()}")
    assert offenders == [], (
        "Write CSV and XLSX through harmonia.spreadsheet_cells (csv_writer, workbook, "
        "append, safe_cell) so no cell can become a formula:\n" + "\n".join(offenders)
    )
