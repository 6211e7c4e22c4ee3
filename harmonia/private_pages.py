"""Nothing a signed-in person sees is kept by a browser or a proxy cache.

Every response to a signed-in request, and every download (a response with
``Content-Disposition: attachment``), gets ``Cache-Control: no-store`` (with
Django's ``never_cache`` headers), so a child's page, a register or an export
is not left in a shared tablet's disk cache or in a school proxy after sign-out.
The "back" button then asks the server again, which answers with the sign-in page.

Public responses (the sign-in page, static files, calendar feeds fetched by
calendar apps with a token) keep their own caching.
"""

from django.utils.cache import add_never_cache_headers


class NoStoreForSignedInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        download = response.get("Content-Disposition", "").startswith("attachment")
        if signed_in or download:
            if "Cache-Control" in response:
                del response["Cache-Control"]
            add_never_cache_headers(response)
        return response
