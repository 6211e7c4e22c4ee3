"""The report pages a funder reads (issue 11): a grant's page links to its report;
the annual return has one year picker and speaks Spanish all over with ?lang=es."""

import re

from django.urls import reverse


def test_a_grants_page_links_to_its_report(client, world):
    report = reverse("reports:grant_report", args=[world.grant_a.pk])
    for persona in ("programme_lead", "funder", "manager_a"):
        client.force_login(world.people[persona])
        html = client.get(reverse("programmes:grant_detail", args=[world.grant_a.pk])).content
        assert f'href="{report}"'.encode() in html, persona
        assert client.get(report).status_code == 200, persona
    # ... and the report names its grant, with a way back.
    html = client.get(report).content.decode()
    assert reverse("programmes:grant_detail", args=[world.grant_a.pk]) in html


def test_the_report_link_is_offered_only_to_who_may_open_it(client, world):
    """For every persona and grant whose page opens: the link is there exactly when
    the report would open too."""
    checked = 0
    for persona in world.people:
        client.force_login(world.people[persona])
        for grant in (world.grant_a, world.grant_programme, world.grant_v):
            page = client.get(reverse("programmes:grant_detail", args=[grant.pk]))
            if page.status_code != 200:
                continue
            report = reverse("reports:grant_report", args=[grant.pk])
            opens = client.get(report).status_code == 200
            assert (f'href="{report}"'.encode() in page.content) == opens, (persona, grant)
            checked += 1
    assert checked >= 4


def test_the_annual_return_has_one_year_picker(client, world, registers):
    client.force_login(world.people["funder"])
    html = client.get(reverse("reports:annual_return", args=[world.england.pk])).content.decode()
    assert len(re.findall(r'<select[^>]+name="year"', html)) == 1
    assert len(re.findall(r'<select[^>]+name="lang"', html)) == 1
    # The download takes the year and language shown.
    form = html[html.index('action="/downloads/new/"') :]
    form = form[: form.index("</form>")]
    assert 'type="hidden" name="year"' in form and 'type="hidden" name="lang"' in form


def test_the_annual_return_speaks_spanish_with_lang_es(client, world, registers):
    client.force_login(world.people["funder"])
    url = reverse("reports:annual_return", args=[world.england.pk])
    html = client.get(url, {"lang": "es"}).content.decode()
    text = re.sub(r"<[^>]+>", " ", html[html.index("<main") :])
    for english in ("Download", "Language", "Show year", "Hours of music"):
        assert not re.search(rf"\b{english}\b", text), english
    for spanish in ("Descargar", "Idioma", "Mostrar", "Declaración anual de datos"):
        assert spanish in text, spanish
