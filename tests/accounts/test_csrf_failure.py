"""A sign-in page left open while the session changed: the form is refused with a page
that says what happened, in the reader's language, and offers the page again."""

from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD


def test_an_expired_sign_in_form_explains_itself_and_changes_nothing(world):
    client = Client(enforce_csrf_checks=True)
    url = reverse("accounts:login")
    client.get(url)
    client.cookies[settings.CSRF_COOKIE_NAME] = "x" * 32  # the token was rotated meanwhile
    response = client.post(url, {"username": world.tutor_a.email, "password": PASSWORD,
                                 "csrfmiddlewaretoken": "y" * 32})  # fmt: skip
    assert response.status_code == 403
    page = response.content.decode()
    assert "This page had expired" in page and "nothing was changed" in page
    assert f'href="{url}"' in page
    assert "_auth_user_id" not in client.session


def test_it_reads_in_spanish(world):
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.post(reverse("accounts:login"), {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "Esta página había caducado" in response.content.decode()
