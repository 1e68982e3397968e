"""`deskapp report monthly 2026-11`: the month-end report (月度报表).

    deskapp report monthly 2026-11                       # Rich tables in the terminal
    deskapp report monthly 2026-11 -f xlsx -o 11月.xlsx   # one sheet per section, a chart of calls per day
    deskapp report monthly 2026-11 -f md > 11月.md

Exit codes: 0 written or shown; 2 refused (a bad month or format, an output
path that cannot be written); 1 a fault.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from deskapp.cli.root import DbOption, LangOption, app, ctx_opts, fail, open_desk, settings_for
from deskapp.i18n import t

report_app = typer.Typer(help="报表 reports", pretty_exceptions_enable=False)
app.add_typer(report_app, name="report")

FORMATS = ("xlsx", "md", "json")


@report_app.command("monthly")
def monthly(
    ctx: typer.Context,
    month: Annotated[str, typer.Argument(help="月份 YYYY-MM，如 2026-11")],
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="xlsx | md | json（省略：终端表格）")] = None,
    output: Annotated[Optional[str], typer.Option("--output", "-o", help="输出文件；省略为标准输出")] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """The month-end report (月度报表)."""
    from deskapp.cli.export import check_output
    from deskapp.errors import DeskError
    from deskapp.services import report as reports
    from deskapp.services import report_files
    from deskapp.services.faults import DatabaseFault

    settings = settings_for(*ctx_opts(ctx, db, lang))
    if fmt is not None:
        fmt = fmt.strip().lower()
        if fmt not in FORMATS:
            fail(t("report.unknown_format", value=fmt))
    try:
        reports.parse_month(month)
    except DeskError as exc:
        fail(str(exc))
    path = check_output(output, fmt or "text") if (output or fmt) else None
    try:
        desk = open_desk(settings, create=False)
        report = reports.monthly_report(desk, month)
    except DatabaseFault:
        raise
    except DeskError as exc:
        fail(str(exc))
    if fmt is None and path is None:
        from rich.console import Console

        report_files.print_report(report, Console())
        return
    if fmt == "xlsx":
        if path is None:
            import io

            buf = io.BytesIO()
            report_files.write_xlsx(report, buf)
            sys.stdout.buffer.write(buf.getvalue())
            return
        report_files.write_xlsx(report, str(path))
    else:
        text = report_files.to_json(report) if fmt == "json" else report_files.to_markdown(report)
        if path is None:
            typer.echo(text)
            return
        path.write_text(text + "\n", encoding="utf-8")
    typer.echo(t("report.written", path=str(path)), err=True)
