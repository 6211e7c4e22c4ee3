"""Form widgets shared by the apps."""

from django.utils.translation import gettext_lazy as _


def make_searchable(field, *, label) -> None:
    """A long dropdown gets a filter box above it (static/harmonia/searchable-select.js).
    Progressive enhancement: without JavaScript it is the ordinary dropdown, and the
    value sent is the dropdown's, so validation and scoping are unchanged."""
    field.widget.attrs.update(
        {
            "data-searchable": "",
            "data-search-label": label,
            "data-search-count": _("%(count)s found"),
            "data-search-none": _("Nothing found: clear the box to see everyone."),
        }
    )
