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


# Throttling per account, per address, with a growing delay ------------------------------


def _fail(client, email, address, **extra):
    return client.post(
        reverse("accounts:login"),
        {"username": email, "password": "guess"},
        REMOTE_ADDR=address,
        **extra,
    )


def _sign_in(client, email, address, **extra):
    return client.post(
        reverse("accounts:login"),
        {"username": email, "password": PASSWORD},
        REMOTE_ADDR=address,
        **extra,
    )


def _later(minutes):
    """Move every recorded attempt ``minutes`` into the past (a clock without freezegun)."""
    import datetime as dt

    from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog

    delta = dt.timedelta(minutes=minutes)
    for model, field in (
        (AccessAttempt, "attempt_time"),
        (AccessFailureLog, "attempt_time"),
        (AccessAttemptExpiration, "expires_at"),
    ):
        for row in model.objects.all():
            setattr(row, field, getattr(row, field) - delta)
            row.save(update_fields=[field])


def test_failures_from_many_addresses_lock_the_account(client, world):
    for n in range(5):
        _fail(client, "tutor.a@example.org", f"203.0.113.{n + 1}")
    response = _sign_in(client, "tutor.a@example.org", "198.51.100.7")  # yet another address
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_changing_the_case_of_the_email_does_not_give_more_tries(client, world):
    for n, email in enumerate(
        ["Tutor.A@example.org", "TUTOR.A@EXAMPLE.ORG", " tutor.a@example.org"]
    ):
        _fail(client, email, f"203.0.113.{n + 1}")
    _fail(client, "tutor.a@Example.org", "203.0.113.9")
    _fail(client, "tutor.A@example.org", "203.0.113.10")
    assert _sign_in(client, "tutor.a@example.org", "198.51.100.7").status_code == 429


def test_one_address_spraying_many_accounts_is_throttled(client, world, settings):
    for n in range(30):
        _fail(client, f"guess{n}@example.org", "203.0.113.66")
    assert _sign_in(client, "tutor.a@example.org", "203.0.113.66").status_code == 429
    # ... while the same person from their own address signs in as usual.
    assert _sign_in(client, "tutor.a@example.org", "198.51.100.7").status_code == 302


def test_a_colleague_on_the_same_network_is_not_locked_out_by_a_few_failures(client, world):
    for _ in range(5):
        _fail(client, "tutor.a@example.org", "203.0.113.5")
    assert _sign_in(client, "manager.a@example.org", "203.0.113.5").status_code == 302


def test_the_lock_lasts_longer_each_time(client, world):
    email = "tutor.a@example.org"
    for _ in range(5):
        _fail(client, email, "203.0.113.1")
    assert _sign_in(client, email, "203.0.113.1").status_code == 429
    _later(16)  # the first lock (15 minutes) is over
    for _ in range(5):
        _fail(client, email, "203.0.113.1")
    _later(16)  # the second lock lasts 30 minutes: still locked after 16
    assert _sign_in(client, email, "203.0.113.1").status_code == 429
    _later(15)
    assert _sign_in(client, email, "203.0.113.1").status_code == 302


def test_trying_during_a_lock_does_not_extend_it(client, world):
    email = "tutor.a@example.org"
    for _ in range(5):
        _fail(client, email, "203.0.113.1")
    _later(10)
    for _ in range(3):
        _fail(client, email, "203.0.113.1")
    _later(6)
    assert _sign_in(client, email, "203.0.113.1").status_code == 302


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(client, world, settings):
    settings.HARMONIA_TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    for n in range(30):  # one attacker, behind the proxy, spraying accounts
        _fail(client, f"guess{n}@example.org", proxy, HTTP_X_FORWARDED_FOR="203.0.113.66")
    # Everyone shares the proxy's address, but only the attacker is locked out.
    assert (
        _sign_in(
            client, "tutor.a@example.org", proxy, HTTP_X_FORWARDED_FOR="198.51.100.7"
        ).status_code
        == 302
    )
    client.logout()
    assert (
        _sign_in(
            client, "tutor.a@example.org", proxy, HTTP_X_FORWARDED_FOR="203.0.113.66"
        ).status_code
        == 429
    )
    # A forged header to the left of what the proxy wrote does not help the attacker.
    forged = "198.51.100.99, 203.0.113.66"
    assert (
        _sign_in(client, "tutor.a@example.org", proxy, HTTP_X_FORWARDED_FOR=forged).status_code
        == 429
    )


def test_resetting_the_password_lifts_the_lock(client, world):
    email = "tutor.a@example.org"
    for n in range(5):
        _fail(client, email, f"203.0.113.{n + 1}")
    client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR="198.51.100.7")
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    response = client.get(link.split("testserver", 1)[1], follow=True)
    new = "a new long phrase 42"
    client.post(response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    response = client.post(
        reverse("accounts:login"), {"username": email, "password": new}, REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 302
