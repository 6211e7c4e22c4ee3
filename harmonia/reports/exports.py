"""Write a :class:`~harmonia.reports.returns.Report` as XLSX, CSV or PDF.

The writers only ever see the tables of a report, which are already
suppressed for the reader, so no format can leak a hidden number.
"""

from __future__ import annotations

import io
import re

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from harmonia.reports.cells import HIDDEN_MARK, NO_DATA
from harmonia.reports.returns import Report
from harmonia.spreadsheet_cells import append, csv_writer, safe_cell, set_cell, workbook


def _notes(report: Report) -> list[str]:
    lines = [
        report.subtitle,
        _("Generated %(when)s") % {"when": report.generated.strftime("%d/%m/%Y %H:%M")},
    ]
    if report.suppressed:
        lines.append(
            _(
                "%(mark)s = hidden to protect children's privacy: counts from 1 to %(n)s, and "
                "other numbers that would let them be worked out."
            )
            % {"mark": HIDDEN_MARK, "n": report.threshold - 1}
        )
    lines.append(_("%(mark)s = no data yet, or does not apply.") % {"mark": NO_DATA})
    return lines


def to_csv(report: Report) -> bytes:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow([report.title])
    for line in _notes(report):
        writer.writerow([line])
    for table in report.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerows(table.as_text())
        if table.note:
            writer.writerow([table.note])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # a BOM so Excel reads UTF-8


def _sheet_name(title: str, used: set) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "Sheet"
    base, n = name, 2
    while name in used:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name)
    return name


def to_xlsx(report: Report) -> bytes:
    from openpyxl.styles import Alignment, Font, PatternFill

    book = workbook()
    cover = book.active
    cover.title = _sheet_name(_("About"), used := set())
    cover["A1"] = safe_cell(report.title)
    cover["A1"].font = Font(bold=True, size=14)
    for i, line in enumerate(_notes(report), start=2):
        set_cell(cover, row=i, column=1, value=line)
    cover.column_dimensions["A"].width = 100
    header_fill = PatternFill("solid", fgColor="F6EEF4")
    for table in report.tables:
        sheet = book.create_sheet(_sheet_name(table.title, used))
        append(sheet, [table.title])
        sheet["A1"].font = Font(bold=True, size=12)
        append(sheet, table.columns)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            append(sheet, [HIDDEN_MARK if v is None else v for v in row])
        if table.footer:
            append(sheet, [HIDDEN_MARK if v is None else v for v in table.footer])
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        if table.note:
            sheet.append([])
            append(sheet, [table.note])
        sheet.column_dimensions["A"].width = 38
        for letter in "BCDEFGHIJKLMNOPQRSTUVWXYZ":
            sheet.column_dimensions[letter].width = 16
        sheet.freeze_panes = "B3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    html = render_to_string("reports/report_pdf.html", {"report": report})
    return HTML(string=html).write_pdf()


WRITERS = {"csv": to_csv, "xlsx": to_xlsx, "pdf": to_pdf}
