"""Money formatting in the active language: £1,500,000 / 1.500.000 £."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()

SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "US$", "VES": "Bs."}


@register.filter
def money(amount, currency: str = "GBP") -> str:
    if amount is None:
        return "—"
    value = Decimal(amount)
    places = 0 if value == value.to_integral_value() else 2
    number = number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
    return f"{SYMBOLS.get(currency, currency + ' ')}{number}"
