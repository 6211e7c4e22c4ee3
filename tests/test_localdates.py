"""Dates read as each language writes them: "6 de septiembre de 2019", not "6 septiembre 2019"."""

import datetime as dt

from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from harmonia.children import privacy
from harmonia.localdates import format_date
from tests.children.factories import make_child


def render(source, **context):
    return Template(source).render(Context(context))


def test_a_long_date_in_spanish_has_its_prepositions():
    day = dt.date(2019, 9, 6)
    with translation.override("es"):
        assert render('{{ d|date:"j F Y" }}', d=day) == "6 de septiembre de 2019"
        assert render('{{ d|date:"l j F" }}', d=day) == "Viernes 6 de septiembre"
        assert render('{{ d|date:"F Y" }}', d=day) == "septiembre de 2019"
        assert format_date(day) == "6 de septiembre de 2019"
    with translation.override("en"):
        assert render('{{ d|date:"j F Y" }}', d=day) == "6 September 2019"
        assert format_date(day) == "6 September 2019"


def test_numeric_and_short_patterns_are_left_alone():
    day = dt.date(2019, 9, 6)
    with translation.override("es"):
        assert render('{{ d|date:"d/m/Y" }}', d=day) == "06/09/2019"
        assert render('{{ d|date:"Y-m-d" }}', d=day) == "2019-09-06"


def test_the_child_page_in_spanish_writes_the_date_of_birth_in_spanish(as_persona, world):
    ada = make_child(world, dob=dt.date(2016, 5, 1))
    client = as_persona("manager_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = client.get(ada.get_absolute_url()).content.decode()
    assert "1 de mayo de 2016" in page
    assert "1 mayo 2016" not in page


def test_the_subject_access_export_writes_dates_in_the_readers_language(world):
    ada = make_child(world, dob=dt.date(2016, 5, 1))
    with translation.override("es"):
        text = str(privacy.subject_access_sections(ada))
    assert "1 de mayo de 2016" in text
