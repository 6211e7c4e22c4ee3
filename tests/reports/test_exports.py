"""The annual return as a funder and as the programme lead downloads it: the
numbers agree with the registers, and a count of 3 children never leaks."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from harmonia.ensembles.models import ATTENDED, Mark
from harmonia.reports import returns
from harmonia.reports.dashboard import HIDDEN_MARK
from harmonia.reports.models import ExportJob
from harmonia.reports.rollups import academic_year

LAMBETH = "In Harmony Lambeth"
LIVERPOOL = "In Harmony Liverpool"


def _download(client, world, persona, fmt, lang="en", **extra):
    client.force_login(world.people[persona])
    data = {"kind": "annual_return", "programme": world.england.pk, "format": fmt, "lang": lang}
    data.update(extra)
    response = client.post(reverse("reports:export_start"), data)
    assert response.status_code == 302
    job = ExportJob.objects.filter(owner=world.people[persona]).latest("id")
    assert job.state == "done", job.error
    file = client.get(reverse("reports:job_download", args=[job.pk]))
    assert file.status_code == 200
    return job, b"".join(file.streaming_content)


def _sheets(content):
    book = load_workbook(io.BytesIO(content))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}


def _row(rows, name):
    return next(r for r in rows if r and r[0] == name)


def test_the_lead_gets_numbers_that_agree_with_the_registers(client, world, registers):
    year = academic_year(registers.days[0])
    _job, content = _download(client, world, "programme_lead", "xlsx", year=year)
    sheet = _sheets(content)["Pupils reached by activity"]
    header = sheet[1]
    any_col = header.index("Any activity")
    ensembles_col = header.index("Ensembles")
    attended = Mark.objects.filter(status__in=ATTENDED, occurrence__date__year__gte=2000)
    assert _row(sheet, "All centres")[any_col] == attended.values("child").distinct().count() == 13
    assert _row(sheet, LIVERPOOL)[ensembles_col] == 10
    assert _row(sheet, LAMBETH)[any_col] == 3  # the lead runs the programme: nothing hidden


def _assert_no_three_for_lambeth(rows_by_table):
    for title, rows in rows_by_table.items():
        for row in rows:
            if row and row[0] == LAMBETH:
                assert 3 not in row and "3" not in row, (title, row)


def test_a_funder_xlsx_never_shows_three_children(client, world, registers):
    job, content = _download(client, world, "funder", "xlsx")
    assert job.suppressed
    sheets = _sheets(content)
    lambeth = _row(sheets["Pupils reached by activity"], LAMBETH)
    assert HIDDEN_MARK in lambeth
    _assert_no_three_for_lambeth(sheets)


def test_a_funder_csv_never_shows_three_children(client, world, registers):
    _job, content = _download(client, world, "funder", "csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    lambeth_rows = [r for r in rows if r and r[0] == LAMBETH]
    assert lambeth_rows and all("3" not in r for r in lambeth_rows)
    assert any(HIDDEN_MARK in r for r in lambeth_rows)


def test_a_funder_pdf_never_shows_three_children(client, world, registers):
    _job, content = _download(client, world, "funder", "pdf")
    assert content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert LAMBETH in text and HIDDEN_MARK in text
    for line in text.splitlines():
        if LAMBETH in line:
            assert " 3 " not in f" {line} ", line


def test_no_total_gives_a_hidden_count_away(world, registers):
    """Every column of children with a total has zero or at least two hidden numbers."""
    centres = [world.centre_b, world.centre_a]
    year = academic_year(registers.days[0])
    report = returns.annual_return(world.england, centres, year, suppress=True)
    checked = 0
    for table in report.tables:
        if not table.footer or table.key not in {"pupils_by_activity", "schools", "needs"}:
            continue
        for j, total in enumerate(table.footer):
            column = [row[j] for row in table.rows] + [total]
            if not all(v is None or isinstance(v, int) for v in column):
                continue  # names and percentages
            if "%" in str(table.columns[j]):
                continue
            hidden = sum(v is None for v in column)
            assert hidden != 1, (table.key, table.columns[j], column)
            checked += 1
    assert checked >= 5


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "pdf"])
def test_the_return_speaks_spanish_when_asked(client, world, registers, fmt):
    _job, content = _download(client, world, "funder", fmt, lang="es")
    if fmt == "xlsx":
        text = " ".join(str(c) for rows in _sheets(content).values() for r in rows for c in r)
    elif fmt == "csv":
        text = content.decode("utf-8-sig")
    else:
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Declaración anual de datos" in text
