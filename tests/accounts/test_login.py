"""Signing in with an email address, throttling, and signing out."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD


def login(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_a_tutor_signs_in_with_their_email_and_lands_home(client, world):
    response = login(client, "Tutor.A@example.org", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.context["user"] == world.tutor_a


def test_a_wrong_password_is_refused_with_a_clear_message(client, world):
    response = login(client, "tutor.a@example.org", "nope")
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, world):
    for _ in range(5):
        login(client, "tutor.a@example.org", "guess")
    response = login(client, "tutor.a@example.org", PASSWORD)
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from harmonia import settings as production_settings

    assert production_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_signing_out_needs_a_post(client, world):
    client.force_login(world.tutor_a)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_reset_sends_a_link_that_sets_a_new_password(client, world):
    response = client.post(reverse("accounts:password_reset"), {"email": "tutor.a@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "a new long phrase 42", "new_password2": "a new long phrase 42"}
    )
    assert response.status_code == 302
    assert login(client, "tutor.a@example.org", "a new long phrase 42").status_code == 302


def test_password_reset_for_an_unknown_email_says_the_same_and_sends_nothing(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []
