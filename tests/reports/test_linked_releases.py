"""One protected base for every release: derived figures, languages, and the
partition rule on plain data (the whole-system attack is test_disclosure_attack)."""

import csv
import datetime as dt
import io
import random
from decimal import Decimal

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone
from scipy.optimize import linprog

from harmonia.programmes.models import Grant
from harmonia.reports import disclosure, services
from harmonia.reports.rollups import academic_year

THRESHOLD = 5


def _this_years_programme_grant(world, amount="39000"):
    year = academic_year(timezone.localdate())
    return Grant.objects.create(
        programme=world.england,
        funder=world.grant_a.funder,
        purpose="Whole programme",
        amount=Decimal(amount),
        start=dt.date(year, 9, 1),
        end=dt.date(year + 1, 8, 31),
    )


def _dashboard(client, user, programme):
    client.force_login(user)
    response = client.get(reverse("reports:programme_dashboard", args=[programme.pk]))
    assert response.status_code == 200
    return response


def _row(data, centre):
    return next(r for r in data["centres"] if r["centre"].pk == centre.pk)


def test_income_never_gives_away_a_hidden_number_of_children(client, world, registers):
    # 39,000 shared by 13 children reached: 3,000 a child. Lambeth's 3 children
    # would be its income ÷ 3,000; Liverpool's share would give the 3,000.
    _this_years_programme_grant(world)
    response = _dashboard(client, world.funder, world.england)
    data = response.context["data"]
    lambeth, liverpool = _row(data, world.centre_b), _row(data, world.centre_a)
    assert lambeth["reached"] is None
    assert lambeth["income"] == 0 and lambeth["cost_per_child"] is None
    own = round(Decimal(45000) / 3)  # Liverpool's own grant, one year of three
    assert abs(liverpool["income"] - own) <= 1
    assert data["totals"]["income"] == round(Decimal(39000) + Decimal(45000) / 3)
    assert data["totals"]["cost_per_child"] is None
    assert "Programme-wide grants (39,000 GBP) are counted in the total only" in (
        response.content.decode()
    )
    lead = _dashboard(client, world.programme_lead, world.england).context["data"]
    assert _row(lead, world.centre_b)["income"] == 9000  # the lead sees the true shares


def _csv_cells(client, world, lang):
    job = services.start_export(
        by=world.funder,
        programme=world.england,
        kind="annual_return",
        fmt="csv",
        language=lang,
        suppress=True,
        year=academic_year(timezone.localdate()),
    )
    rows = list(csv.reader(io.StringIO(job.file.read().decode("utf-8-sig"))))
    # the numbers (and hidden marks) of each table, without its words
    return [[v for v in row if v == "[c]" or v.replace(".", "").isdigit()] for row in rows[4:]]


def test_english_and_spanish_hide_the_same_cells(client, world, registers):
    english, spanish = _csv_cells(client, world, "en"), _csv_cells(client, world, "es")
    assert sum(row.count("[c]") for row in english) >= 3
    assert english == spanish


def _range(cells, total, hidden, key):
    """Smallest and largest value of ``key`` given the shown cells and the total."""
    order = sorted(hidden)
    rest = total - sum(v for k, v in cells.items() if k not in hidden)
    c = np.array([1.0 if k == key else 0.0 for k in order])
    a_eq, b_eq = np.ones((1, len(order))), np.array([rest])
    low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None)).fun
    high = -linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None)).fun
    return low, high


@pytest.mark.slow
def test_every_hidden_cell_of_a_partition_keeps_a_range_of_the_threshold():
    rng = random.Random(4)
    checked = 0
    for _ in range(300):
        cells = {j: rng.choice([0, 0, 1, 2, 3, 4, 5, 8, 20]) for j in range(rng.randint(2, 8))}
        unpublished = {0} if rng.random() < 0.3 else set()
        hidden = disclosure.protect_partition(cells, THRESHOLD, unpublished)
        total = sum(cells.values())
        assert not any(0 < v < THRESHOLD for k, v in cells.items() if k not in hidden)
        if 0 < total < THRESHOLD:
            assert hidden == set(cells)  # the total itself is hidden: nothing to solve
            continue
        for key in hidden:
            low, high = _range(cells, total, hidden, key)
            assert high - low >= THRESHOLD, (cells, hidden, key, low, high)
            checked += 1
    assert checked > 200
