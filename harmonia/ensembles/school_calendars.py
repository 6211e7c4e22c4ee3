"""School calendars per country: the names of the terms, the usual shape of a school
year, and the public holidays on which nothing meets. Pure code (no database).

* **England (GB)**: three terms, autumn, spring and summer, each with a half-term
  week; bank holidays (New Year, Good Friday, Easter Monday, the May, spring and
  summer bank holidays, Christmas and Boxing Day, moved to the Monday/Tuesday when
  they fall at a weekend).
* **Venezuela (VE)**: the school year runs mid-September to mid-July in three
  *lapsos* (primer, segundo, tercer lapso); no school at Christmas (about 20 Dec to
  6 Jan), at Carnaval (the Monday and Tuesday before Ash Wednesday) or in Semana Santa
  (Holy Week); national holidays 1 Jan, 19 Apr, 1 May, 24 Jun (Batalla de Carabobo),
  5 Jul (Independencia), 24 Jul (Natalicio de Simón Bolívar), 12 Oct (Día de la
  Resistencia Indígena), 24–25 and 31 Dec.

Term names are translated through the catalogue with a context per country, so a
Venezuelan term is "Primer lapso" in Spanish and "First lapso" in English, never
"Otoño" (the season names are England's, and wrong south of the tropics anyway).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import pgettext_lazy

D = dt.date

# The three terms of a school year by country; index 1, 2, 3 as in the rollups.
TERM_NAMES = {
    "GB": {
        1: pgettext_lazy("school term in England", "Autumn term"),
        2: pgettext_lazy("school term in England", "Spring term"),
        3: pgettext_lazy("school term in England", "Summer term"),
    },
    "VE": {
        1: pgettext_lazy("school term in Venezuela", "First lapso"),
        2: pgettext_lazy("school term in Venezuela", "Second lapso"),
        3: pgettext_lazy("school term in Venezuela", "Third lapso"),
    },
}
SHORT_NAMES = {
    "GB": {
        1: pgettext_lazy("short name of the autumn term", "Aut"),
        2: pgettext_lazy("short name of the spring term", "Spr"),
        3: pgettext_lazy("short name of the summer term", "Sum"),
    },
    "VE": {
        1: pgettext_lazy("short name of the first lapso", "L1"),
        2: pgettext_lazy("short name of the second lapso", "L2"),
        3: pgettext_lazy("short name of the third lapso", "L3"),
    },
}
GENERIC = {
    1: pgettext_lazy("school term", "Term 1"),
    2: pgettext_lazy("school term", "Term 2"),
    3: pgettext_lazy("school term", "Term 3"),
}


def calendar_country(country: str) -> str:
    """The calendar a programme follows: its country's, or England's shape by default."""
    country = (country or "").upper()
    return country if country in TERM_NAMES else "GB"


def term_name(country: str, term: int) -> str:
    names = TERM_NAMES.get((country or "").upper())
    return str(names[term] if names else GENERIC[term])


def term_short_name(country: str, term: int) -> str:
    names = SHORT_NAMES.get((country or "").upper())
    return str(names[term] if names else GENERIC[term])


def easter(year: int) -> dt.date:
    """Easter Sunday (Gregorian; the anonymous algorithm of Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return D(year, month, day)


@dataclass(frozen=True)
class Closure:
    """A named date range: a public holiday (``public``) or a school holiday."""

    name: str
    start: dt.date
    end: dt.date
    public: bool = True


def _weekday_on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def _last_weekday(year: int, month: int, weekday: int) -> dt.date:
    last = D(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _substitute(day: dt.date, taken: set[dt.date]) -> dt.date:
    """An English bank holiday at a weekend moves to the next free weekday."""
    while day.weekday() >= 5 or day in taken:
        day += dt.timedelta(days=1)
    return day


def public_holidays(country: str, year: int) -> list[Closure]:
    """The public holidays of calendar ``year`` (names in the country's language, as
    they are written on the country's calendars)."""
    country = (country or "").upper()
    e = easter(year)
    if country == "VE":
        one = [
            ("Año Nuevo", D(year, 1, 1)),
            ("Declaración de la Independencia", D(year, 4, 19)),
            ("Día del Trabajador", D(year, 5, 1)),
            ("Batalla de Carabobo", D(year, 6, 24)),
            ("Día de la Independencia", D(year, 7, 5)),
            ("Natalicio del Libertador", D(year, 7, 24)),
            ("Día de la Resistencia Indígena", D(year, 10, 12)),
            ("Nochebuena y Navidad", D(year, 12, 24)),
            ("Fin de año", D(year, 12, 31)),
        ]
        rows = [Closure(n, d, d) for n, d in one]
        rows[-2] = Closure("Nochebuena y Navidad", D(year, 12, 24), D(year, 12, 25))
        rows.append(Closure("Carnaval", e - dt.timedelta(days=48), e - dt.timedelta(days=47)))
        rows.append(Closure("Semana Santa", e - dt.timedelta(days=6), e - dt.timedelta(days=2)))
        return sorted(rows, key=lambda c: c.start)
    if country == "GB":
        taken: set[dt.date] = set()
        rows = []
        for name, day in [
            ("New Year's Day", D(year, 1, 1)),
            ("Christmas Day", D(year, 12, 25)),
            ("Boxing Day", D(year, 12, 26)),
        ]:
            moved = _substitute(day, taken)
            taken.add(moved)
            rows.append(Closure(name, moved, moved))
        rows += [
            Closure("Good Friday", e - dt.timedelta(days=2), e - dt.timedelta(days=2)),
            Closure("Easter Monday", e + dt.timedelta(days=1), e + dt.timedelta(days=1)),
            Closure("Early May bank holiday", *[_weekday_on_or_after(D(year, 5, 1), 0)] * 2),
            Closure("Spring bank holiday", *[_last_weekday(year, 5, 0)] * 2),
            Closure("Summer bank holiday", *[_last_weekday(year, 8, 0)] * 2),
        ]
        return sorted(rows, key=lambda c: c.start)
    return []


@dataclass(frozen=True)
class TermSpec:
    name: str
    start: dt.date
    end: dt.date
    kind: str = "term"  # or "holiday" (a school holiday inside or between terms)


def school_year(country: str, start_year: int) -> list[TermSpec]:
    """The usual terms and school holidays of the school year that starts in
    September ``start_year``, named as the country names them (Spanish for Venezuela:
    the names are the centre's own data, as a school would write them)."""
    country = calendar_country(country)
    y, n = start_year, start_year + 1
    e = easter(n)
    label = f"{y}–{str(n)[-2:]}"
    if country == "VE":
        carnaval = e - dt.timedelta(days=48)
        holy_monday = e - dt.timedelta(days=6)
        return [
            TermSpec(f"Primer lapso {label}", _weekday_on_or_after(D(y, 9, 15), 0), D(y, 12, 18)),
            TermSpec(f"Vacaciones de Navidad {y}", D(y, 12, 19), D(n, 1, 6), "holiday"),
            TermSpec(f"Segundo lapso {label}", D(n, 1, 7), holy_monday - dt.timedelta(days=3)),
            TermSpec(f"Carnaval {n}", carnaval, carnaval + dt.timedelta(days=1), "holiday"),
            TermSpec(f"Semana Santa {n}", holy_monday, e - dt.timedelta(days=2), "holiday"),
            TermSpec(f"Tercer lapso {label}", holy_monday + dt.timedelta(days=7), D(n, 7, 17)),
            TermSpec(f"Vacaciones escolares {n}", D(n, 7, 18), D(n, 9, 14), "holiday"),
        ]
    autumn_start = _weekday_on_or_after(D(y, 9, 1), 2)  # the first Wednesday
    half_term = _last_weekday(y, 10, 0)
    spring_start = _weekday_on_or_after(D(n, 1, 4), 0)
    easter_break = e - dt.timedelta(days=6 if e.month == 4 and e.day > 10 else 13)
    return [
        TermSpec(f"Autumn term {y}", autumn_start, _last_weekday(y, 12, 4) - dt.timedelta(days=7)),
        TermSpec(f"October half term {y}", half_term, half_term + dt.timedelta(days=4), "holiday"),
        TermSpec(f"Spring term {n}", spring_start, easter_break - dt.timedelta(days=3)),
        TermSpec(
            f"February half term {n}",
            _weekday_on_or_after(D(n, 2, 14), 0),
            _weekday_on_or_after(D(n, 2, 14), 0) + dt.timedelta(days=4),
            "holiday",
        ),
        TermSpec(
            f"Easter holidays {n}", easter_break, easter_break + dt.timedelta(days=11), "holiday"
        ),
        TermSpec(f"Summer term {n}", easter_break + dt.timedelta(days=14), D(n, 7, 22)),
        TermSpec(
            f"May half term {n}",
            _last_weekday(n, 5, 0),
            _last_weekday(n, 5, 0) + dt.timedelta(days=4),
            "holiday",
        ),
    ]
