"""Home: each person sees their roles and the navigation their roles allow."""

from django.urls import reverse

from harmonia.accounts.models import Membership, Role


def nav_labels(response):
    return [item.label for item in response.context["nav_items"]]


def test_a_tutor_sees_their_centre_and_programme_but_no_management(as_persona, world):
    response = as_persona("tutor_a").get(reverse("home"))
    labels = nav_labels(response)
    # Feature apps add their own items (Instruments, ...); the structure stays.
    assert labels[0] == "Home"
    assert labels.index("In Harmony Liverpool") < labels.index("In Harmony England")
    assert "People and roles" not in labels and "Staff" not in labels


def test_the_programme_lead_sees_people_and_structure(as_persona, world):
    response = as_persona("programme_lead").get(reverse("home"))
    labels = nav_labels(response)
    assert labels[:2] == ["Home", "In Harmony England"]
    assert "People and roles" in labels and "Areas, organisations and funders" in labels
    assert "Single central record" in labels


def test_one_person_may_hold_several_roles(as_persona, world):
    Membership.objects.create(user=world.tutor_a, role=Role.TUTOR, centre=world.centre_b)
    response = as_persona("tutor_a").get(reverse("home"))
    assert [m.centre.name for m in response.context["centre_roles"]] == [
        "In Harmony Lambeth",
        "In Harmony Liverpool",
    ]
    lambeth = as_persona("tutor_a").get(
        reverse("programmes:centre_detail", args=[world.centre_b.pk])
    )
    assert lambeth.status_code == 200


def test_the_current_page_is_marked_in_the_navigation(as_persona, world):
    response = as_persona("tutor_a").get(
        reverse("programmes:centre_detail", args=[world.centre_a.pk])
    )
    current = [item.label for item in response.context["nav_items"] if item.current]
    assert current == ["In Harmony Liverpool"]
    assert 'aria-current="page"' in response.content.decode()


def test_the_spanish_switch_turns_the_pages_spanish(as_persona, world):
    client = as_persona("tutor_a")
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.status_code == 302
    page = client.get(reverse("home")).content.decode()
    assert '<html lang="es">' in page
    assert "Tus centros" in page
    assert "Ir al contenido principal" in page


def test_a_person_reads_their_preferred_language_until_they_switch(as_persona, world):
    world.outsider.preferred_language = "es"
    world.outsider.save(update_fields=["preferred_language"])
    client = as_persona("outsider")
    page = client.get(reverse("home")).content.decode()
    assert '<html lang="es">' in page
    client.cookies["django_language"] = "en"  # the language switch's choice wins
    assert '<html lang="en">' in client.get(reverse("home")).content.decode()
