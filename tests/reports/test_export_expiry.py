"""An export is a copy of numbers that one person had the right to see when they
asked. The right is checked again at download time, the file lives under a name
nobody can guess, and it is deleted after the retention period."""

import datetime as dt
import re
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from harmonia.accounts.models import Membership
from harmonia.reports import services
from harmonia.reports.models import ExportJob


def _start(world, persona="funder", **extra):
    return services.start_export(
        by=world.people[persona],
        programme=world.england,
        kind=extra.pop("kind", "annual_return"),
        fmt=extra.pop("fmt", "csv"),
        language="en",
        suppress=extra.pop("suppress", True),
        **extra,
    )


def _download(client, job):
    return client.get(reverse("reports:job_download", args=[job.pk]))


def test_a_download_stops_when_every_role_is_removed(client, world, registers):
    job = _start(world)
    client.force_login(world.funder)
    assert _download(client, job).status_code == 200
    Membership.objects.filter(user=world.funder).delete()
    assert _download(client, job).status_code == 404
    assert client.get(reverse("reports:job_status", args=[job.pk])).status_code == 404


def test_a_download_stops_when_the_role_no_longer_sees_aggregates(client, world, registers):
    job = _start(world)
    Membership.objects.filter(user=world.funder).update(
        role="tutor", programme=None, centre=world.centre_a
    )
    client.force_login(world.funder)
    assert _download(client, job).status_code == 403


def test_an_unsuppressed_export_needs_the_right_to_small_numbers_at_download(
    client, world, registers
):
    job = _start(world, "programme_lead", suppress=False)
    client.force_login(world.programme_lead)
    assert _download(client, job).status_code == 200
    # Demoted to funder viewer: still sees aggregates, but only with small numbers hidden.
    Membership.objects.filter(user=world.programme_lead).update(role="funder_viewer")
    assert _download(client, job).status_code == 403


def test_a_grant_report_needs_the_grant_at_download(client, world, registers):
    job = _start(world, "manager_a", kind="grant_report", grant=world.grant_a, suppress=False)
    client.force_login(world.manager_a)
    assert _download(client, job).status_code == 200
    Membership.objects.filter(user=world.manager_a).update(centre=world.centre_b)
    assert _download(client, job).status_code == 404


def test_the_file_name_cannot_be_guessed(world, registers):
    first, second = _start(world), _start(world)
    for job in (first, second):
        stem = Path(job.file.name).stem
        assert re.fullmatch(r"[A-Za-z0-9_-]{32,}", stem), job.file.name
        assert "annual" not in job.file.name.lower()
        assert job.filename.startswith("annual-data-return")  # the name the person sees
    assert first.file.name != second.file.name


def test_an_expired_export_is_deleted_and_the_page_says_so(client, world, registers, settings):
    settings.HARMONIA_EXPORT_RETENTION_DAYS = 7
    old, recent = _start(world), _start(world)
    ExportJob.objects.filter(pk=old.pk).update(finished=timezone.now() - dt.timedelta(days=8))
    path = Path(old.file.path)
    assert path.exists()
    call_command("expire_exports", verbosity=0)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not path.exists() and not old.file and old.state == ExportJob.State.EXPIRED
    assert Path(recent.file.path).exists() and recent.state == ExportJob.State.DONE
    client.force_login(world.funder)
    assert _download(client, old).status_code == 404
    page = client.get(reverse("reports:downloads")).content.decode()
    row = re.search(rf'<li class="job" id="job-{old.pk}".*?</li>', page, re.S).group(0)
    assert "Expired" in row and "job_download" not in row
    assert reverse("reports:job_download", args=[old.pk]) not in page
    assert reverse("reports:job_download", args=[recent.pk]) in page


def test_an_export_past_retention_is_refused_even_before_the_clean_up_runs(
    client, world, registers, settings
):
    settings.HARMONIA_EXPORT_RETENTION_DAYS = 7
    job = _start(world)
    ExportJob.objects.filter(pk=job.pk).update(finished=timezone.now() - dt.timedelta(days=8))
    client.force_login(world.funder)
    assert _download(client, job).status_code == 404
    assert "Expired" in client.get(reverse("reports:downloads")).content.decode()
