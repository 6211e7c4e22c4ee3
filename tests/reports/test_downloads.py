"""Exports run as background tasks, show progress and belong to their owner."""

from django.urls import reverse

from harmonia.reports import services
from harmonia.reports.models import ExportJob


def _start(world, persona="funder", fmt="csv", **extra):
    return services.start_export(
        by=world.people[persona],
        programme=world.england,
        kind=extra.pop("kind", "annual_return"),
        fmt=fmt,
        language="en",
        suppress=True,
        **extra,
    )


def test_an_export_lands_in_the_owners_downloads(client, world, registers):
    job = _start(world)
    assert job.state == "done" and job.progress == 100 and job.file.name.startswith("exports/")
    client.force_login(world.funder)
    page = client.get(reverse("reports:downloads")).content.decode()
    assert reverse("reports:job_download", args=[job.pk]) in page


def test_nobody_else_can_download_it_whatever_their_role(client, world, registers):
    job = _start(world)
    for persona in ("programme_lead", "evaluator", "manager_a", "outsider"):
        client.force_login(world.people[persona])
        assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404
        assert client.get(reverse("reports:job_status", args=[job.pk])).status_code == 404
        assert (
            reverse("reports:job_download", args=[job.pk])
            not in client.get(reverse("reports:downloads")).content.decode()
        )


def test_a_running_export_polls_for_its_progress(client, world):
    job = ExportJob.objects.create(
        owner=world.funder,
        programme=world.england,
        kind="annual_return",
        format="xlsx",
        state="running",
        progress=40,
    )
    client.force_login(world.funder)
    html = client.get(reverse("reports:job_status", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="40"' in html
    job.state, job.progress = "done", 100
    job.save()
    html = client.get(reverse("reports:job_status", args=[job.pk])).content.decode()
    assert "hx-trigger" not in html


def test_a_grant_report_for_its_recipients(client, world, registers):
    client.force_login(world.funder)
    response = client.post(
        reverse("reports:export_start"),
        {"kind": "grant_report", "grant": world.grant_a.pk, "format": "xlsx", "lang": "en"},
    )
    assert response.status_code == 302
    job = ExportJob.objects.get(owner=world.funder)
    assert job.state == "done" and job.grant == world.grant_a


def test_a_funder_cannot_export_another_programme(client, world):
    client.force_login(world.funder)
    response = client.post(
        reverse("reports:export_start"),
        {"kind": "annual_return", "programme": world.venezuela.pk, "format": "csv"},
    )
    assert response.status_code == 404
    assert not ExportJob.objects.exists()


def test_a_tutor_cannot_start_an_export(client, world):
    client.force_login(world.tutor_a)
    response = client.post(
        reverse("reports:export_start"),
        {"kind": "annual_return", "programme": world.england.pk, "format": "csv"},
    )
    assert response.status_code == 403


def test_the_grant_report_page_shows_its_recipients(client, world, registers):
    client.force_login(world.manager_a)
    response = client.get(reverse("reports:grant_report", args=[world.grant_a.pk]))
    assert response.status_code == 200
    report = response.context["report"]
    assert not report.suppressed  # Liverpool's manager runs the only recipient
    table = next(t for t in report.tables if t.key == "children_by_year")
    assert table.rows[0][0] == "In Harmony Liverpool" and table.rows[0][-1] == 10
