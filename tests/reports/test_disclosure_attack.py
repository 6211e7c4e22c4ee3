"""The attack of issue 10, as a test: everything a funder (or an evaluator) can
open about one programme's year — dashboards, every centre's dashboard and page,
every grant report, the annual return, their CSV files — read through the real
views as that persona and solved as one linear system (``tests/reports/attack.py``
says what the attacker knows). No hidden number may be pinned to a range
narrower than the suppression threshold."""

import pytest

from harmonia.accounts.models import Membership, Role, User
from harmonia.reports.dashboard import threshold
from harmonia.reports.seed import seed
from tests.reports.attack import attack


def _report(harvest, narrow):
    lines = [f"{where}: {lo:.2f} to {hi:.2f}" for where, lo, hi in sorted(narrow)[:25]]
    return (
        f"{len(narrow)} hidden numbers pinned to less than {harvest.system.threshold} "
        f"({harvest.pages} pages, {harvest.system.shown} numbers shown):\n" + "\n".join(lines)
    )


@pytest.mark.slow
def test_nothing_hidden_can_be_worked_out_from_everything_shown_on_the_demo(client, demo):
    # One demo for both personas (loading it is most of the cost).
    for email in ("funder@inharmony.demo", "evaluator@inharmony.demo"):
        harvest = attack(client, User.objects.get(email=email), demo, threshold())
        assert harvest.pages >= 10 and harvest.system.shown > 200, "the attack read too little"
        assert harvest.system.hidden, "the demo has small numbers: some must be hidden"
        narrow = harvest.system.too_narrow()
        assert not narrow, f"{email}: " + _report(harvest, narrow)


@pytest.mark.slow
def test_nothing_hidden_can_be_worked_out_on_seeded_data(client, db):
    result = seed(children=160, years=2, centres=4, seed_value=11, name="Attacked")
    for role in (Role.FUNDER_VIEWER, Role.EVALUATOR):
        user = User.objects.create_user(f"{role}@example.org")
        Membership.objects.create(user=user, role=role, programme=result.programme)
        harvest = attack(client, user, result.programme, threshold())
        assert harvest.pages >= 8 and harvest.system.shown > 100, "the attack read too little"
        assert harvest.system.hidden, "seeded centres have small groups: some must be hidden"
        narrow = harvest.system.too_narrow()
        assert not narrow, f"{role}: " + _report(harvest, narrow)
