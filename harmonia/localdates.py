"""Dates in the reader's language: templates write one pattern, each language reads its own.

Templates and code write dates with English patterns (``{{ d|date:"j F Y" }}``). In
Spanish a long date reads "6 de septiembre de 2019", so each English pattern that
names a month in full has a Spanish counterpart here. This module is a template
library added to every template as a builtin (settings ``TEMPLATES``): its ``date``
filter replaces Django's with one that looks the pattern up for the active language
first, so no template can forget. Python code uses :func:`format_date`.
"""

from django import template
from django.template.defaultfilters import date as django_date
from django.utils.formats import date_format
from django.utils.translation import get_language

register = template.Library()

# English pattern -> the same date as the language writes it. Patterns not listed read
# the same in every language (numbers, abbreviated months and weekdays).
PATTERNS = {
    "es": {
        "j F Y": r"j \d\e F \d\e Y",
        "j F Y H:i": r"j \d\e F \d\e Y H:i",
        "j F Y, H:i": r"j \d\e F \d\e Y, H:i",
        "l j F": r"l j \d\e F",
        "l j F Y": r"l j \d\e F \d\e Y",
        "F Y": r"F \d\e Y",
        "j F": r"j \d\e F",
        "D j F": r"D j \d\e F",
    },
}


def pattern_for(pattern: str, language: str | None = None) -> str:
    language = (language or get_language() or "en").split("-")[0]
    return PATTERNS.get(language, {}).get(pattern, pattern)


def format_date(value, pattern: str = "j F Y") -> str:
    """``value`` (a date or datetime) written with ``pattern`` in the active language."""
    return date_format(value, pattern_for(pattern)) if value is not None else ""


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    return django_date(value, pattern_for(arg) if arg else arg)
