"""send_safeguarding_alerts: managers hear of lapsed and soon-expiring checks."""

import datetime as dt
from io import StringIO

from django.core import mail
from django.core.management import call_command

from tests.staff.builders import TODAY, fully_checked


def test_the_manager_is_alerted_30_days_before_a_dbs_lapses(world):
    # The DBS lapses in exactly 30 days' time.
    issued = TODAY - dt.timedelta(days=3 * 365 - 30)
    fully_checked(world, "Tina Tutor", dbs_issued=issued, user=world.tutor_a)
    fully_checked(world, "Clara Clear")
    out = StringIO()
    call_command("send_safeguarding_alerts", stdout=out)
    assert "Tina Tutor (expiring)" in out.getvalue()
    assert "Clara Clear" not in out.getvalue()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == {world.manager_a.email, world.safeguarding_a.email}
    assert "Tina Tutor" in message.body
    assert (TODAY + dt.timedelta(days=30)).isoformat() in message.body


def test_31_days_ahead_is_not_yet_an_alert(world):
    fully_checked(world, dbs_issued=TODAY - dt.timedelta(days=3 * 365 - 31))
    call_command("send_safeguarding_alerts", stdout=StringIO())
    assert mail.outbox == []


def test_lapsed_checks_are_listed_too(world):
    fully_checked(world, "Larry Lapsed", dbs_issued=TODAY - dt.timedelta(days=4 * 365))
    out = StringIO()
    call_command("send_safeguarding_alerts", "--days", "7", stdout=out)
    assert "Larry Lapsed (lapsed)" in out.getvalue()
    assert "Larry Lapsed" in mail.outbox[0].body


def test_each_centre_hears_only_of_its_own_people(world):
    fully_checked(world, "Liverpool Lapsed", dbs_issued=TODAY - dt.timedelta(days=4 * 365))
    fully_checked(
        world,
        "Lambeth Lapsed",
        dbs_issued=TODAY - dt.timedelta(days=4 * 365),
        centre=world.centre_b,
    )
    call_command("send_safeguarding_alerts", stdout=StringIO())
    to_liverpool = [m for m in mail.outbox if world.manager_a.email in m.to]
    assert len(to_liverpool) == 1
    assert "Lambeth Lapsed" not in to_liverpool[0].body
