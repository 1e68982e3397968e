"""`deskapp visits analysis`: the month-end analysis of return visits (回访月度分析)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from deskapp.cli.root import DbOption, LangOption, app, ctx_opts, fail, open_desk, settings_for
from deskapp.i18n import t

visits_app = typer.Typer(help="回访 return visits", pretty_exceptions_enable=False)
app.add_typer(visits_app, name="visits")


@visits_app.command("analysis")
def visits_analysis(
    ctx: typer.Context,
    month: Annotated[Optional[str], typer.Option(help="月份 YYYY-MM (default: this month)")] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Unsatisfactory visits, repeated complaints and repairs, visits done against the share, overdue (月度分析)."""
    from deskapp.errors import DeskError
    from deskapp.services.desk import utcnow
    from deskapp.services.faults import DatabaseFault
    from deskapp.services.visit_analysis import month_end, report_lines

    settings = settings_for(*ctx_opts(ctx, db, lang))
    try:
        desk = open_desk(settings, create=False)
        now = utcnow()
        found = month_end(desk, month or f"{desk.local(now):%Y-%m}", now=now)
    except DatabaseFault:
        raise
    except DeskError as exc:
        fail(str(exc))
    for line in report_lines(found):
        typer.echo(line)
