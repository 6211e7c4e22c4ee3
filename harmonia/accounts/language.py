"""A signed-in person reads Harmonia in their preferred language until they pick one
with the language switch (whose cookie then wins)."""

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
