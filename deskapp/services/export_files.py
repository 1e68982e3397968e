"""Writing an export's rows as CSV, XLSX, JSON or JSON Lines, a page at a time.

CSV is for Excel on a Chinese Windows desk: UTF-8 with a byte-order mark by
default (without it Excel reads UTF-8 as the ANSI code page and shows
mojibake), or GB18030 for older tools; CRLF line ends; every text cell
neutralised (services.export). XLSX is XlsxWriter in constant_memory mode
(each row is flushed to a temporary file as it is written: 22 MB peak at
1,000,000 rows on this kind of machine), with text written by write_string
and the workbook's formula, URL and number guessing off, so a cell reading
=HYPERLINK(...) stays that text. JSON is one array; JSON Lines one object a
line; both with codes and ISO 8601 instants with their offset.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from datetime import date, datetime
from typing import BinaryIO, Callable, Iterator

from deskapp.services.desk import Desk
from deskapp.services.export import (
    CSV_STYLE, DATA_STYLE, DAY, INSTANT, NUMBER, SHEET_STYLE, ExportRequest, cell_makers, headings, keys,
    stream_rows,
)

FORMATS = ("csv", "xlsx", "json", "jsonl")
# --encoding: the name typed -> Python's codec. utf-8-sig writes the byte-order mark.
ENCODINGS = {"utf-8-sig": "utf-8-sig", "utf-8": "utf-8", "utf8": "utf-8", "gb18030": "gb18030"}

Progress = Callable[[int], None]


def _pages(desk: Desk, req: ExportRequest, style: str, progress: Progress | None) -> Iterator[list]:
    """Pages of cells: each column converted with one map() over the page (cheaper than per cell)."""
    makers = cell_makers(req, style, desk.tz)
    width = len(req.register.columns)
    for page in stream_rows(desk, req):  # each row ends with the page's two key columns
        columns = list(zip(*page))[:width]
        for i, fn in makers:
            columns[i] = fn(columns[i])
        page = list(zip(*columns))
        yield page
        if progress is not None:
            progress(len(page))


def write_export(desk: Desk, req: ExportRequest, fmt: str, out: BinaryIO, *, encoding: str = "utf-8-sig",
                 progress: Progress | None = None) -> int:
    """Write every row of the request to `out` in `fmt`; the number of rows written."""
    if fmt == "xlsx":
        return _write_xlsx(desk, req, out, progress)
    if fmt == "csv":
        return _write_csv(desk, req, out, ENCODINGS.get(encoding, "utf-8-sig"), progress)
    return _write_json(desk, req, out, progress, lines=fmt == "jsonl")


def _write_csv(desk, req, out, encoding, progress) -> int:
    # Each page is written to text and encoded at once: encoding row by row through a
    # TextIOWrapper cost a codec call per row.
    if encoding == "utf-8-sig":
        out.write(codecs.BOM_UTF8)
        encoding = "utf-8"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headings(req))
    n = 0
    for page in _pages(desk, req, CSV_STYLE, progress):
        writer.writerows(page)
        out.write(buf.getvalue().encode(encoding))
        buf.seek(0)
        buf.truncate()
        n += len(page)
    out.write(buf.getvalue().encode(encoding))
    return n


def _json_default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)  # Decimal


def _write_json(desk, req, out, progress, *, lines: bool) -> int:
    names = keys(req)
    dumps = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode
    n = 0
    if not lines:
        out.write(b"[")
    for page in _pages(desk, req, DATA_STYLE, progress):
        if lines:
            text = "".join(dumps(dict(zip(names, row))) + "\n" for row in page)
        else:
            text = "".join(("\n" if n == 0 and i == 0 else ",\n") + dumps(dict(zip(names, row)))
                           for i, row in enumerate(page))
        out.write(text.encode("utf-8"))
        n += len(page)
    if not lines:
        out.write(b"\n]\n" if n else b"]\n")
    return n


def _write_xlsx(desk, req, out, progress) -> int:
    import xlsxwriter

    book = xlsxwriter.Workbook(out, {
        "constant_memory": True,
        # A string is a string: never a formula, a link or a number.
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
    })
    try:
        sheet = book.add_worksheet(_sheet_name(req))
        bold = book.add_format({"bold": True})
        when = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        writers = []
        for c, col in enumerate(req.register.columns):
            sheet.set_column(c, c, col.width)
            if col.kind == INSTANT:
                writers.append(_cell(sheet.write_datetime, when))
            elif col.kind == DAY:
                writers.append(_cell(sheet.write_datetime, day))
            elif col.kind == NUMBER:
                writers.append(_cell(sheet.write_number, None))
            else:
                writers.append(_cell(sheet.write_string, None))
        for c, heading in enumerate(headings(req)):
            sheet.write_string(0, c, heading, bold)
        sheet.freeze_panes(1, 0)
        r = 0
        for page in _pages(desk, req, SHEET_STYLE, progress):
            for row in page:
                r += 1
                for c, value in enumerate(row):
                    if value is not None and value != "":
                        writers[c](r, c, value)
    finally:
        book.close()
    return r


def _cell(method, fmt):
    if fmt is None:
        return method
    return lambda r, c, value: method(r, c, value, fmt)


def _sheet_name(req: ExportRequest) -> str:
    from deskapp.i18n import t

    name = t(req.register.title)
    for ch in "[]:*?/\\":
        name = name.replace(ch, " ")
    return name[:31] or req.register.name
