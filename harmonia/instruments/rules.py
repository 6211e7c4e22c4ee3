"""Access rules for the instrument models (see harmonia.access)."""

from harmonia import access
from harmonia.access import Capability as C
from harmonia.access import Rule


def register() -> None:
    from harmonia.instruments import models as m

    for name, centre, programme in m.SCOPES:
        access.register(getattr(m, name), Rule(C.VIEW_INSTRUMENTS, centre, programme))
    for name in m.PROGRAMME_SCOPES:
        access.register(
            getattr(m, name),
            Rule(C.VIEW_INSTRUMENTS, "programme__centres", "programme", distinct=True),
        )
