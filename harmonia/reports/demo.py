"""Demo data for dashboards: the rollup is rebuilt from whatever registers the
demo holds (idempotent; a second run gives the same rows)."""

from harmonia.reports.rollups import rebuild_all


def load_reports_demo() -> int:
    return rebuild_all()
