"""Staff list, records, checks, the central record and its exports."""

import csv
import datetime as dt
import io

from django.urls import reverse
from openpyxl import load_workbook

from harmonia.staff.models import SafeguardingCheck, StaffMember
from tests.staff.builders import TODAY, add_staff, fully_checked


def test_the_list_shows_who_needs_attention(world, as_persona):
    fully_checked(world, "Larry Lapsed", dbs_issued=TODAY - dt.timedelta(days=4 * 365))
    fully_checked(world, "Clara Clear")
    page = as_persona("manager_a").get(reverse("staff:staff_list", args=[world.centre_a.pk]))
    attention = page.content.decode().split("Needs attention")[1].split("</section>")[0]
    assert "Larry Lapsed" in attention and "Clara Clear" not in attention


def test_list_queries_do_not_grow_with_the_team(world, as_persona, django_assert_num_queries):
    client = as_persona("manager_a")
    url = reverse("staff:staff_list", args=[world.centre_a.pk])
    fully_checked(world, "One")
    client.get(url)
    # session, user, centre (get_for), memberships (caps), the staff with their status
    with django_assert_num_queries(5):
        client.get(url)
    for i in range(12):
        fully_checked(world, f"Person {i}")
    with django_assert_num_queries(5):
        response = client.get(url)
    assert response.content.decode().count("badge--clear") == 13


def test_a_manager_adds_staff_and_records_a_dbs(world, as_persona):
    client = as_persona("manager_a")
    response = client.post(
        reverse("staff:staff_create", args=[world.centre_a.pk]),
        {
            "full_name": "Vera Volunteer",
            "staff_type": "volunteer",
            "ensembles": "Junior strings",
            "contracted_hours": "0",
            "user_email": world.tutor_a.email,
        },
    )
    staff = StaffMember.objects.get(full_name="Vera Volunteer")
    assert response.status_code == 302 and staff.user == world.tutor_a
    assert staff.programme == world.england and staff.centre == world.centre_a
    bad = client.post(
        reverse("staff:check_create", args=[staff.pk, "dbs"]),
        {"dbs_level": "enhanced", "certificate_number": "123", "completed": "2025-01-01"},
    )
    assert "12 digits" in bad.content.decode()
    client.post(
        reverse("staff:check_create", args=[staff.pk, "dbs"]),
        {
            "dbs_level": "enhanced",
            "certificate_number": "0012 3456 7890",
            "completed": "2025-01-01",
        },
    )
    check = SafeguardingCheck.objects.get(staff=staff)
    assert check.certificate_number == "001234567890"
    assert check.expires == dt.date(2025, 1, 1) + dt.timedelta(days=3 * 365)
    assert check.verified_by == world.manager_a


def test_a_tutor_sees_only_their_own_checks(world, as_persona):
    fully_checked(world, "Tutor A Record", user=world.tutor_a)
    fully_checked(world, "Someone Else")
    page = as_persona("tutor_a").get(reverse("staff:my_record")).content.decode()
    assert "DBS check" in page and "Someone Else" not in page
    other = StaffMember.objects.get(full_name="Someone Else")
    response = as_persona("tutor_a").get(reverse("staff:staff_detail", args=[other.pk]))
    assert response.status_code == 403


def test_the_central_record_exports_csv_and_xlsx(world, as_persona):
    fully_checked(world, "Clara Clear")
    add_staff(world, "Nora Nothing", staff_type="musician")
    client = as_persona("safeguarding_a")
    response = client.get(reverse("staff:central_record_export", args=[world.centre_a.pk, "csv"]))
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["Name"] for r in rows] == ["Clara Clear", "Nora Nothing"]
    assert rows[0]["DBS certificate number"] == "001234567890"
    assert rows[0]["Status"] == "Clear" and rows[1]["Status"] == "Missing checks"
    lead = as_persona("programme_lead")
    url = reverse("staff:programme_central_record_export", args=[world.england.pk, "xlsx"])
    book = load_workbook(io.BytesIO(lead.get(url).content))
    sheet = book.active
    assert sheet["A2"].value == "Name"
    assert {sheet.cell(row=r, column=1).value for r in (3, 4)} == {"Clara Clear", "Nora Nothing"}
    assert lead.get(url.replace(".xlsx", ".pdf")).status_code == 404


def test_the_central_record_page_lists_the_centre_only(world, as_persona):
    fully_checked(world, "Liverpool Person")
    fully_checked(world, "Lambeth Person", centre=world.centre_b)
    page = as_persona("manager_a").get(reverse("staff:central_record", args=[world.centre_a.pk]))
    text = page.content.decode()
    assert "Liverpool Person" in text and "Lambeth Person" not in text


def test_a_check_is_removed_through_the_audited_service(world, as_persona):
    from harmonia.audit.models import AuditEvent

    staff = fully_checked(world)
    check = staff.checks.get(kind="dbs")
    response = as_persona("manager_a").post(reverse("staff:check_delete", args=[check.pk]))
    assert response.status_code == 302
    assert not staff.checks.filter(kind="dbs").exists()
    assert AuditEvent.objects.filter(action="check removed").count() == 1
    assert (
        as_persona("tutor_a")
        .post(reverse("staff:check_delete", args=[staff.checks.first().pk]))
        .status_code
        == 403
    )


def test_central_record_queries_do_not_grow(world, as_persona, django_assert_num_queries):
    client = as_persona("safeguarding_a")
    url = reverse("staff:central_record", args=[world.centre_a.pk])
    fully_checked(world, "One")
    client.get(url)
    # session, user, centre, memberships (navigation), people with their status, checks
    with django_assert_num_queries(6):
        client.get(url)
    for i in range(10):
        fully_checked(world, f"Person {i}")
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.content.decode().count("001234567890") == 11


def test_the_central_record_has_every_column_kcsie_lists(world, as_persona):
    """Identity, right to work, qualifications where required, DBS number and date,
    barred list, prohibition from teaching where relevant, overseas checks — each
    with the date and who checked (KCSIE part 3)."""
    from harmonia.staff.models import CheckKind
    from tests.staff.builders import add_check

    clara = fully_checked(world, "Clara Clear")
    theo = add_staff(
        world,
        "Theo Teacher",
        teaching_work="on",
        lived_abroad="on",
        qualifications_required="QTS",
    )
    fully_checked(world, "Theo Teacher")
    add_check(world, theo, CheckKind.PROHIBITION, TODAY, document="TRA check")
    client = as_persona("safeguarding_a")
    response = client.get(reverse("staff:central_record_export", args=[world.centre_a.pk, "csv"]))
    rows = {r["Name"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    for column in (
        "Identity checked",
        "Identity checked by",
        "Right to work checked",
        "Qualifications checked",
        "DBS certificate number",
        "DBS issue date",
        "Barred list checked",
        "Barred list checked by",
        "Prohibition from teaching checked",
        "Overseas checks",
        "Overseas checked by",
    ):
        assert column in rows["Clara Clear"], column
    clara_row, theo_row = rows["Clara Clear"], rows["Theo Teacher"]
    year_ago = (TODAY - dt.timedelta(days=365)).isoformat()
    assert clara_row["Identity checked"] == year_ago
    assert clara_row["Identity checked by"] == "Manager A"
    # The enhanced certificate with barred list information is the barred list check.
    assert clara_row["Barred list checked"] == year_ago
    # Checks that do not apply to Clara say so; Theo needs them.
    assert clara_row["Prohibition from teaching checked"] == "Not required"
    assert clara_row["Overseas checks"] == "Not required"
    assert clara_row["Qualifications checked"] == "Not required"
    assert theo_row["Prohibition from teaching checked"] == TODAY.isoformat()
    assert theo_row["Qualifications required"] == "QTS"
    assert theo_row["Overseas checks"] == "" and theo_row["Qualifications checked"] == ""
    # A relevant check not made makes the person's checks incomplete.
    assert clara_row["Status"] == "Clear" and theo_row["Status"] == "Missing checks"
    page = client.get(reverse("staff:central_record", args=[world.centre_a.pk])).content.decode()
    assert page.count("Missing</span>") == 2  # Theo's overseas and qualifications cells
    assert "by Manager A" in page and "Not required" in page
    del clara
