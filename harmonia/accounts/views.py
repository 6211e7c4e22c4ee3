"""Signing in and out, password reset, and each person's home page."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme

from harmonia import access
from harmonia.accounts import language, todo


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEMO:
            from harmonia.demo.people import DEMO_PASSWORD, demo_logins

            context["demo_logins"] = demo_logins()
            context["demo_password"] = DEMO_PASSWORD
        return context

    def form_valid(self, form):
        """Signing in applies the person's preferred language, whatever the language
        cookie says: on a shared tablet it is the previous person's choice. Switching
        language afterwards still wins (harmonia/accounts/language.py)."""
        response = super().form_valid(form)
        language.apply_preferred_language(response, form.get_user())
        return response


class LogoutView(auth_views.LogoutView):
    """Sign out, and tell the browser to forget this site's caches and storage: the
    offline registers (which hold safety notes) and the queue. The page asks first when
    marks are still waiting to be sent (static/harmonia/signout.js)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        """Someone who proved they own the email ends any sign-in pause on the account
        (a stranger guessing it could otherwise keep the owner out)."""
        from harmonia.accounts.throttling import lift_account_lock

        response = super().form_valid(form)
        lift_account_lock(form.user.get_username())
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        from django.contrib import messages
        from django.utils.translation import gettext as _

        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


@login_required
def home(request):
    """Where a person lands: what needs doing (harmonia/accounts/todo.py), their
    sessions, their roles and where each lets them go."""
    ms = access.memberships(request.user)
    programme_roles = [m for m in ms if m.programme_id]
    centre_roles = [m for m in ms if m.centre_id]
    return render(
        request,
        "accounts/home.html",
        {
            "programme_roles": programme_roles,
            "centre_roles": centre_roles,
            "todo": todo.build(request.user),
        },
    )


def csrf_failure(request, reason=""):
    """A form sent with an expired security token (a sign-in page left open on a phone
    while the session changed): say so in the reader's language and offer the page again,
    instead of Django's technical page. Nothing was changed (settings.CSRF_FAILURE_VIEW)."""
    again = request.path if url_has_allowed_host_and_scheme(request.path, None) else "/"
    return render(request, "403_csrf.html", {"again": again}, status=403)
