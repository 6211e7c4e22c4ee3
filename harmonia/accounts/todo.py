"""The home page's to-do list: what needs doing in the centres a person runs.

Each task is a count and the page that resolves it, only for the centres where the
person's role lets them act (``access.capabilities_in_centre``):

- registers not taken (scheduled, past, in the last six weeks: ``manage_centre``),
- children drifting away (``view_children``: ensembles' insight definition),
- consents outstanding (``manage_children``),
- safeguarding checks lapsed, missing or expiring within 30 days (``manage_staff``),
- instruments to get back: open loans past their due date or held by a child who has
  left (``manage_instruments``: tutors lend and take back, managers chase),
- imports waiting for a person (columns to choose, checked and ready to apply:
  ``manage_children``),
- exports ready to download (the person's own).

So a centre manager sees their centre's whole list, a safeguarding lead the checks and
the children drifting away, a programme lead one row of counts per centre (registers,
checks, instruments: no named child), a tutor nothing but their sessions.

Cost: a fixed number of queries per centre, whatever the number of children, marks,
staff or loans (asserted in tests/accounts/test_home_todo.py). "Today" is each centre's
local date (``local_today``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from harmonia import access
from harmonia.access import Capability as C
from harmonia.programmes import zones

REGISTER_WINDOW_DAYS = 42  # the centre dashboard's "Needs action" looks six weeks back
EXPORT_WINDOW_DAYS = 7


@dataclass
class Task:
    key: str
    label: str
    count: int
    url: str
    action: str
    tone: str = "warn"  # "danger" for what is already wrong (lapsed checks, refused care)
    note: str = ""


@dataclass
class CentreTodo:
    centre: object
    tasks: list[Task] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # what was looked at and is in order

    @property
    def total(self) -> int:
        return sum(t.count for t in self.tasks)


def local_today(centre) -> dt.date:
    """The centre's local date (its own zone, else its programme's): programmes.zones."""
    return zones.local_today(centre)


def _centres(user) -> list:
    """Every centre the person holds a role in, directly or through a programme role,
    in name order (one query)."""
    from harmonia.programmes.models import Centre

    return list(
        Centre.objects.filter(pk__in=access.centres_with(user, None))
        .select_related("programme")
        .order_by("programme__name", "name")
    )


def _untaken_registers(centres: list, days: dict) -> dict[int, int]:
    """{centre id: registers of the last six weeks not taken} (one grouped query)."""
    from harmonia.ensembles.models import Occurrence

    if not centres:
        return {}
    when = Q()
    for centre in centres:
        today = days[centre.pk]
        when |= Q(
            centre=centre,
            date__lt=today,
            date__gte=today - dt.timedelta(days=REGISTER_WINDOW_DAYS),
        )
    rows = (
        Occurrence.objects.filter(when)
        .filter(status=Occurrence.Status.SCHEDULED, register_taken_at__isnull=True)
        .values("centre_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["centre_id"]: r["n"] for r in rows}


def _safeguarding(user, centres: list, today: dt.date) -> dict[int, dict[str, int]]:
    """{centre id: {status: people}} of current staff (one query, statuses in SQL)."""
    from harmonia.staff.models import StaffMember

    if not centres:
        return {}
    rows = (
        access.scope(StaffMember.objects.all(), user, C.MANAGE_STAFF)
        .filter(centre__in=centres)
        .filter(Q(left__isnull=True) | Q(left__gt=today))
        .with_safeguarding(today)
        .values_list("centre_id", "safeguarding_status")
    )
    counts: dict[int, dict[str, int]] = {c.pk: {} for c in centres}
    for centre_id, status in rows:
        counts[centre_id][status] = counts[centre_id].get(status, 0) + 1
    return counts


def _loans_to_get_back(user, centres: list, days: dict) -> dict[int, int]:
    """{centre id: open loans past due or held by a child who has left} (one query)."""
    from harmonia.children.models import Status as ChildStatus
    from harmonia.instruments.models import Loan

    if not centres:
        return {}
    late = Q()
    for centre in centres:
        late |= Q(centre=centre, due_back__lt=days[centre.pk])
    rows = (
        access.scope(Loan.objects.open(), user, C.VIEW_INSTRUMENTS)
        .filter(centre__in=centres)
        .filter(late | Q(child__status=ChildStatus.LEFT))
        .values("centre_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["centre_id"]: r["n"] for r in rows}


def _outstanding_consents(centre) -> int:
    """Children still to answer a consent form in force (two queries: the forms, then
    one count per form in a single aggregate)."""
    from harmonia.children import services as children_services
    from harmonia.children.models import Child, ConsentRecord
    from harmonia.children.models import Status as ChildStatus

    forms = list(children_services.current_forms(centre.programme).values())
    if not forms:
        return 0
    # A child counts once however many forms they still have to answer.
    unanswered = Q()
    for form in forms:
        answered = ConsentRecord.objects.filter(
            form__programme=form.programme_id, form__kind=form.kind, form__version__gte=form.version
        ).values("child_id")
        unanswered |= ~Q(pk__in=answered)
    still_here = [ChildStatus.WAITING, ChildStatus.ACTIVE, ChildStatus.PAUSED]
    return (
        Child.objects.for_aggregates("the home page's count of children with consents to collect")
        .filter(centre=centre, status__in=still_here)
        .filter(unanswered)
        .count()
    )


def _imports_waiting(user, centres: list) -> dict[int, list]:
    """{centre id: [import ids]} waiting for a person (one query)."""
    from harmonia.children.models import ImportLog

    if not centres:
        return {}
    waiting = [ImportLog.State.MAPPING, ImportLog.State.VALIDATED]
    rows = (
        access.scope(ImportLog.objects.all(), user, C.MANAGE_CHILDREN)
        .filter(centre__in=centres, state__in=waiting)
        .filter(created__gte=timezone.now() - dt.timedelta(days=90))
        .values_list("centre_id", "pk")
    )
    found: dict[int, list] = {}
    for centre_id, pk in rows:
        found.setdefault(centre_id, []).append(pk)
    return found


def _exports_ready(user) -> int:
    from harmonia.reports.models import ExportJob

    return (
        access.own(ExportJob.objects.all(), user, "owner")
        .filter(
            state=ExportJob.State.DONE,
            finished__gte=timezone.now() - dt.timedelta(days=EXPORT_WINDOW_DAYS),
        )
        .count()
    )


def build(user) -> dict:
    """The to-do list for ``user``: {"centres": [CentreTodo] (centres whose children
    they see), "general": [Task] (downloads), "overview": [{"centre", "cells"}]
    (centres seen at a glance: counts only, no named child)}."""
    centres = _centres(user)
    caps = {c.pk: access.capabilities_in_centre(user, c) for c in centres}
    days = {c.pk: local_today(c) for c in centres}

    def having(need):
        return [c for c in centres if need in caps[c.pk]]

    registers = _untaken_registers(having(C.MANAGE_CENTRE), days)
    staff_centres = having(C.MANAGE_STAFF)
    # One "today" for the staff query: checks are dated, a day's difference between
    # zones does not change whether a DBS has lapsed in a way anyone acts on.
    safeguarding = _safeguarding(user, staff_centres, timezone.localdate())
    loans = _loans_to_get_back(user, having(C.MANAGE_INSTRUMENTS), days)
    imports = _imports_waiting(user, having(C.MANAGE_CHILDREN))

    todos = []
    for centre in centres:
        have = caps[centre.pk]
        todo = CentreTodo(centre)
        if C.MANAGE_CENTRE in have:
            n = registers.get(centre.pk, 0)
            url = (
                reverse("reports:centre_dashboard", args=[centre.pk]) + "#actions-heading"
                if C.VIEW_CHILDREN in have and C.VIEW_AGGREGATES in have
                else reverse("ensembles:timetable", args=[centre.pk])
            )
            _add(
                todo,
                Task(
                    "registers",
                    _("Registers not taken"),
                    n,
                    url,
                    _("See which"),
                    note=_("in the last six weeks"),
                ),
                _("registers"),
            )
        if C.VIEW_CHILDREN in have and C.VIEW_CHILD_RECORD in have:
            from harmonia.reports import dashboard

            n = len(dashboard.drifting_away(centre, days[centre.pk], limit=None))
            _add(
                todo,
                Task(
                    "drifting",
                    _("Children drifting away"),
                    n,
                    reverse("ensembles:centre_attendance", args=[centre.pk]) + "#drift-heading",
                    _("See who"),
                    note=_("attendance fell sharply in the last four weeks"),
                ),
                _("attendance"),
            )
        if C.MANAGE_CHILDREN in have:
            _add(
                todo,
                Task(
                    "consents",
                    _("Children with consents outstanding"),
                    _outstanding_consents(centre),
                    reverse("children:consent_campaign", args=[centre.pk]),
                    _("Collect them"),
                ),
                _("consents"),
            )
        if C.MANAGE_STAFF in have:
            statuses = safeguarding.get(centre.pk, {})
            wrong = statuses.get("lapsed", 0) + statuses.get("missing", 0)
            staff_url = reverse("staff:staff_list", args=[centre.pk])
            _add(
                todo,
                Task(
                    "checks_lapsed",
                    _("Staff with lapsed or missing checks"),
                    wrong,
                    staff_url,
                    _("See who"),
                    tone="danger",
                ),
                _("safeguarding checks"),
            )
            _add(
                todo,
                Task(
                    "checks_expiring",
                    _("Staff checks expiring within 30 days"),
                    statuses.get("expiring", 0),
                    staff_url,
                    _("See who"),
                ),
                None,
            )
        if C.MANAGE_INSTRUMENTS in have:
            _add(
                todo,
                Task(
                    "loans",
                    _("Instruments to get back"),
                    loans.get(centre.pk, 0),
                    reverse("instruments:loan_list", args=[centre.pk]),
                    _("See the loans"),
                    note=_("overdue, or with a child who has left"),
                ),
                _("loans"),
            )
        if C.MANAGE_CHILDREN in have:
            waiting = imports.get(centre.pk, [])
            url = (
                reverse("children:import_detail", args=[waiting[0]])
                if len(waiting) == 1
                else reverse("children:import_upload", args=[centre.pk])
            )
            _add(
                todo,
                Task("imports", _("Imports waiting for you"), len(waiting), url, _("Finish")),
                _("imports"),
            )
        if todo.tasks or todo.checked:
            todos.append(todo)

    # Safeguarding concerns have their own alert above the list ({% concern_alerts %}),
    # per centre, with the count nobody has opened yet.
    exports = _exports_ready(user)
    general = []
    if exports:
        general.append(
            Task(
                "exports",
                _("Downloads ready"),
                exports,
                reverse("reports:downloads"),
                _("Download"),
                tone="info",
                note=ngettext(
                    "made in the last %(days)d day",
                    "made in the last %(days)d days",
                    EXPORT_WINDOW_DAYS,
                )
                % {"days": EXPORT_WINDOW_DAYS},
            )
        )
    # Centres seen at a glance (no named children: a programme lead) are one table of
    # counts; centres whose children the person sees are a card each.
    overview_keys = ["registers", "checks_lapsed", "checks_expiring", "loans"]
    overview, cards = [], []
    for todo in todos:
        if C.VIEW_CHILDREN in caps[todo.centre.pk]:
            cards.append(todo)
        else:
            by_key = {t.key: t for t in todo.tasks}
            cells = [by_key.get(k) for k in overview_keys]
            overview.append({"centre": todo.centre, "cells": cells})
    columns = [
        _("Registers not taken"),
        _("Lapsed or missing checks"),
        _("Checks expiring"),
        _("Instruments to get back"),
    ]
    return {
        "centres": cards,
        "general": general,
        "overview": overview,
        "overview_columns": columns,
        "overview_busy": any(any(row["cells"]) for row in overview),
    }


def _add(todo: CentreTodo, task: Task, checked_label) -> None:
    """A task with something to do is listed; one with nothing is named as checked."""
    if task.count:
        todo.tasks.append(task)
    elif checked_label is not None:
        todo.checked.append(str(checked_label))
