"""Import previews show what schools wrote the way people say it: "Year 4",
"Reception", "14 Mar 2016", not the file's codes."""

from django import template
from django.utils.formats import date_format

from harmonia.children.models import EthnicityCode, YearGroup
from harmonia.interop.pupils import main_ethnicity, parse_date

register = template.Library()


@register.filter
def year_label(code: str) -> str:
    """ "4" → "Year 4", "R" → "Reception", "N1" → "Nursery 1"; anything else as given."""
    try:
        return str(YearGroup(code).label)
    except ValueError:
        return code or ""


@register.filter
def written_date(value: str) -> str:
    """An ISO or DD/MM/YYYY date as "14 Mar 2016" (in the reader's language)."""
    parsed = parse_date(value or "")
    return date_format(parsed, "j M Y") if parsed else (value or "")


@register.filter
def ethnicity_label(code: str) -> str:
    """ "WENG" → "White — British (WENG)"; a main code → its name."""
    main = main_ethnicity(code)
    if not main:
        return code or ""
    label = str(EthnicityCode(main).label)
    return label if main == code else f"{label} ({code})"
