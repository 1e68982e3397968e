"""`deskapp handover show`: a handover in the terminal (Rich), or written as Markdown / JSON (交接班)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from deskapp.cli.root import DbOption, LangOption, app, ctx_opts, fail, open_desk, settings_for
from deskapp.i18n import t

handover_app = typer.Typer(help="交接班 shift handover", pretty_exceptions_enable=False)
app.add_typer(handover_app, name="handover")

_FORMATS = ("md", "json")
_SHIFTS = ("day", "night")


@handover_app.command("show")
def show(
    ctx: typer.Context,
    date: Annotated[Optional[str], typer.Option("--date", help="值班日期 YYYY-MM-DD (the duty date; default: the last handover)")] = None,
    shift: Annotated[Optional[str], typer.Option("--shift", help="day | night (白班 / 夜班)")] = None,
    format: Annotated[Optional[str], typer.Option("--format", help="md | json: write it to a file instead")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="文件路径 (the file; default: <number>.<format>)")] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Show a handover: the last one signed, or the one of --date / --shift (unsigned: compiled now)."""
    from deskapp.core.text import parse_date

    settings = settings_for(*ctx_opts(ctx, db, lang))
    # Options are checked before the database is opened.
    if format is not None and format not in _FORMATS:
        fail(t("cli.handover_bad_format", value=format))
    if shift is not None and shift not in _SHIFTS:
        fail(t("cli.handover_bad_shift", value=shift))
    if shift is not None and date is None:
        fail(t("cli.handover_shift_needs_date"))
    duty_date = parse_date(date) if date is not None else None
    desk = open_desk(settings, create=False)
    doc = _document(desk, duty_date, shift)
    if doc is None:
        fail(t("cli.handover_none"), code=1)
    from deskapp.services import handover_report as report

    if format is None:
        _print(doc, desk.tz)
        return
    text = report.as_json(doc, desk.tz) if format == "json" else report.as_markdown(doc, desk.tz)
    target = out or Path(f"{doc.number or t('handover.unsigned_file', date=doc.duty_date, kind=doc.shift_kind)}.{format}")
    try:
        target.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        fail(t("cli.handover_cannot_write", where=str(target), reason=exc.strerror or type(exc).__name__), code=1)
    typer.echo(t("cli.handover_written", where=str(target)))


def _document(desk, duty_date, kind):
    from deskapp.services import handover_report as report
    from deskapp.services.handover import compile_handover
    from deskapp.services.handover_queries import find_handover, get_handover
    from deskapp.services.shifts import find_shift

    found = find_handover(desk, duty_date=duty_date, kind=kind)
    if found is not None:
        return report.from_record(get_handover(desk, found))
    if duty_date is None:
        return None
    for k in ([kind] if kind else ["night", "day"]):
        shift = find_shift(desk, duty_date=duty_date, kind=k)
        if shift is not None:
            return report.from_compiled(compile_handover(desk, shift))
    return None


def _print(doc, tz) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from deskapp.i18n import label
    from deskapp.services import handover_report as report
    from deskapp.services.handover_sections import NOTES, says, section_title

    console = Console(highlight=False)
    console.print(Text(t("handover.title", kind=label("shift", doc.shift_kind), date=doc.duty_date), style="bold"))
    console.print(Text(report.heading_line(doc, tz)))
    for code, lines in report.sections(doc):
        table = Table(title=Text(section_title(code), style="bold"), title_justify="left", show_header=False,
                      box=None, padding=(0, 1), expand=False)
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(overflow="fold")
        if not lines:
            table.add_row(Text(t("handover.none"), style="dim"), "", "")
        for line in lines:
            typed = "" if line.section == "custody" else line.text
            table.add_row(Text(says(line), style="bold red" if line.flagged else ""),
                          Text(report.line_when(line, doc, tz)), Text(typed))  # typed text: never markup
        console.print(table)
    console.print(Text(section_title(NOTES), style="bold"))
    console.print(Text(doc.notes or t("handover.none")))
    if doc.entries:
        console.print(Text(t("handover.appended"), style="bold"))
        for e in doc.entries:
            console.print(Text(f"{e.at.astimezone(tz):%m-%d %H:%M} {e.staff} {t('handover.entry.' + e.kind)}"
                               + (f": {e.text}" if e.text else "")))
