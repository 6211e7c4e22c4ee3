"""The report's language, with the standard library's gettext (the engine stays pure).

The engine's messages are written in English inside ``_()``; the Spanish catalogue is
``harmonia/evaluation/locale/es/LC_MESSAGES/evaluation.po`` (compiled ``.mo`` beside
it). ``with language("es"):`` makes every ``_()`` in the block Spanish; outside one,
English. ``tests/evaluation/test_report_language.py`` fails when a message has no
Spanish entry. Refresh the catalogue with ``make messages`` (docs/evaluation.md)."""

from __future__ import annotations

import contextvars
import gettext
from contextlib import contextmanager
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "evaluation"
LANGUAGES = ("en", "es")

_ENGLISH = gettext.NullTranslations()
_current: contextvars.ContextVar[gettext.NullTranslations | None] = contextvars.ContextVar(
    "evaluation_language", default=None
)
_code: contextvars.ContextVar[str] = contextvars.ContextVar("evaluation_code", default="en")


def _catalogue(code: str) -> gettext.NullTranslations:
    if code == "en":
        return _ENGLISH
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[code])


@contextmanager
def language(code: str | None):
    """Write messages in ``code`` ("en" or "es") inside the block."""
    code = (code or "en").split("-")[0].lower()
    if code not in LANGUAGES:
        from .errors import EvaluationError

        raise EvaluationError(f"language must be one of {', '.join(LANGUAGES)}, got {code!r}")
    token, token_code = _current.set(_catalogue(code)), _code.set(code)
    try:
        yield
    finally:
        _current.reset(token)
        _code.reset(token_code)


def current() -> str:
    return _code.get()


def _(message: str) -> str:
    return (_current.get() or _ENGLISH).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return (_current.get() or _ENGLISH).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for the catalogue without translating it yet (tables of names)."""
    return message
