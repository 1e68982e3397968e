"""`deskapp import roster FILE`: the site's owner and tenant roster (业主名册) into the residents.

    deskapp import roster 业主名册.xlsx --dry-run
    deskapp import roster 名册.csv --map 联系方式=电话 --by 王主管

The good rows are written in ONE transaction (all or, on a fault, none);
refused rows are listed with their row number and reason and not written:
correct them and import the same file again (rows already in are
unchanged). Exit codes: 0 every row imported (or would be, with --dry-run);
3 imported, but some rows were refused (listed); 2 the file or an option was
refused and nothing was written; 1 a fault.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from deskapp.cli.root import DbOption, LangOption, app, ask_pin, ctx_opts, fail, open_desk, settings_for
from deskapp.i18n import t

import_app = typer.Typer(help="导入 import data", pretty_exceptions_enable=False)
app.add_typer(import_app, name="import")

SHOWN = 20  # lines of each kind a dry run prints
REFUSALS_SHOWN = 500
EXIT_SOME_REFUSED = 3


@import_app.command("roster")
def roster(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="业主名册 .xlsx / .xls / .ods / .csv")],
    mapping: Annotated[Optional[List[str]], typer.Option("--map", help="表头=字段，如 联系方式=电话（可多次）")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示将新增、更新、拒绝的行，不写入")] = False,
    by: Annotated[Optional[str], typer.Option(help="确认导入的主管姓名")] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Import the owner and tenant roster (导入业主名册)."""
    from deskapp.core.roster import RosterError, parse_map
    from deskapp.errors import DeskError
    from deskapp.services import roster as rosters
    from deskapp.services.faults import DatabaseFault

    settings = settings_for(*ctx_opts(ctx, db, lang))
    try:
        fields = parse_map(mapping or [])
    except RosterError as exc:
        fail(t(exc.key, **exc.params))
    if not dry_run and not (by or "").strip():
        fail(t("roster.by_needed"))
    if not file.is_file():
        fail(t("roster.unreadable", path=str(file), reason=t("roster.no_such_file")))
    try:
        checked = rosters.read_roster(file, mapping=fields)  # before a PIN: a bad file costs nothing
        desk = open_desk(settings, create=False)
        if dry_run:
            plan = rosters.plan_roster(desk, checked)
            typer.echo(t("roster.dry_run"))
            _show_plan(plan)
        else:
            from deskapp.services.staff import sign_in

            actor = sign_in(desk, name=by.strip(), pin=ask_pin(t("cli.pin_of", name=by.strip())))
            plan = rosters.import_roster(desk, actor, checked, source=file.name)
    except DatabaseFault:
        raise
    except DeskError as exc:
        fail(str(exc))
    _show_refusals(plan)
    typer.echo(t("roster.summary", rows=f"{plan.rows:,}", added=f"{len(plan.added):,}",
                 updated=f"{len(plan.updated):,}", phones=f"{plan.phone_changes:,}",
                 unchanged=f"{plan.unchanged:,}", refused=f"{len(plan.refused):,}", units=f"{plan.new_units:,}"))
    if not dry_run:
        typer.echo(t("roster.done") if (plan.added or plan.updated) else t("roster.nothing_changed"))
    if plan.refused:
        raise typer.Exit(EXIT_SOME_REFUSED)


def _kind(code: str) -> str:
    return t(f"roster.kind.{code}") if code else ""


def _show_plan(plan) -> None:
    from deskapp.i18n import t as tr

    for c in plan.added[:SHOWN]:
        typer.echo(tr("roster.would_add", row=c.row, unit=c.unit_code, name=c.name, phone=c.phone, kind=_kind(c.kind)))
    if len(plan.added) > SHOWN:
        typer.echo(tr("roster.more", count=f"{len(plan.added) - SHOWN:,}"))
    for c in plan.updated[:SHOWN]:
        changes = "；".join(tr("roster.change", field=tr(f"roster.field.{f}"), old=(_kind(old) if f == "kind" else old) or "—",
                                new=(_kind(getattr(c, f)) if f == "kind" else getattr(c, f)) or "—")
                           for f, old in c.before.items())
        typer.echo(tr("roster.would_update", row=c.row, unit=c.unit_code, name=c.name, changes=changes))
    if len(plan.updated) > SHOWN:
        typer.echo(tr("roster.more", count=f"{len(plan.updated) - SHOWN:,}"))


def _show_refusals(plan) -> None:
    from deskapp.services.roster import describe_refusal

    for r in plan.refused[:REFUSALS_SHOWN]:
        typer.echo(describe_refusal(r), err=True)
    if len(plan.refused) > REFUSALS_SHOWN:
        typer.echo(t("roster.more", count=f"{len(plan.refused) - REFUSALS_SHOWN:,}"), err=True)
