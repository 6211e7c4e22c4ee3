"""The documented sizing tables (pure Python)."""

import datetime as dt

import pytest

from harmonia.instruments import sizing


@pytest.mark.parametrize(
    ("arm", "size"),
    [(36, "1/16"), (39, "1/10"), (44, "1/8"), (48, "1/4"), (52, "1/2"), (56.5, "3/4"), (60, "4/4")],
)
def test_violin_by_arm_length(arm, size):
    assert sizing.suggest_size("violin", born=None, on=dt.date(2026, 9, 3), arm_cm=arm) == (
        size,
        "arm",
    )


def test_age_is_the_fallback_and_cello_always_uses_age():
    born = dt.date(2018, 10, 1)
    on = dt.date(2026, 9, 3)  # 7 years old
    assert sizing.suggest_size("violin", born=born, on=on, arm_cm=None) == ("1/4", "age")
    assert sizing.suggest_size("cello", born=born, on=on, arm_cm=60) == ("1/4", "age")
    assert sizing.suggest_size("flute", born=born, on=on, arm_cm=None) == (None, "")


def test_viola_sizes_are_in_inches():
    assert sizing.suggest_size("viola", born=None, on=dt.date(2026, 1, 1), arm_cm=64) == (
        "14",
        "arm",
    )


def test_bigger_and_next_term():
    assert sizing.is_bigger("violin", "1/2", "1/4")
    assert not sizing.is_bigger("violin", "1/4", "1/4")
    assert sizing.next_term_start(dt.date(2026, 11, 25)) == dt.date(2027, 1, 6)
    assert sizing.next_term_start(dt.date(2026, 5, 1)) == dt.date(2026, 9, 3)
