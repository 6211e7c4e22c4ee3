"""Accounts, language and programme structure."""

from tests.matrix import (
    FORBIDDEN,
    LOGIN,
    MANAGE_CENTRE_A,
    MANAGE_PROGRAMME,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    POST_ONLY,
    REDIRECT,
    SEE_CENTRE_A,
    SEE_PROGRAMME,
    Case,
    answers,
    writes,
)


def england(w):
    return {"pk": w.england.pk}


def england_parent(w):
    return {"programme_pk": w.england.pk}


def role_request(w):
    """A programme lead's request to manage centre A: the lead (who asked) and centre A's
    manager (who may approve) see it; anyone else in England gets 403."""
    from django.utils import timezone

    from harmonia.programmes.models import RoleRequest

    found = RoleRequest.objects.filter(programme=w.england).first()
    if found is None:
        found = RoleRequest.objects.create(
            programme=w.england,
            user=w.programme_lead,
            role="centre_manager",
            centre=w.centre_a,
            requested_by=w.programme_lead,
            requested_at=timezone.now(),
        )
    return {"programme_pk": w.england.pk, "pk": found.pk}


CASES = {
    "home": Case(answers(OK)),
    "set_language": Case(answers(REDIRECT, anonymous=REDIRECT)),
    "accounts:login": Case(answers(REDIRECT, anonymous=OK)),
    "accounts:logout": Case(
        answers(NOT_ALLOWED, anonymous=NOT_ALLOWED), post=answers(REDIRECT, anonymous=REDIRECT)
    ),
    "accounts:password_change": Case(answers(OK)),
    "accounts:password_reset": Case(answers(OK, anonymous=OK)),
    "accounts:password_reset_done": Case(
        answers(OK, anonymous=OK), post=answers(NOT_ALLOWED, anonymous=NOT_ALLOWED)
    ),
    "accounts:password_reset_confirm": Case(
        answers(OK, anonymous=OK), kwargs=lambda w: {"uidb64": "MQ", "token": "set-password"}
    ),
    "accounts:password_reset_complete": Case(
        answers(OK, anonymous=OK), post=answers(NOT_ALLOWED, anonymous=NOT_ALLOWED)
    ),
    # Everyone in the demo world belongs to one programme, so the list redirects to it.
    "programmes:programme_list": Case(answers(REDIRECT)),
    "programmes:programme_detail": Case(SEE_PROGRAMME, kwargs=england),
    "programmes:programme_edit": Case(MANAGE_PROGRAMME, kwargs=england),
    "programmes:programme_structure": Case(MANAGE_PROGRAMME, kwargs=england),
    "programmes:structure_create": Case(
        MANAGE_PROGRAMME, kwargs=lambda w: {"programme_pk": w.england.pk, "kind": "area"}
    ),
    "programmes:structure_edit": Case(
        MANAGE_PROGRAMME, kwargs=lambda w: {"kind": "area", "pk": w.area_a.pk}
    ),
    "programmes:centre_create": Case(MANAGE_PROGRAMME, kwargs=england_parent),
    "programmes:grant_create": Case(MANAGE_PROGRAMME, kwargs=england_parent),
    # Giving someone a role: only the programme lead.
    "programmes:people": Case(
        MANAGE_PROGRAMME,
        post=writes(MANAGE_PROGRAMME),
        kwargs=england_parent,
        data=lambda w: {
            "email": "new.tutor@example.org",
            "full_name": "New Tutor",
            "role": "tutor",
            "centre": w.centre_a.pk,
        },
    ),
    "programmes:membership_delete": Case(
        POST_ONLY,
        post=writes(MANAGE_PROGRAMME),
        kwargs=lambda w: {
            "programme_pk": w.england.pk,
            "pk": w.tutor_a.memberships.get().pk,
        },
    ),
    "programmes:audit_log": Case(MANAGE_PROGRAMME, kwargs=england_parent),
    "programmes:role_request": Case(
        answers(FORBIDDEN, programme_lead=OK, manager_a=OK, outsider=NOT_FOUND),
        post=writes(answers(FORBIDDEN, programme_lead=OK, manager_a=OK, outsider=NOT_FOUND)),
        kwargs=role_request,
    ),
    "programmes:centre_detail": Case(SEE_CENTRE_A, kwargs=lambda w: {"pk": w.centre_a.pk}),
    "programmes:centre_edit": Case(MANAGE_CENTRE_A, kwargs=lambda w: {"pk": w.centre_a.pk}),
    "programmes:school_create": Case(
        MANAGE_CENTRE_A,
        post=writes(MANAGE_CENTRE_A),
        kwargs=lambda w: {"centre_pk": w.centre_a.pk},
        data=lambda w: {
            "name": "Anfield Primary",
            "urn": "104513",
            "phase": "primary",
            "local_authority": "Liverpool",
            "fsm_percent": "41.5",
            "pupils": "280",
        },
    ),
    "programmes:school_edit": Case(MANAGE_CENTRE_A, kwargs=lambda w: {"pk": w.school_a.pk}),
    "programmes:school_delete": Case(
        POST_ONLY, post=writes(MANAGE_CENTRE_A), kwargs=lambda w: {"pk": w.school_a.pk}
    ),
    # A grant to Liverpool: its funder, the programme team and Liverpool's manager see it.
    "programmes:grant_detail": Case(
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
    "programmes:grant_edit": Case(
        answers(FORBIDDEN, programme_lead=OK, tutor_b=NOT_FOUND, outsider=NOT_FOUND),
        kwargs=lambda w: {"pk": w.grant_a.pk},
    ),
}

# Django's admin is for superusers only; no persona is staff, so every admin page
# sends them to the admin's own sign-in (its login page answers, its logout is POST-only).
ADMIN_EXCEPTIONS = {
    "admin:login": answers(OK, anonymous=OK),
    "admin:logout": answers(REDIRECT, anonymous=REDIRECT),  # admin_view wraps it too
}
ADMIN_DEFAULT = answers(REDIRECT, anonymous=REDIRECT)
_ = (LOGIN,)
