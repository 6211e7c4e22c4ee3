from django import template
from django.utils.formats import number_format

from harmonia.reports.dashboard import HIDDEN_MARK

register = template.Library()


@register.filter
def cell(value, suffix=""):
    """A number for a table: hidden numbers as [c], thousands separated."""
    if value is None:
        return HIDDEN_MARK
    if isinstance(value, float):
        return f"{number_format(value, 1, force_grouping=True)}{suffix}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{number_format(value, force_grouping=True)}{suffix}"
    return value
