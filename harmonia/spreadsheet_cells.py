"""Spreadsheet cells that cannot run: the one guard every CSV and XLSX writer uses.

A text cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or a carriage
return, which some programs strip before reading the rest) is read by Excel,
LibreOffice and Google Sheets as a formula. A school named
``=HYPERLINK("http://evil.example","x")`` would then become a live link in a
funder's download, and ``+cmd|' /C calc'!A0`` (DDE) can run a program.

Following the OWASP guidance on CSV injection, such text gets a leading single
quote (``'=HYPERLINK(…)``): spreadsheet programs show it as text and people can
still read it. Numbers, dates and booleans are written as what they are, so a
real negative number (``-3``) stays a number and sums still work; only text is
escaped. ``None`` becomes an empty cell.

Every writer goes through :func:`safe_cell` / :func:`safe_row` (a test fails
when a ``csv.writer`` or ``Workbook`` appears anywhere else in ``harmonia/``
without them), and :func:`csv_writer` / :func:`workbook` are the only way a
module should create one.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Text that is exactly a number ("-3", "-1.5") is a number, not a formula; it is
# left alone so a table already formatted as text keeps its negative figures.
_NUMBER = re.compile(r"-?\d+(\.\d+)?")

_PLAIN = (bool, int, float, Decimal, dt.date, dt.datetime, dt.time, dt.timedelta)


def safe_cell(value: Any) -> Any:
    """``value`` as a cell no spreadsheet will treat as a formula."""
    if value is None:
        return ""
    if isinstance(value, _PLAIN):
        return value
    text = str(value)  # lazy translations, model instances, anything else
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


class SafeCSVWriter:
    """``csv.writer`` whose every cell goes through :func:`safe_cell`."""

    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]):
        for row in rows:
            self.writerow(row)


def csv_writer(out, **kwargs) -> SafeCSVWriter:
    return SafeCSVWriter(out, **kwargs)


def append(sheet, row: Iterable[Any]) -> None:
    """``sheet.append(row)`` with every cell made safe."""
    sheet.append(safe_row(row))


def set_cell(sheet, *, row: int, column: int, value: Any):
    return sheet.cell(row=row, column=column, value=safe_cell(value))


def workbook():
    """A new openpyxl ``Workbook`` (import here so writers need not name it)."""
    from openpyxl import Workbook

    return Workbook()
