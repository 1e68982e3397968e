"""The month-end report drawn four ways: Rich tables, Markdown, JSON, XLSX (one sheet per section).

Every cell is data: Rich gets Text objects (never markup), Markdown escapes
the characters that would end a cell, XLSX writes text with write_string
(never a formula). The XLSX's calls sheet carries a chart of calls per day
(an XlsxWriter column chart over that sheet's own per-day table).
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO

from deskapp.i18n import t
from deskapp.services.report import MonthlyReport, Table


TERMINAL_ROWS = 50  # a long list (every missed clock) is shown whole in the files, cut on the screen


def cell(value: Any, kind: str = "text") -> str:
    if value is None:
        return "—"
    if kind == "percent" and isinstance(value, (int, float)):
        return f"{value:.1f}"
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _kinds(table: Table) -> list[str]:
    return table.kinds or ["text"] * len(table.headings)


def heading(report: MonthlyReport) -> tuple[str, str]:
    p = report.period
    return (t("report.title", site=report.site, month=p.month),
            t("report.generated", now=p.local(p.now).strftime("%Y-%m-%d %H:%M")))


# ------------------------------------------------------------------ terminal ---


def print_report(report: MonthlyReport, console) -> None:
    from rich.table import Table as RichTable
    from rich.text import Text

    title, generated = heading(report)
    console.print(Text(title, style="bold"))
    console.print(Text(generated, style="dim"))
    for section in report.sections:
        console.rule(Text(section.title, style="bold"))
        if section.note:
            console.print(Text(section.note, style="italic"))
        for table in section.tables:
            kinds = _kinds(table)
            rich = RichTable(title=Text(table.title), title_justify="left", show_edge=False)
            for h, k in zip(table.headings, kinds):
                rich.add_column(Text(h), justify="left" if k == "text" else "right")
            for row in table.rows[:TERMINAL_ROWS]:
                rich.add_row(*(Text(cell(v, k)) for v, k in zip(row, kinds)))
            if len(table.rows) > TERMINAL_ROWS:
                rich.add_row(Text(t("roster.more", count=f"{len(table.rows) - TERMINAL_ROWS:,}"), style="dim"),
                             *([Text("")] * (len(kinds) - 1)))
            if not table.rows:
                rich.add_row(Text(t("report.none"), style="dim"), *([Text("")] * (len(kinds) - 1)))
            console.print(rich)


# ------------------------------------------------------------------ markdown ---


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def to_markdown(report: MonthlyReport) -> str:
    title, generated = heading(report)
    lines = [f"# {_md(title)}", "", _md(generated), ""]
    for section in report.sections:
        lines += [f"## {_md(section.title)}", ""]
        if section.note:
            lines += [f"*{_md(section.note)}*", ""]
        for table in section.tables:
            kinds = _kinds(table)
            lines += [f"### {_md(table.title)}", "",
                      "| " + " | ".join(_md(h) for h in table.headings) + " |",
                      "| " + " | ".join("---" if k == "text" else "---:" for k in kinds) + " |"]
            lines += ["| " + " | ".join(_md(cell(v, k)) for v, k in zip(row, kinds)) + " |" for row in table.rows]
            if not table.rows:
                lines.append("| " + " | ".join([t("report.none")] + [""] * (len(kinds) - 1)) + " |")
            lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------- json ---


def to_json(report: MonthlyReport) -> str:
    p = report.period
    doc = {"site": report.site, "month": p.month, "from": p.first.isoformat(), "to": p.last.isoformat(),
           "as_of": p.local(p.now).isoformat(), "sections": [
               {"key": s.key, "title": s.title, "note": s.note or None,
                "tables": [{"title": tb.title, "headings": tb.headings, "rows": tb.rows} for tb in s.tables],
                **({"per_day": [[d.isoformat(), n] for d, n in s.per_day]} if s.per_day else {})}
               for s in report.sections]}
    return json.dumps(doc, ensure_ascii=False, indent=1, default=str)


# ---------------------------------------------------------------------- xlsx ---


def write_xlsx(report: MonthlyReport, out: BinaryIO | str) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(out, {"strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    try:
        bold = book.add_format({"bold": True})
        big = book.add_format({"bold": True, "font_size": 14})
        used: set[str] = set()
        title, generated = heading(report)
        for section in report.sections:
            name = _sheet_name(section.title, used)
            sheet = book.add_worksheet(name)
            sheet.set_column(0, 0, 24)
            sheet.set_column(1, 8, 12)
            sheet.write_string(0, 0, title, big)
            sheet.write_string(1, 0, generated)
            sheet.write_string(2, 0, section.title, bold)
            r = 4
            if section.note:
                sheet.write_string(r, 0, section.note)
                r += 2
            for table in section.tables:
                kinds = _kinds(table)
                sheet.write_string(r, 0, table.title, bold)
                r += 1
                for c, h in enumerate(table.headings):
                    sheet.write_string(r, c, h, bold)
                first_row = r + 1
                for row in table.rows:
                    r += 1
                    for c, (v, k) in enumerate(zip(row, kinds)):
                        if v is None:
                            continue
                        if isinstance(v, (int, float)) and not isinstance(v, bool):
                            sheet.write_number(r, c, v)
                        else:
                            sheet.write_string(r, c, str(v))
                if section.per_day and table.rows and table.title == t("report.calls.per_day"):
                    _chart(book, sheet, name, first_row, r, len(table.headings) + 1)
                r += 2
    finally:
        book.close()


def _chart(book, sheet, name: str, first: int, last: int, column: int) -> None:
    chart = book.add_chart({"type": "column"})
    chart.add_series({"name": t("report.chart"), "categories": [name, first, 0, last, 0],
                      "values": [name, first, 1, last, 1], "gap": 50})
    chart.set_title({"name": t("report.chart")})
    chart.set_legend({"none": True})
    chart.set_size({"width": 760, "height": 320})
    sheet.insert_chart(first, column, chart)


def _sheet_name(title: str, used: set[str]) -> str:
    name = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:31] or "sheet"
    base, n = name, 2
    while name.lower() in used:
        name = f"{base[:28]} {n}"
        n += 1
    used.add(name.lower())
    return name
