"""Development-only data never reaches a production database.

The demo loader and the synthetic seed write made-up children, guardians and
well-known passwords. They run in ``demo`` and ``test`` mode only; in
``production`` mode (the default, ``HARMONIA_MODE`` unset) they stop before
touching the database (Zulip keeps ``populate_db`` out of production the same way).
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def refuse_in_production(command: str) -> None:
    if settings.MODE == "production":
        raise CommandError(
            _(
                "%(command)s writes made-up children and demo passwords, so it does not run in "
                "production mode. Set HARMONIA_MODE=demo on a machine of its own to try Harmonia."
            )
            % {"command": command}
        )
