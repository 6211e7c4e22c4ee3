"""A person's preferred language is applied when they sign in, and greetings use their
first name, not a title."""

import pytest
from django.urls import reverse

from harmonia.accounts.models import User
from tests.conftest import PASSWORD


def sign_in(client, email):
    return client.post(reverse("accounts:login"), {"username": email, "password": PASSWORD})


def test_signing_in_applies_the_preferred_language_over_a_previous_visitors_choice(client, world):
    world.outsider.preferred_language = "es"
    world.outsider.save(update_fields=["preferred_language"])
    # Someone used this browser before and chose English with the switch.
    client.cookies["django_language"] = "en"
    response = sign_in(client, world.outsider.email)
    assert response.status_code == 302
    page = client.get(reverse("home")).content.decode()
    assert '<html lang="es">' in page
    assert "Hola" in page


def test_after_sign_in_the_switch_still_wins(client, world):
    world.outsider.preferred_language = "es"
    world.outsider.save(update_fields=["preferred_language"])
    sign_in(client, world.outsider.email)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get(reverse("home")).content.decode()


def test_a_person_without_a_preference_keeps_the_language_they_chose(client, world):
    client.cookies["django_language"] = "es"
    sign_in(client, world.tutor_a.email)
    assert '<html lang="es">' in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    ("full_name", "greeting"),
    [
        ("Dr Fiona McLeod", "Fiona"),
        ("Dr. Fiona McLeod", "Fiona"),
        ("Prof Ann Lee", "Ann"),
        ("Mrs Jane Smith", "Jane"),
        ("Dra. María Fernanda Rojas", "María"),
        ("Lic. José Pérez", "José"),
        ("Tom Whitfield", "Tom"),
        ("Dr", "Dr"),
        ("", "x@example.org"),
    ],
)
def test_the_greeting_uses_the_first_name_not_a_title(full_name, greeting):
    assert User(full_name=full_name, email="x@example.org").get_short_name() == greeting


def test_the_home_page_says_hello_to_the_first_name(client, world):
    world.evaluator.full_name = "Dr Fiona McLeod"
    world.evaluator.save(update_fields=["full_name"])
    client.force_login(world.evaluator)
    page = client.get(reverse("home")).content.decode()
    assert "Hello, Fiona" in page and "Hello, Dr" not in page
