"""Read a class list (CSV in any of the shapes spreadsheets export, or XLSX) with a
column mapping chosen by the user. No Django here.

    table = read_table(data, filename)   # any CSV or XLSX → one comma-separated text
    pupils = read_classlist(table.text, mapping)

Every upload is turned into the same comma-separated UTF-8 text first, so the
mapping and the checks never care where it came from.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

from harmonia.interop.pupils import Contact, FileRefused, Pupil, gettext_noop

MAX_BYTES = 5 * 1024 * 1024
# A class list has a few dozen columns; a file wider than this is not one (and a
# mapping page offering 5,000 columns for each field would be unusable).
MAX_COLUMNS = 200
MAX_ROWS = 20_000
# An XLSX is a zip: refuse one that unpacks to more than this (a "zip bomb").
MAX_XLSX_UNPACKED = 60 * 1024 * 1024
DELIMITERS = ",;\t"
XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class Table:
    """A class list read from a file: ``text`` is comma-separated UTF-8 whatever the
    file was; the rest says what the file was, for the preview."""

    text: str
    columns: list[str]
    format: str  # "csv" or "xlsx"
    encoding: str = ""  # CSV: utf-8, utf-8 with BOM, utf-16, cp1252
    delimiter: str = ","
    sheet: str = ""  # XLSX: the sheet read (the first)
    rows: int = 0
    notes: list[str] = field(default_factory=list)

    def describe(self) -> dict:
        return {
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": {"\t": "tab", ",": "comma", ";": "semicolon"}.get(self.delimiter, ""),
            "sheet": self.sheet,
            "columns": self.columns,
            "rows": self.rows,
        }


# Our field → column names seen in school exports (MTC's census CSV among them).
FIELDS = {
    "upn": ["upn"],
    "surname": ["surname", "last name", "lastname", "family name"],
    "forename": ["forename", "first name", "firstname", "given name"],
    "preferred_forename": ["preferred forename", "preferred name", "known as"],
    "dob": ["dob", "date of birth", "birth date"],
    "sex": ["sex", "gender"],
    "year_group": ["ncyearactual", "year group", "year", "nc year", "yr", "class year"],
    "ethnicity": ["ethnicity"],
    "first_language": ["language", "first language"],
    "sen_provision": ["senprovision", "sen provision", "sen"],
    "fsm_eligible": ["fsmeligible", "fsm", "fsm eligible"],
    "school_urn": ["urn", "school urn"],
    "contact_name": ["contact name", "parent name", "guardian name"],
    "contact_email": ["contact email", "parent email", "email"],
    "contact_phone": ["contact phone", "parent phone", "phone"],
}
REQUIRED = ("surname", "forename", "dob")


def _too_big(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise FileRefused(
            gettext_noop("The file is %(size)s KB; the limit is %(limit)s KB."),
            size=len(data) // 1024,
            limit=max_bytes // 1024,
        )


def decode_with_encoding(data: bytes, *, max_bytes: int = MAX_BYTES) -> tuple[str, str]:
    """The text and the encoding it was in: UTF-16 (Excel's "Unicode text"), UTF-8
    with or without a byte-order mark, else Windows-1252 (Excel's "CSV" on Windows)."""
    _too_big(data, max_bytes)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise FileRefused(
                gettext_noop("The file says it is UTF-16 but is not readable as such.")
            ) from None
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig"), "utf-8 with BOM"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise FileRefused(
            gettext_noop("The file is not readable text (not UTF-8 or Windows-1252).")
        ) from None


def decode(data: bytes, *, max_bytes: int = MAX_BYTES) -> str:
    return decode_with_encoding(data, max_bytes=max_bytes)[0]


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon (Excel where the decimal mark is a comma) or tab: the one
    csv.Sniffer finds, checked against the header row (the delimiter that splits the
    header into the most columns wins when the sniffer is unsure or wrong)."""
    sample = text[: 64 * 1024]
    first_line = sample.splitlines()[0] if sample.splitlines() else ""

    def width(delimiter: str) -> int:
        try:
            return len(next(csv.reader([first_line], delimiter=delimiter), []))
        except csv.Error:
            return 0

    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = ","
    best = max(DELIMITERS, key=lambda d: (width(d), d == sniffed))
    return sniffed if width(sniffed) >= width(best) else best


def _check_shape(columns: list[str], rows: int) -> None:
    if len(columns) > MAX_COLUMNS:
        raise FileRefused(
            gettext_noop(
                "The file has %(columns)s columns; a class list may have at most %(limit)s. "
                "Save only the sheet or columns with the pupils and upload again."
            ),
            columns=f"{len(columns):,}",
            limit=MAX_COLUMNS,
        )
    if rows > MAX_ROWS:
        raise FileRefused(
            gettext_noop("The file has %(rows)s rows; the limit is %(limit)s."),
            rows=f"{rows:,}",
            limit=f"{MAX_ROWS:,}",
        )


def _header_width(text: str, delimiter: str) -> list[str]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        first = next(reader, [])
    except csv.Error as exc:
        raise FileRefused(
            gettext_noop("The file is not a readable CSV (%(why)s)."), why=exc
        ) from None
    return [h.strip() for h in first]


def read_csv_table(data: bytes, *, max_bytes: int = MAX_BYTES) -> Table:
    text, encoding = decode_with_encoding(data, max_bytes=max_bytes)
    delimiter = sniff_delimiter(text)
    # Count the header's columns before reading every row: a 5,000-column file is
    # refused after one line, not after parsing it whole.
    columns = _header_width(text, delimiter)
    if not columns or not any(columns):
        raise FileRefused(gettext_noop("The file has no header row."))
    _check_shape(columns, 0)
    out = io.StringIO()
    count = 0
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            out.write(_csv_line(row))
            count += 1
            if count > MAX_ROWS + 1:
                break
    except csv.Error as exc:
        raise FileRefused(
            gettext_noop("The file is not a readable CSV (line %(line)s: %(why)s)."),
            line=count + 1,
            why=exc,
        ) from None
    _check_shape(columns, count - 1)
    return Table(out.getvalue(), columns, "csv", encoding, delimiter, rows=count - 1)


def read_xlsx_table(data: bytes, *, max_bytes: int = MAX_BYTES) -> Table:
    """The first sheet of an XLSX workbook, read-only. Formulas are never evaluated:
    a cell holding one is reported (paste the values instead), so what is imported
    is what the school typed."""
    _too_big(data, max_bytes)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise FileRefused(gettext_noop("The file is not a readable XLSX workbook.")) from None
    if unpacked > MAX_XLSX_UNPACKED:
        raise FileRefused(
            gettext_noop("The workbook unpacks to %(size)s MB; the limit is %(limit)s MB."),
            size=unpacked // (1024 * 1024),
            limit=MAX_XLSX_UNPACKED // (1024 * 1024),
        )
    import openpyxl  # only here: CSV uploads never load it

    try:
        book = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileRefused(
            gettext_noop("The file is not a readable XLSX workbook (%(why)s)."),
            why=type(exc).__name__,
        ) from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise FileRefused(gettext_noop("The workbook has no sheets."))
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None) or ()
        columns = [_cell_text(v) for v in header]
        while columns and not columns[-1]:
            columns.pop()
        if not any(columns):
            raise FileRefused(gettext_noop("The first sheet has no header row."))
        _check_shape(columns, 0)
        out = io.StringIO()
        out.write(_csv_line(columns))
        formulas = []
        count = 0
        for line, values in enumerate(rows, start=2):
            cells = [_cell_text(v) for v in values[: len(columns)]]
            if not any(cells):
                continue
            for index, cell in enumerate(cells):
                if cell.startswith("=") and len(cell) > 1:
                    formulas.append(f"row {line}, column “{columns[index]}” ({cell[:40]})")
            out.write(_csv_line(cells))
            count += 1
            if count > MAX_ROWS:
                _check_shape(columns, count)
        if formulas:
            shown = "; ".join(formulas[:5]) + ("…" if len(formulas) > 5 else "")
            raise FileRefused(
                gettext_noop(
                    "%(count)s cell(s) hold a formula, which Harmonia does not work out: "
                    "%(cells)s. Copy the sheet and paste values only, then upload again."
                ),
                count=len(formulas),
                cells=shown,
            )
        return Table(out.getvalue(), columns, "xlsx", sheet=sheet.title, rows=count)
    finally:
        book.close()


def _csv_line(cells) -> str:
    """One row of the internal comma-separated text (RFC 4180 quoting). This text is
    only ever read back by ``read_classlist``; it is never offered as a download."""
    quoted = []
    for cell in cells:
        cell = "" if cell is None else str(cell)
        if any(ch in cell for ch in ',"\r\n'):
            cell = '"' + cell.replace('"', '""') + '"'
        quoted.append(cell)
    return ",".join(quoted) + "\n"


def _cell_text(value) -> str:
    """A cell as the school sees it: dates as DD/MM/YYYY, whole numbers without ".0"."""
    import datetime

    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date() if not (value.hour or value.minute) else value
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(data: bytes, filename: str = "", *, max_bytes: int = MAX_BYTES) -> Table:
    """A CSV or XLSX upload (told apart by its content, not its name) as a Table."""
    if data.startswith(XLSX_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx_table(data, max_bytes=max_bytes)
    return read_csv_table(data, max_bytes=max_bytes)


def headers(text: str) -> list[str]:
    first = _header_width(text, ",")
    if not first:
        raise FileRefused(gettext_noop("The file has no header row."))
    _check_shape(first, 0)
    return first


def guess_mapping(columns: list[str]) -> dict[str, str]:
    """Our field → the file's column, where a column name is recognised."""
    lower = {c.lower().strip(): c for c in columns}
    mapping = {}
    for name, synonyms in FIELDS.items():
        for synonym in synonyms:
            if synonym in lower:
                mapping[name] = lower[synonym]
                break
    return mapping


def read_classlist(text: str, mapping: dict[str, str], *, fsm_from: str = "") -> list[Pupil]:
    """Pupils from the rows of ``text``; ``mapping`` is our field → the file's column.
    A yes in the FSM column opens an FSM period from ``fsm_from``."""
    missing = [f for f in REQUIRED if not mapping.get(f)]
    if missing:
        raise FileRefused(
            gettext_noop("Choose a column for: %(fields)s."), fields=", ".join(missing)
        )
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is not None:
        reader.fieldnames = [name.strip() for name in reader.fieldnames]
    pupils = []
    try:
        for line, row in enumerate(reader, start=2):

            def get(name, row=row):
                column = mapping.get(name)
                return (row.get(column) or "").strip() if column else ""

            pupil = Pupil(
                row=line,
                **{
                    name: get(name)
                    for name in (
                        "upn", "surname", "forename", "preferred_forename", "dob", "sex",
                        "year_group", "ethnicity", "first_language", "sen_provision",
                        "school_urn",
                    )
                },
            )  # fmt: skip
            if get("fsm_eligible").lower() in {"true", "yes", "y", "1"} and fsm_from:
                pupil.fsm = [(fsm_from, "")]
            name = get("contact_name")
            if name or get("contact_email") or get("contact_phone"):
                forename, _, surname = name.partition(" ")
                pupil.contacts = [
                    Contact(
                        forename=forename,
                        surname=surname or pupil.surname,
                        relationship="PAR",
                        email=get("contact_email"),
                        phone=get("contact_phone"),
                    )
                ]
            pupils.append(pupil)
    except csv.Error as exc:
        raise FileRefused(
            gettext_noop("The file is not a readable CSV (%(why)s)."), why=exc
        ) from None
    return pupils
