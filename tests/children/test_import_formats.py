"""Class lists and CTFs as schools really send them: extended ethnicity codes, year
groups written every which way, semicolon/tab CSVs in Excel's encodings, XLSX
workbooks, a remembered column mapping per school, a preview that says where the
file came from, and a limit on absurdly wide files."""

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from harmonia.children.models import Child, ChildSensitive, ColumnMapping, ImportLog
from harmonia.interop import classlist
from harmonia.interop.pupils import Pupil, check, main_ethnicity, year_group_code

DATA = Path(__file__).parent / "data"
CLASS_MAPPING = {"surname": "Surname", "forename": "Forename", "dob": "DOB", "year_group": "Year"}


def _upload(client, world, name, content, kind="csv", school=None):
    data = {"kind": kind, "file": SimpleUploadedFile(name, content)}
    if school is not None:
        data["school"] = school.pk
    return client.post(reverse("children:import_upload", args=[world.centre_a.pk]), data)


def _map_and_check(client, response, mapping=CLASS_MAPPING):
    assert response.status_code == 302, response.content.decode()[:500]
    response = client.post(response["Location"], mapping)
    return ImportLog.objects.latest("id"), response


# --- 1. DfE extended ethnicity codes ---------------------------------------------


@pytest.mark.parametrize(
    "extended, main",
    [("WENG", "WBRI"), ("WSCO", "WBRI"), ("WCOR", "WBRI"), ("WIRI", "WIRI"), ("WPOR", "WOTH"),
     ("WROR", "WROM"), ("MWAP", "MWAS"), ("MABL", "MOTH"), ("AMPK", "APKN"), ("ANEP", "AOTH"),
     ("BSOM", "BAFR"), ("BNAM", "BOTH"), ("CHKC", "CHNE"), ("OLAM", "OOTH"), ("REFU", "REFU")],
)  # fmt: skip
def test_extended_ethnicity_codes_map_to_their_main_code(extended, main):
    assert main_ethnicity(extended) == main
    pupil = Pupil(row=1, surname="A", forename="B", dob="2017-01-01", ethnicity=extended)
    assert check([pupil], today=dt.date(2026, 1, 1)) == []


def test_an_unknown_ethnicity_code_is_named_with_its_row():
    pupil = Pupil(row=7, surname="A", forename="B", dob="2017-01-01", ethnicity="ZZZZ")
    [problem] = check([pupil], today=dt.date(2026, 1, 1))
    assert (problem.row, problem.field) == (7, "Ethnicity") and "ZZZZ" in problem.message


def test_a_ctf_with_extended_codes_stores_both_and_reports_the_main_one(as_persona, world):
    content = (DATA / "everton_primary.ctf.xml").read_bytes().replace(b"BAFR", b"BNGN", 1)
    client = as_persona("manager_a")
    _upload(client, world, "everton.xml", content, kind="ctf")
    log = ImportLog.objects.get()
    assert log.state == ImportLog.State.VALIDATED, log.problems
    preview = client.get(reverse("children:import_detail", args=[log.pk])).content.decode()
    assert "Black African (BNGN)" in preview
    client.post(reverse("children:import_apply", args=[log.pk]))
    sensitive = ChildSensitive.objects.get(child__upn="B801200005001")
    assert (sensitive.ethnicity, sensitive.ethnicity_extended) == ("BAFR", "BNGN")
    # A hand edit to another main group drops the extended code that no longer fits.
    sensitive.ethnicity = "BOTH"
    sensitive.save()
    sensitive.refresh_from_db()
    assert (sensitive.ethnicity, sensitive.ethnicity_extended) == ("BOTH", "")


# --- 2. year groups as schools write them -----------------------------------------


@pytest.mark.parametrize(
    "written, code",
    [("Year 4", "4"), ("Y4", "4"), ("yr4", "4"), ("Yr 4", "4"), ("year4", "4"), ("04", "4"),
     ("4", "4"), ("R", "R"), ("Reception", "R"), ("YR", "R"), ("Year R", "R"), ("N1", "N1"),
     ("N2", "N2"), ("Nursery 1", "N1"), ("Year 13", "13"), ("X", "X"), ("Year 14", ""),
     ("Class 4", "")],
)  # fmt: skip
def test_year_groups_as_schools_write_them(written, code):
    assert year_group_code(written) == code


def test_a_class_list_with_written_year_groups_imports_and_previews_them_as_written(
    as_persona, world
):
    text = (
        "Surname,Forename,DOB,Year\n"
        "Ahmed,Zara,14/02/2018,Year 4\n"
        "Byrne,Liam,09/10/2017,yr5\n"
        "Cole,Mia,01/05/2021,Reception\n"
        "Diaz,Leo,01/05/2022,N2\n"
    )
    client = as_persona("manager_a")
    log, _response = _map_and_check(client, _upload(client, world, "y.csv", text.encode()))
    assert log.state == ImportLog.State.VALIDATED, log.problems
    preview = client.get(reverse("children:import_detail", args=[log.pk])).content.decode()
    assert "Year 4" in preview and "Reception" in preview and "Nursery 2" in preview
    assert "file: yr5" in preview  # what the school wrote, beside what it means
    assert "14 Feb 2018" in preview  # dates as people write them, not 2018-02-14
    client.post(reverse("children:import_apply", args=[log.pk]))
    years = dict(Child.objects.values_list("last_name", "year_group"))
    assert years == {"Ahmed": "4", "Byrne": "5", "Cole": "R", "Diaz": "N2"}


def test_a_year_group_that_is_not_one_is_named_with_row_and_value(as_persona, world):
    text = "Surname,Forename,DOB,Year\nAhmed,Zara,14/02/2018,Class 4\n"
    client = as_persona("manager_a")
    log, _ = _map_and_check(client, _upload(client, world, "y.csv", text.encode()))
    assert log.state == ImportLog.State.INVALID and Child.objects.count() == 0
    [problem] = log.problems
    assert problem["row"] == 2 and problem["field"] == "NCyearActual"
    assert "Class 4" in problem["message"]


# --- 3. CSVs in Excel's shapes, and XLSX ------------------------------------------


@pytest.mark.parametrize(
    "encoding, delimiter",
    [("utf-8", ","), ("utf-8-sig", ";"), ("cp1252", ";"), ("utf-16", "\t"), ("cp1252", "\t")],
)
def test_class_lists_in_every_excel_export_shape(as_persona, world, encoding, delimiter):
    rows = [["Surname", "Forename", "DOB", "Year"], ["Muñoz", "Zoë", "14/02/2018", "Y3"],
            ["O'Brien", "Seán", "09/10/2017", "Year 4"]]  # fmt: skip
    text = "\r\n".join(delimiter.join(r) for r in rows) + "\r\n"
    client = as_persona("manager_a")
    log, _ = _map_and_check(client, _upload(client, world, "list.csv", text.encode(encoding)))
    assert log.state == ImportLog.State.VALIDATED, (log.error, log.problems)
    client.post(reverse("children:import_apply", args=[log.pk]))
    assert set(Child.objects.values_list("first_name", "last_name")) == {
        ("Zoë", "Muñoz"),
        ("Seán", "O'Brien"),
    }


def test_the_sniffer_keeps_decimal_commas_inside_semicolon_fields():
    table = classlist.read_table(b"Surname;Forename;Score\nAhmed;Zara;3,5\n")
    assert table.columns == ["Surname", "Forename", "Score"] and table.delimiter == ";"


def _workbook(rows, *, formula_at=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Year 4"
    for row in rows:
        sheet.append(row)
    if formula_at:
        sheet[formula_at] = "=1+1"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_class_list_is_read_with_its_dates(as_persona, world):
    data = _workbook(
        [["Surname", "Forename", "DOB", "Year"], ["Ahmed", "Zara", dt.date(2018, 2, 14), 4],
         ["Byrne", "Liam", "09/10/2017", "Year 4"]]
    )  # fmt: skip
    client = as_persona("manager_a")
    log, _ = _map_and_check(client, _upload(client, world, "list.xlsx", data))
    assert log.state == ImportLog.State.VALIDATED, (log.error, log.problems)
    assert log.header["format"] == "xlsx" and log.header["sheet"] == "Year 4"
    client.post(reverse("children:import_apply", args=[log.pk]))
    zara = Child.objects.get(first_name="Zara")
    assert (zara.date_of_birth, zara.year_group) == (dt.date(2018, 2, 14), "4")


def test_an_xlsx_formula_is_not_worked_out_but_named(as_persona, world):
    data = _workbook(
        [["Surname", "Forename", "DOB"], ["Ahmed", "Zara", "14/02/2018"]], formula_at="B2"
    )
    client = as_persona("manager_a")
    _upload(client, world, "list.xlsx", data)
    log = ImportLog.objects.get()
    assert log.state == ImportLog.State.INVALID
    assert "row 2" in log.error and "Forename" in log.error and "=1+1" in log.error
    assert Child.objects.count() == 0


def test_a_damaged_or_zip_bomb_workbook_is_refused():
    with pytest.raises(classlist.FileRefused, match="not a readable XLSX"):
        classlist.read_table(b"PK\x03\x04 not really a zip", "list.xlsx")


# --- 4. a school's column mapping is remembered -----------------------------------


def test_a_schools_column_mapping_is_remembered_for_its_next_list(as_persona, world):
    text = b"Apellido,Nombre,Nacido,Curso\nAhmed,Zara,14/02/2018,Y4\n"
    mapping = {"surname": "Apellido", "forename": "Nombre", "dob": "Nacido", "year_group": "Curso"}
    client = as_persona("manager_a")
    first = _upload(client, world, "a.csv", text, school=world.school_a)
    page = client.get(first["Location"]).content.decode()
    assert 'value="Apellido" selected' not in page  # nothing known yet
    _map_and_check(client, first, mapping)
    assert ColumnMapping.objects.get(school=world.school_a).mapping == mapping
    second = _upload(client, world, "b.csv", text, school=world.school_a)
    page = client.get(second["Location"]).content.decode()
    for column in mapping.values():
        assert f'value="{column}" selected' in page
    assert "Filled in with the columns chosen for Everton Primary" in page
    log, _ = _map_and_check(client, second, mapping)
    assert log.school == world.school_a and log.state == ImportLog.State.VALIDATED


# --- 5. the preview shows where the file came from --------------------------------


def test_the_ctf_preview_names_the_source_school_contacts_and_summaries(as_persona, world):
    client = as_persona("manager_a")
    ctf_file = (DATA / "everton_primary.ctf.xml").read_bytes()
    _upload(client, world, "everton_primary.ctf.xml", ctf_file, kind="ctf")
    log = ImportLog.objects.get()
    page = client.get(reverse("children:import_detail", args=[log.pk])).content.decode()
    for expected in ("Everton Primary", "URN 104512", "340/2105", "version 25.0",
                     "partial (some pupils)", "15 Sep 2025", "Free school meals",
                     "SEN support", "Parents and carers", "Year 4"):  # fmt: skip
        assert expected in page, expected
    assert log.school == world.school_a


def test_the_class_list_preview_shows_the_file_header_and_format(as_persona, world):
    text = "Surname;Forename;DOB;Year\nMuñoz;Zoë;14/02/2018;Y3\n".encode("cp1252")
    client = as_persona("manager_a")
    log, _ = _map_and_check(client, _upload(client, world, "l.csv", text, school=world.school_a))
    page = client.get(reverse("children:import_detail", args=[log.pk])).content.decode()
    assert "semicolon-separated, cp1252" in page and "<code>Forename</code>" in page
    assert "Everton Primary" in page


# --- 6. a 5,000-column file -------------------------------------------------------


def test_a_five_thousand_column_csv_is_refused_at_once_naming_the_limit(as_persona, world):
    header = ",".join(f"Column {i}" for i in range(5000))
    client = as_persona("manager_a")
    response = _upload(client, world, "wide.csv", (header + "\n" + "x," * 4999 + "x\n").encode())
    log = ImportLog.objects.get()
    assert log.state == ImportLog.State.INVALID and log.source == ""
    assert "5,000 columns" in log.error and f"at most {classlist.MAX_COLUMNS}" in log.error
    page = client.get(response["Location"]).content.decode()
    assert "at most 200" in page and len(page) < 60_000


def test_the_mapping_page_of_the_widest_allowed_file_stays_small(
    as_persona, world, django_assert_max_num_queries
):
    header = ",".join(["Surname", "Forename", "DOB"] + [f"Extra {i}" for i in range(197)])
    client = as_persona("manager_a")
    response = _upload(client, world, "wide.csv", (header + "\n").encode())
    with django_assert_max_num_queries(8):
        page = client.get(response["Location"]).content.decode()
    # 15 fields × 200 columns: the page grows with the columns, bounded by the cap.
    assert page.count("<option") == 15 * 201 and len(page) < 600_000
