"""The pure CTF and class-list adapters (no database)."""

from pathlib import Path

import pytest

from harmonia.interop import classlist, ctf
from harmonia.interop.pupils import FileRefused, check

DATA = Path(__file__).parent / "data"


def test_it_reads_header_and_pupils_of_a_ctf():
    header, pupils = ctf.read_ctf((DATA / "everton_primary.ctf.xml").read_bytes())
    assert header.document_name == "Common Transfer File"
    assert header.version == "25.0"
    assert header.source_urn == "104512"
    assert [p.upn for p in pupils] == ["B801200005001", "Q801200005002", "E801200005003"]
    chidi = pupils[0]
    assert (chidi.forename, chidi.surname, chidi.dob, chidi.sex) == (
        "Chidi", "Okafor", "2016-03-14", "M"
    )  # fmt: skip
    assert chidi.year_group == "4"
    assert chidi.ethnicity == "BAFR"
    assert chidi.sen_provision == "K"
    assert chidi.fsm == [("2022-09-05", "")]
    assert chidi.contacts[0].email == "ngozi.okafor@example.org"
    assert chidi.contacts[0].phone == "07700 900123"
    assert chidi.school_urn == "104512"


def test_older_files_with_gender_instead_of_sex_are_read():
    _header, pupils = ctf.read_ctf((DATA / "everton_primary.ctf.xml").read_bytes())
    assert pupils[2].sex == "F"
    assert pupils[2].preferred_forename == "Shiv"
    assert pupils[2].fsm == [("2020-01-06", "2023-07-21")]


def test_a_clean_file_has_no_problems():
    _header, pupils = ctf.read_ctf((DATA / "everton_primary.ctf.xml").read_bytes())
    assert check(pupils) == []


def test_a_bad_check_letter_is_named_by_row_and_field():
    _header, pupils = ctf.read_ctf((DATA / "one_bad_upn.ctf.xml").read_bytes())
    problems = check(pupils)
    assert [(p.row, p.field) for p in problems] == [(2, "UPN")]
    assert "A801200005001" in problems[0].message


def test_impossible_dates_unknown_year_groups_and_duplicates_are_all_named():
    data = (DATA / "everton_primary.ctf.xml").read_text()
    data = data.replace("2018-07-02", "2018-02-30").replace(
        "<NCyearActual>5</NCyearActual>", "<NCyearActual>Y15</NCyearActual>"
    )
    data = data.replace("E801200005003", "B801200005001")
    _header, pupils = ctf.read_ctf(data.encode())
    found = {(p.row, p.field) for p in check(pupils)}
    assert found == {(2, "DOB"), (3, "NCyearActual"), (3, "UPN")}


def test_the_billion_laughs_is_refused():
    with pytest.raises(FileRefused, match="DTD or entities"):
        ctf.read_ctf((DATA / "billion_laughs.xml").read_bytes())


def test_malformed_xml_and_wrong_documents_are_refused():
    with pytest.raises(FileRefused, match="not well-formed"):
        ctf.read_ctf(b"<CTfile><Header>")
    with pytest.raises(FileRefused, match="not a Common Transfer File"):
        ctf.read_ctf(b"<html></html>")


def test_a_huge_file_is_refused_before_parsing():
    with pytest.raises(FileRefused, match="limit"):
        ctf.read_ctf(b"<CTfile>" + b" " * 2048 + b"</CTfile>", max_bytes=1024)


def test_a_class_list_reads_through_a_column_mapping():
    text = classlist.decode((DATA / "class_list.csv").read_bytes())
    columns = classlist.headers(text)
    guessed = classlist.guess_mapping(columns)
    assert "surname" not in guessed  # "Pupil surname" needs the user's choice
    assert guessed["year_group"] == "Year"
    mapping = {**guessed, "surname": "Pupil surname", "forename": "Pupil forename",
               "dob": "Date of birth"}  # fmt: skip
    pupils = classlist.read_classlist(text, mapping)
    assert [(p.row, p.forename, p.upn) for p in pupils] == [
        (2, "Aisha", "U801200005004"),
        (3, "Yusuf", ""),
        (4, "Jack", "H801200005005"),
    ]
    assert check(pupils) == []
    assert pupils[0].dob == "2017-02-14"
    assert pupils[0].contacts[0].email == "r.khan@example.org"


def test_a_class_list_without_required_columns_is_refused():
    with pytest.raises(FileRefused, match="surname"):
        classlist.read_classlist("a,b\n1,2\n", {"forename": "a", "dob": "b"})


def test_a_contacts_address_is_read_on_one_line_or_taken_from_the_pupil():
    data = (DATA / "everton_primary.ctf.xml").read_bytes()
    data = data.replace(
        b"<Responsible>true</Responsible>\n          <Phones>",
        b"<Responsible>true</Responsible>\n          <Address><BS7666Address><PAON>12</PAON>"
        b"<Street>Everton Road</Street><Town>Liverpool</Town>"
        b"<UniquePropertyReferenceNumber>1234</UniquePropertyReferenceNumber></BS7666Address>"
        b"<PostCode>L6 1AA</PostCode></Address>\n          <Phones>",
        1,
    )
    _header, pupils = ctf.read_ctf(data)
    assert pupils[0].contacts[0].address == "12, Everton Road, Liverpool, L6 1AA"
    pupil_address = b"<Address><PostCode>L5 0AA</PostCode></Address>\n      <Contacts>"
    data = data.replace(b"<Contacts>", pupil_address, 2).replace(
        b"<Surname>Okafor</Surname>\n          <Forename>Ngozi</Forename>\n          "
        b"<Relationship>",
        b"<Surname>Okafor</Surname>\n          <Forename>Ngozi</Forename>\n          "
        b"<AddressAsPupil>true</AddressAsPupil>\n          <Relationship>",
    )
    _header, pupils = ctf.read_ctf(data)
    assert pupils[1].contacts[0].address == "L5 0AA"
