"""`deskapp demo`: a new, empty database filled with demo data written through the services."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Optional

import typer

from deskapp.cli.root import DbOption, LangOption, app, ctx_opts, fail, open_desk, settings_for
from deskapp.i18n import t


@app.command()
def demo(
    ctx: typer.Context,
    calls: Annotated[int, typer.Option(help="来电数量 number of calls, 0 or more (up to 1,000,000 for benchmarks)")] = 3000,
    months: Annotated[int, typer.Option(help="覆盖的月数 months of history, 1 or more")] = 6,
    seed: Annotated[int, typer.Option(help="随机种子 random seed")] = 7,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Fill a new, empty database with realistic demo data (演示数据)."""
    settings = settings_for(*ctx_opts(ctx, db, lang))
    # Checked before the database is created or opened: a mistake leaves nothing behind.
    # No calls is allowed: the demo staff, departments and units, for a quiet training desk.
    if calls < 0:
        fail(t("cli.bad_number", option="--calls", least=0, value=calls))
    if months < 1:
        fail(t("cli.bad_number", option="--months", least=1, value=months))
    from rich.console import Console
    from rich.progress import Progress

    from deskapp.demo import fill_demo
    from deskapp.errors import DeskError
    from deskapp.services.faults import database_where

    desk = open_desk(settings, create=True)
    try:
        # On stderr, and only on a terminal: stdout carries the summary alone.
        console = Console(stderr=True)
        with Progress(transient=True, console=console, disable=not console.is_terminal) as progress:
            task = progress.add_task("demo", total=calls)
            summary = fill_demo(desk, calls=calls, months=months, seed=seed, now=datetime.now(timezone.utc),
                                progress=lambda done, total: progress.update(task, completed=done, total=total))
    except DeskError as exc:
        fail(str(exc))
    # Only the demo supervisor's PIN is shown: it is the way in, and public demo data.
    boss = summary.supervisor
    lines = [
        t("cli.demo_loaded", where=database_where(desk)),
        t("cli.demo_counts", staff=summary.staff, departments=summary.departments, units=summary.units,
          residents=summary.residents),
        t("cli.demo_calls", calls=f"{summary.calls:,}", awaiting=f"{summary.awaiting:,}",
          start=desk.local(summary.start).date().isoformat(), end=desk.local(summary.end).date().isoformat()),
        t("cli.demo_sign_in", name=boss.name, pin=boss.pin),
    ]
    typer.echo("\n".join(lines))
