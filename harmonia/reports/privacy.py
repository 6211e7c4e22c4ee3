"""What the reports app holds about a child (registered with
``harmonia.children.privacy.registry`` from ReportsConfig.ready)."""

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from harmonia.children.privacy import Erasure, Files, registry
    from harmonia.reports import models as m

    registry.exempt(
        m.ChildAttendance,
        export=_("Counts worked out from the attendance marks, which the export holds in full."),
    )
    # Counts per child: no name, and the attendance figures need them.
    registry.erasure(Erasure(m.ChildAttendance, "child", "keep"))
    # An export file that names the child is deleted (the job row says it is gone).
    registry.file(Files(m.ExportJob, "file", "programme"))
