"""One "hours of music per child per week" everywhere (issue 11): the dashboards,
the annual return (page, CSV, XLSX, PDF), grant reports and the per-child dose an
evaluation uses give the same number for the same year, and the number is child-
hours ÷ children reached ÷ weeks delivered so far (not ÷ 39 whatever the date)."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from harmonia.programmes.models import Grant
from harmonia.reports.models import AttendanceSummary, ExportJob
from harmonia.reports.rollups import academic_year
from tests.reports.attack import csv_tables, html_tables
from tests.reports.conftest import make_children, make_ensemble, take_register

LIVERPOOL = "In Harmony Liverpool"
LAMBETH = "In Harmony Lambeth"
HOURS = "Hours per child per week"


def _weeks(days) -> int:
    return len({d.isocalendar()[:2] for d in days})


def _expected(registers, children_reached, hours_each):
    return round(children_reached * hours_each / children_reached / _weeks(registers.days), 1)


def _table(tables, title):
    return next(t for t in tables if t["title"] == title)


def _cell(table, row_name, column):
    rows = table["rows"] + table["foot"]
    row = next(r for r in rows if r[0].strip() == row_name)
    if column not in table["columns"]:
        return f"(no {column!r} column)"
    return row[table["columns"].index(column)].strip()


def _download(client, world, persona, fmt, **data):
    client.force_login(world.people[persona])
    response = client.post(reverse("reports:export_start"), {"format": fmt, "lang": "en", **data})
    assert response.status_code == 302
    job = ExportJob.objects.filter(owner=world.people[persona]).latest("id")
    assert job.state == "done", job.error
    return b"".join(client.get(reverse("reports:job_download", args=[job.pk])).streaming_content)


def _dashboard_hours(client, url):
    tables = html_tables(client.get(url).content.decode())
    return next(t for t in tables if t["columns"][:2] == ["Centre", "Reached"])


@pytest.mark.slow
@pytest.mark.parametrize("persona", ["programme_lead", "funder"])
def test_every_surface_gives_the_same_hours_per_child_per_week(client, world, registers, persona):
    year = academic_year(registers.days[0])
    # Liverpool: 10 of 12 children came to five sessions of 90 minutes.
    liverpool = _expected(registers, 10, 5 * 1.5)
    lambeth = _expected(registers, 3, 5 * 1.5)
    every = round((10 + 3) * 7.5 / (13 * _weeks(registers.days)), 1)
    shown = f"{liverpool:.1f}"
    hidden_lambeth = persona == "funder"  # three children: a funder sees [c]
    lambeth_shown = "[c]" if hidden_lambeth else f"{lambeth:.1f}"
    total_shown = "[c]" if hidden_lambeth else f"{every:.1f}"

    client.force_login(world.people[persona])
    found = {}
    # 1. The programme dashboard.
    table = _dashboard_hours(
        client, reverse("reports:programme_dashboard", args=[world.england.pk])
    )
    found["programme dashboard"] = (
        _cell(table, LIVERPOOL, "Hours / week"),
        _cell(table, LAMBETH, "Hours / week"),
        _cell(table, "All centres", "Hours / week"),
    )
    # 2. The centre dashboard (its one row).
    table = _dashboard_hours(client, reverse("reports:centre_dashboard", args=[world.centre_a.pk]))
    found["centre dashboard"] = (
        _cell(table, LIVERPOOL, "Hours / week"),
        lambeth_shown,
        total_shown,
    )
    # 3. The annual return page.
    page = client.get(reverse("reports:annual_return", args=[world.england.pk]), {"year": year})
    table = _table(html_tables(page.content.decode()), "Hours of music")
    found["annual return page"] = tuple(
        _cell(table, name, HOURS) for name in (LIVERPOOL, LAMBETH, "All centres")
    )
    # 4. Its CSV.
    ret = {"kind": "annual_return", "programme": world.england.pk, "year": year}
    table = _table(csv_tables(_download(client, world, persona, "csv", **ret)), "Hours of music")
    found["annual return CSV"] = tuple(
        _cell(table, name, HOURS) for name in (LIVERPOOL, LAMBETH, "All centres")
    )
    # 5. Its XLSX.
    sheet = load_workbook(io.BytesIO(_download(client, world, persona, "xlsx", **ret)))[
        "Hours of music"
    ]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]

    def xl(name):
        value = next(r for r in rows if r and r[0] == name)[rows[1].index(HOURS)]
        return value if isinstance(value, str) else f"{value:.1f}"

    found["annual return XLSX"] = (xl(LIVERPOOL), xl(LAMBETH), xl("All centres"))
    # 6. Its PDF.
    pdf = _download(client, world, persona, "pdf", **ret)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    section = text[text.index("Hours of music\n") :]
    section = section[: section.index("Ensembles by type")]

    def pdf_cell(name):
        line = next(li for li in section.splitlines() if li.startswith(name))
        return line.split()[-1]

    found["annual return PDF"] = (pdf_cell(LIVERPOOL), pdf_cell(LAMBETH), pdf_cell("All centres"))
    # 7. The grant report of Liverpool's grant (this year's row).
    page = client.get(reverse("reports:grant_report", args=[world.grant_a.pk]))
    table = _table(html_tables(page.content.decode()), "Spending and delivery")
    label = f"{year}/{str(year + 1)[-2:]}"
    found["grant report"] = (_cell(table, label, HOURS), lambeth_shown, total_shown)

    expected = (shown, lambeth_shown, total_shown)
    assert found == dict.fromkeys(found, expected)


def test_the_evaluation_dose_averages_to_the_centre_figure(world, registers):
    """The per-child dose (an evaluation's "dose" variable): each child's attended
    hours ÷ their centre's weeks delivered; over the children reached, its mean is
    the dashboards' number."""
    from harmonia.reports import dose

    year = academic_year(registers.days[0])
    doses = dose.per_child([c.pk for c in registers.children_a], year)
    assert len(doses) == 10  # the two who never came were not reached
    weeks = _weeks(registers.days)
    assert set(doses.values()) == {7.5 / weeks}
    row = AttendanceSummary.objects.get(centre=world.centre_a, year=year, term=0, activity="")
    assert row.weeks == weeks
    assert round(sum(doses.values()) / len(doses), 1) == dose.hours_per_child_week([row])


def test_weeks_are_weeks_delivered_so_far_not_39(world, registers):
    """A year in progress is divided by the weeks that had a session: three more
    sessions in a week of their own add one week, not a term of 13."""
    from harmonia.reports import dose

    year = academic_year(registers.days[0])
    row = AttendanceSummary.objects.get(centre=world.centre_a, year=year, term=0, activity="")
    before = row.weeks
    assert before == _weeks(registers.days) <= 2
    assert dose.hours_per_child_week([row]) == round(75 / 10 / before, 1)


def test_a_joined_late_child_counts_over_every_week_delivered(world):
    """Two weeks of rehearsals; a child who came only in the second week is one
    child reached over two weeks (documented: the dose is per child reached)."""
    from harmonia.reports import dose

    monday = dt.date(2025, 10, 6)  # two whole weeks inside the autumn term
    days = [monday, monday + dt.timedelta(days=7)]
    lead = world.programme_lead
    on = monday - dt.timedelta(days=30)
    children = make_children(world.centre_a, world.school_a, 2, "L", by=lead, on=on)
    occurrences = make_ensemble(world.england, world.centre_a, children, days, on=on)
    take_register(occurrences[0], children[:1], present=1, by=world.tutor_a)
    take_register(occurrences[1], children, present=2, by=world.tutor_a)
    row = AttendanceSummary.objects.get(centre=world.centre_a, year=2025, term=0, activity="")
    assert (row.children, row.minutes, row.weeks) == (2, 3 * 90, 2)
    assert dose.hours_per_child_week([row]) == round(4.5 / 2 / 2, 1)  # 1.1


def test_no_child_reached_is_no_data_not_zero():
    from harmonia.reports import dose

    assert dose.hours_per_child_week([]) == "—"


def test_cost_per_child_is_a_dash_without_grant_income(client, world, registers):
    Grant.objects.all().delete()
    client.force_login(world.people["programme_lead"])
    table = _dashboard_hours(
        client, reverse("reports:programme_dashboard", args=[world.england.pk])
    )
    for name in (LIVERPOOL, LAMBETH, "All centres"):
        assert _cell(table, name, "Per child") == "—"
        assert _cell(table, name, "Per child-hour") == "—"


def test_the_attendance_page_gives_the_same_hours_as_the_dashboard(client, world, registers):
    """The register's attendance page (term so far) uses the same definition: on
    the fixture both cover the same five sessions, so the same number."""
    client.force_login(world.people["manager_a"])
    html = client.get(reverse("ensembles:centre_attendance", args=[world.centre_a.pk]))
    html = html.content.decode()
    stat = html[: html.index("hours of music per child per week")]
    value = stat[stat.rindex('stat__value">') + len('stat__value">') :].split("<")[0]
    table = _dashboard_hours(client, reverse("reports:centre_dashboard", args=[world.centre_a.pk]))
    assert value == _cell(table, LIVERPOOL, "Hours / week") == f"{_expected(registers, 10, 7.5)}"
