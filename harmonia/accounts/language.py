"""A signed-in person reads Harmonia in their preferred language until they pick one
with the language switch (whose cookie then wins). Signing in sets the cookie to the
preferred language, so a choice left on a shared device by someone else does not win."""

from django.conf import settings
from django.utils import translation


class PreferredLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        chosen = settings.LANGUAGE_COOKIE_NAME in request.COOKIES
        preferred = getattr(user, "preferred_language", "") if user else ""
        if preferred and not chosen and user.is_authenticated:
            translation.activate(preferred)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


def apply_preferred_language(response, user) -> None:
    """At sign-in: the language cookie becomes the person's preferred language (when
    they have one), so the next page is in it even if someone else chose another."""
    preferred = getattr(user, "preferred_language", "")
    if preferred and translation.check_for_language(preferred):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            preferred,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
