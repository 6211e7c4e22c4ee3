"""Dashboards, returns and downloads. Each view: access helper first, then the
numbers (``harmonia.reports.dashboard`` / ``returns``), then render."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from harmonia import access
from harmonia.access import Capability as C
from harmonia.children import privacy
from harmonia.ensembles.models import Occurrence
from harmonia.programmes import zones
from harmonia.programmes.models import Centre, Grant, Programme
from harmonia.reports import dashboard, returns, services
from harmonia.reports.charts import chart, has_numbers
from harmonia.reports.dashboard import Table
from harmonia.reports.models import ExportJob
from harmonia.reports.rollups import academic_year

LANGUAGES = ("en", "es")


def _programme_for(user, pk) -> Programme:
    """A programme whose aggregates the user may see programme-wide."""
    programme = access.get_for(user, Programme.objects.all(), pk, C.VIEW_PROGRAMME)
    if not access.sees_programme_aggregates(user, programme):
        raise PermissionDenied
    return programme


def _language(request) -> str:
    lang = request.GET.get("lang", "")
    return lang if lang in LANGUAGES else (get_language() or "en")[:2]


def trend_charts(data: dict) -> list[tuple[str, str, Table]]:
    """The dashboard's trend charts with the table of their numbers."""
    charts = []
    terms = data["term_trend"]
    years = data["year_trend"]
    if years and has_numbers([p["children"] for p in years]) and any(p["children"] for p in years):
        title = _("Children reached each year")
        labels = [p["label"] for p in years]
        values = [p["children"] for p in years]
        numbers = Table(
            "years",
            title,
            [_("Year"), _("Children"), _("Retention (%)")],
            [[p["label"], p["children"], p["retention"]] for p in years],
        )
        charts.append(
            (
                title,
                chart(labels, [(title, values)], title=title, integer=True, trend=True),
                numbers,
            )
        )
    if terms and has_numbers([p["rate"] for p in terms]):
        labels = [p["short"] for p in terms]
        title = _("Attendance by term (%)")
        numbers = Table(
            "terms",
            _("Attendance and hours of music by term"),
            [_("Term"), _("Children"), _("Attendance (%)"), _("Hours per child per week")],
            [[p["label"], p["children"], p["rate"], p["hours"]] for p in terms],
        )
        charts.append(
            (
                title,
                chart(
                    labels,
                    [(title, [p["rate"] for p in terms])],
                    title=title,
                    kind="line",
                    unit="%",
                    trend=True,
                ),
                numbers,
            )
        )
        title = _("Hours of music per child per week")
        charts.append(
            (
                title,
                chart(labels, [(title, [p["hours"] for p in terms])], title=title, trend=True),
                numbers,
            )
        )
    return charts


@login_required
def programme_dashboard(request, programme_pk):
    programme = _programme_for(request.user, programme_pk)
    centres = list(
        Centre.objects.filter(programme=programme).select_related("area").order_by("name")
    )
    suppress = returns.must_suppress(request.user, programme)
    today = zones.local_today_in(zones.zone_name_for_programme(programme))
    data = dashboard.build(programme, centres, today=today, suppress=suppress)
    return render(
        request,
        "reports/programme_dashboard.html",
        {
            "programme": programme,
            "data": data,
            "charts": trend_charts(data),
            "return_year": data["year"],
        },
    )


def _register_url(occurrence_pk: int) -> str | None:
    try:
        return reverse("ensembles:register", args=[occurrence_pk])
    except NoReverseMatch:
        return None


def _actions(user, centre, today: dt.date) -> dict | None:
    """What a centre manager should act on (None for people who only see aggregates)."""
    caps = access.capabilities_in_centre(user, centre)
    if C.VIEW_CHILDREN not in caps:
        return None
    from harmonia.children import services as children_services

    missing = list(
        Occurrence.objects.filter(
            centre=centre,
            status=Occurrence.Status.SCHEDULED,
            register_taken_at__isnull=True,
            date__lt=today,
            date__gte=today - dt.timedelta(days=42),
        )
        .select_related("ensemble")
        .order_by("-date")[:10]
    )
    consents = []
    for form in children_services.current_forms(centre.programme).values():
        n = (
            children_services.outstanding_consents(centre, form)
            .for_aggregates("the centre dashboard's count of consents still to collect")
            .count()
        )
        if n:
            consents.append({"form": form, "count": n})
    return {
        "registers": [(o, _register_url(o.pk)) for o in missing],
        "drifting": dashboard.drifting_away(centre, today),
        "consents": consents,
    }


@login_required
def centre_dashboard(request, pk):
    centre = access.get_for(
        request.user,
        Centre.objects.select_related("area", "programme"),
        pk,
        C.VIEW_AGGREGATES,
    )
    zones.activate_for_centre(centre)
    today = zones.local_today(centre)
    suppress = returns.must_suppress(request.user, centre.programme, [centre])
    # Suppressed numbers are protected over every centre and shown for this one
    # (see dashboard.build); people who see the children need only this centre.
    centres = (
        list(
            Centre.objects.filter(programme=centre.programme)
            .select_related("area")
            .order_by("name")
        )
        if suppress
        else [centre]
    )
    data = dashboard.build(centre.programme, centres, today=today, suppress=suppress, show=centre)
    actions = _actions(request.user, centre, today)
    privacy.log_seen(request, actions["drifting"] if actions else [])
    return render(
        request,
        "reports/centre_dashboard.html",
        {
            "centre": centre,
            "programme": centre.programme,
            "data": data,
            "charts": trend_charts(data),
            "actions": actions,
        },
    )


@login_required
def annual_return(request, programme_pk):
    programme = _programme_for(request.user, programme_pk)
    this_year = academic_year(timezone.localdate())
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    year = min(max(year, 2000), this_year)
    centres = list(
        Centre.objects.filter(programme=programme).select_related("area").order_by("name")
    )
    suppress = returns.must_suppress(request.user, programme)
    lang = _language(request)
    # The whole page speaks the language asked for, not only the report's tables.
    with override(lang):
        report = returns.annual_return(programme, centres, year, suppress=suppress)
        return render(
            request,
            "reports/report.html",
            {
                "programme": programme,
                "report": report,
                "kind": ExportJob.Kind.ANNUAL_RETURN,
                "year": year,
                "report_year_label": dashboard.year_label(year),
                "years": list(range(this_year, this_year - 6, -1)),
                "lang": lang,
                "formats": ExportJob.Format.choices,
            },
        )


def _grant_for(user, pk) -> Grant:
    grant = access.get_for(
        user, Grant.objects.select_related("funder", "programme"), pk, C.VIEW_GRANTS
    )
    if not access.sees_grant_report(user, grant, list(grant.centres.all())):
        raise PermissionDenied
    return grant


@login_required
def grant_report(request, pk):
    grant = _grant_for(request.user, pk)
    centres = list(grant.centres.all())
    suppress = returns.must_suppress(request.user, grant.programme, centres or None)
    lang = _language(request)
    with override(lang):
        report = returns.grant_report(grant, suppress=suppress)
        return render(
            request,
            "reports/report.html",
            {
                "programme": grant.programme,
                "grant": grant,
                "report": report,
                "kind": ExportJob.Kind.GRANT_REPORT,
                "lang": lang,
                "formats": ExportJob.Format.choices,
            },
        )


@login_required
@require_POST
def export_start(request):
    kind = request.POST.get("kind")
    fmt = request.POST.get("format")
    lang = request.POST.get("lang") if request.POST.get("lang") in LANGUAGES else "en"
    if fmt not in ExportJob.Format.values:
        raise Http404
    if kind == ExportJob.Kind.GRANT_REPORT:
        grant = _grant_for(request.user, request.POST.get("grant") or 0)
        programme = grant.programme
        suppress = returns.must_suppress(request.user, programme, list(grant.centres.all()) or None)
        year = None
    elif kind == ExportJob.Kind.ANNUAL_RETURN:
        grant = None
        programme = _programme_for(request.user, request.POST.get("programme") or 0)
        suppress = returns.must_suppress(request.user, programme)
        try:
            year = int(request.POST.get("year", ""))
        except ValueError:
            year = None
    else:
        raise Http404
    job = services.start_export(
        by=request.user,
        programme=programme,
        kind=kind,
        fmt=fmt,
        language=lang,
        suppress=suppress,
        grant=grant,
        year=year,
    )
    return redirect(f"{reverse('reports:downloads')}?new={job.pk}")


@login_required
def downloads(request):
    jobs = list(
        ExportJob.objects.filter(owner=request.user).select_related("programme", "grant")[:50]
    )
    return render(
        request,
        "reports/downloads.html",
        {"jobs": jobs, "retention_days": settings.HARMONIA_EXPORT_RETENTION_DAYS},
    )


def _own_job(user, pk) -> ExportJob:
    """An export of the user's own, checked against the policy now, not when it was
    made: anyone else's is a 404; once the owner has lost the right to its numbers,
    a 404 or 403 like any page of them (see ``access.get_export_for``)."""
    return access.get_export_for(user, ExportJob.objects.all(), pk)


@login_required
def job_status(request, pk):
    job = _own_job(request.user, pk)
    return render(
        request,
        "reports/_job_row.html",
        {"job": job, "retention_days": settings.HARMONIA_EXPORT_RETENTION_DAYS},
    )


@login_required
def job_download(request, pk):
    job = _own_job(request.user, pk)
    if not job.downloadable:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
