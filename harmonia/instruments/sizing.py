"""String-instrument sizing: the documented tables Harmonia suggests sizes from.

Pure Python, no Django. Arm length is measured with the arm stretched out
sideways, from the side of the neck to the middle of the palm. Where a child has
an arm measurement it decides (violin and viola); otherwise, and for cello and
double bass (sized by height and reach, which a quick measure misses), age
decides. The tables follow the common makers' charts (e.g. Shar, Stentor).

    Violin, arm length (cm)      Violin, age fallback
      under 39     1/16            under 5    1/16
      39 – 42.9    1/10            5          1/10
      43 – 46.9    1/8             6          1/8
      47 – 50.9    1/4             7          1/4
      51 – 55.9    1/2             8 – 9      1/2
      56 – 57.9    3/4             10 – 11    3/4
      58 and over  4/4             12 and up  4/4

    Viola, arm length (cm)       Viola, age fallback
      under 56     11"             under 9    11"
      56 – 60.9    12"             9 – 10     12"
      61 – 62.9    13"             11 – 12    13"
      63 – 65.9    14"             13         14"
      66 – 68.9    15"             14 – 15    15"
      69 – 70.9    15.5"           16 and up  15.5"
      71 – 72.9    16"
      73 and over  16.5"

    Cello, age                   Double bass, age
      under 4      1/16            under 9    1/8
      4            1/10            9 – 11     1/4
      5            1/8             12 – 14    1/2
      6 – 7        1/4             15 and up  3/4
      8 – 10       1/2
      11 – 13      3/4
      14 and up    4/4
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

VIOLIN_SIZES = ["1/16", "1/10", "1/8", "1/4", "1/2", "3/4", "7/8", "4/4"]
CELLO_SIZES = ["1/16", "1/10", "1/8", "1/4", "1/2", "3/4", "7/8", "4/4"]
VIOLA_SIZES = ["11", "12", "13", "14", "15", "15.5", "16", "16.5"]
BASS_SIZES = ["1/8", "1/4", "1/2", "3/4", "4/4"]
FULL = "full"

SIZES_FOR = {
    "violin": VIOLIN_SIZES,
    "viola": VIOLA_SIZES,
    "cello": CELLO_SIZES,
    "double_bass": BASS_SIZES,
}

# (lower bound, size): the last row whose bound the value reaches.
VIOLIN_BY_ARM = [
    (0, "1/16"),
    (39, "1/10"),
    (43, "1/8"),
    (47, "1/4"),
    (51, "1/2"),
    (56, "3/4"),
    (58, "4/4"),
]
VIOLA_BY_ARM = [
    (0, "11"), (56, "12"), (61, "13"), (63, "14"),
    (66, "15"), (69, "15.5"), (71, "16"), (73, "16.5"),
]  # fmt: skip
VIOLIN_BY_AGE = [
    (0, "1/16"),
    (5, "1/10"),
    (6, "1/8"),
    (7, "1/4"),
    (8, "1/2"),
    (10, "3/4"),
    (12, "4/4"),
]
VIOLA_BY_AGE = [(0, "11"), (9, "12"), (11, "13"), (13, "14"), (14, "15"), (16, "15.5")]
CELLO_BY_AGE = [
    (0, "1/16"),
    (4, "1/10"),
    (5, "1/8"),
    (6, "1/4"),
    (8, "1/2"),
    (11, "3/4"),
    (14, "4/4"),
]
BASS_BY_AGE = [(0, "1/8"), (9, "1/4"), (12, "1/2"), (15, "3/4")]

BY_ARM = {"violin": VIOLIN_BY_ARM, "viola": VIOLA_BY_ARM}
BY_AGE = {
    "violin": VIOLIN_BY_AGE,
    "viola": VIOLA_BY_AGE,
    "cello": CELLO_BY_AGE,
    "double_bass": BASS_BY_AGE,
}


def _lookup(table, value) -> str:
    size = table[0][1]
    for bound, candidate in table:
        if value >= bound:
            size = candidate
    return size


def age_on(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def suggest_size(
    instrument_type: str, *, born: dt.date | None, on: dt.date, arm_cm: Decimal | float | None
) -> tuple[str | None, str]:
    """The size to suggest, and what it was worked out from ("arm" or "age").
    ``(None, "")`` for instruments that are not sized."""
    if instrument_type in BY_ARM and arm_cm is not None:
        return _lookup(BY_ARM[instrument_type], float(arm_cm)), "arm"
    if instrument_type in BY_AGE and born is not None:
        return _lookup(BY_AGE[instrument_type], age_on(born, on)), "age"
    return None, ""


def is_bigger(instrument_type: str, size: str, than: str) -> bool:
    sizes = SIZES_FOR.get(instrument_type)
    if not sizes or size not in sizes or than not in sizes:
        return False
    return sizes.index(size) > sizes.index(than)


def next_term_start(today: dt.date) -> dt.date:
    """The first day of the next school term in England (approximate: early
    January, after Easter in mid-April, early September)."""
    for year in (today.year, today.year + 1):
        for start in (dt.date(year, 1, 6), dt.date(year, 4, 20), dt.date(year, 9, 3)):
            if start > today:
                return start
    raise AssertionError("unreachable")
