"""Dashboards, returns, grant reports and downloads."""

from harmonia.reports.models import ExportJob
from tests.matrix import FORBIDDEN, NOT_FOUND, OK, POST_ONLY, Case, answers, writes

# Programme-wide aggregates: the programme team, funders and evaluators only.
PROGRAMME_AGGREGATES = answers(
    FORBIDDEN, programme_lead=OK, funder=OK, evaluator=OK, outsider=NOT_FOUND
)


def funder_job(w):
    job, _created = ExportJob.objects.get_or_create(
        owner=w.funder, programme=w.england, kind="annual_return", format="csv"
    )
    return {"pk": job.pk}


CASES = {
    "reports:programme_dashboard": Case(
        PROGRAMME_AGGREGATES, kwargs=lambda w: {"programme_pk": w.england.pk}
    ),
    "reports:annual_return": Case(
        PROGRAMME_AGGREGATES, kwargs=lambda w: {"programme_pk": w.england.pk}
    ),
    # Liverpool's dashboard: its manager, and the programme-wide aggregate roles.
    "reports:centre_dashboard": Case(
        answers(
            FORBIDDEN,
            programme_lead=OK,
            funder=OK,
            evaluator=OK,
            manager_a=OK,
            tutor_b=NOT_FOUND,
            outsider=NOT_FOUND,
        ),
        kwargs=lambda w: {"pk": w.centre_a.pk},
    ),
    # The Liverpool grant: as the grant page (evaluators do not see grants).
    "reports:grant_report": Case(
        answers(
            FORBIDDEN,
            programme_lead=OK,
            funder=OK,
            manager_a=OK,
            tutor_b=NOT_FOUND,
            outsider=NOT_FOUND,
        ),
        kwargs=lambda w: {"pk": w.grant_a.pk},
    ),
    "reports:downloads": Case(answers(OK)),
    "reports:export_start": Case(
        POST_ONLY,
        post=writes(PROGRAMME_AGGREGATES),
        data=lambda w: {
            "kind": "annual_return",
            "programme": w.england.pk,
            "format": "csv",
            "lang": "en",
        },
    ),
    # An export belongs to the person who asked for it: everyone else gets a 404.
    "reports:job_status": Case(answers(NOT_FOUND, funder=OK), kwargs=funder_job),
    "reports:job_download": Case(answers(NOT_FOUND), kwargs=funder_job),  # not ready yet
}
