"""Harmonia: software for El Sistema-inspired music-education programmes."""

__version__ = "0.1.0"  # the release; keep in step with pyproject.toml
