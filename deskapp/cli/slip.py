"""`deskapp slip print NUMBER`: a dispatch slip as a PDF (three copies) or 80-column text.

The file is written (`--out`, else `<number>.pdf` / `.txt` in the current
folder) and, when a printer is configured in data/slip_print.toml or given
with --printer (or --lp asks for the system's default), sent to CUPS with
`lp`. Each print is counted on the slip, in the name of the staff member
given with --by (their PIN is asked), as at the desk.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from deskapp.cli.root import DbOption, LangOption, app, ask_pin, ctx_opts, fail, open_desk, settings_for
from deskapp.i18n import t

slip_app = typer.Typer(help="派工单 dispatch slips", no_args_is_help=True)
app.add_typer(slip_app, name="slip")


@slip_app.command("print")
def print_slip(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="派工单号 the slip number, e.g. 派工-2026-000123")],
    by: Annotated[str, typer.Option(help="打印人姓名 (who prints it; their PIN is asked)")],
    format: Annotated[str, typer.Option("--format", help="pdf（三联）或 text（80 列）")] = "pdf",
    out: Annotated[Optional[Path], typer.Option(help="保存到此文件 (default: <number>.pdf / .txt here)")] = None,
    printer: Annotated[Optional[str], typer.Option(help="CUPS 打印机 (default: data/slip_print.toml's printer)")] = None,
    lp: Annotated[bool, typer.Option("--lp", help="送系统默认打印机 (send to the system's default printer)")] = False,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Print a dispatch slip (打印派工单)."""
    settings = settings_for(*ctx_opts(ctx, db, lang))
    if format not in ("pdf", "text"):
        fail(t("print.bad_format", value=format))
    from deskapp.services import slip_print, staff
    from deskapp.services.slip_queries import slip_id_by_number

    desk = open_desk(settings, create=False)
    try:
        slip_print.load_print_settings(desk.data_dir)  # a bad site file is named before the PIN is asked
        slip_id = slip_id_by_number(desk, number)
        actor = staff.sign_in(desk, name=by, pin=ask_pin(t("cli.pin_of", name=by)))
        suffix = "pdf" if format == "pdf" else "txt"
        try:
            done = slip_print.print_slip(desk, actor, slip_id, site_name=settings.site_name, format=format,
                                         out=out or Path(f"{number.strip()}.{suffix}"), printer=printer,
                                         send_default=lp)
        except slip_print.PrintRefused as refused:
            fail(str(refused))
        typer.echo(t("print.saved", path=str(done.path)))
        typer.echo(t("print.counted", number=number.strip(), count=done.count))
        if done.sent is not None:
            typer.echo(t("print.sent", answer=done.sent or "lp"))
    finally:
        desk.engine.dispose()
