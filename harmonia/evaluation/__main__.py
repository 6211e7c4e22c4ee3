"""``python -m harmonia.evaluation`` runs the ``harmonia-evaluate`` command line."""

from .cli import main

raise SystemExit(main())
