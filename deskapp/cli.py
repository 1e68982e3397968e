"""The `deskapp` command: the app by default, plus staff, demo and doctor.

One Typer per command group, joined with add_typer. Heavy modules (storage,
services, the Textual app) are imported inside the commands that need them,
so `deskapp --help` and the app's first paint stay fast.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Optional

import typer

from deskapp.i18n import set_lang, t

app = typer.Typer(add_completion=False, no_args_is_help=False, help="物业客服中心前台 deskapp (front desk)")
staff_app = typer.Typer(help="员工 staff records")
app.add_typer(staff_app, name="staff")

DbOption = Annotated[Optional[str], typer.Option("--db", help="SQLite 文件路径 (path of the SQLite file); or set DESKAPP_DATABASE_URL")]
LangOption = Annotated[Optional[str], typer.Option("--lang", help="界面语言 zh / en (interface language)")]


def _settings(db: str | None, lang: str | None):
    from deskapp.config import load_settings

    settings = load_settings(db=db, lang=lang)
    set_lang(settings.lang)
    return settings


def _open_desk(db: str | None, lang: str | None):
    from deskapp.services.desk import Desk

    settings = _settings(db, lang)
    try:
        return Desk.open(settings)
    except Exception as exc:  # a policy file error, a foreign database: say so plainly, no traceback
        _fail(str(exc))


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(2)


@app.callback(invoke_without_command=True)
def run(
    ctx: typer.Context,
    db: DbOption = None,
    lang: LangOption = None,
    as_: Annotated[Optional[str], typer.Option("--as", help="以此员工身份登录 (sign in as this staff member)")] = None,
) -> None:
    """Start the front-desk app (默认：打开前台界面)."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"db": db, "lang": lang}
        return
    from deskapp.app import DeskApp

    settings = _settings(db, lang)
    DeskApp(settings, sign_in_as=as_).run()


def _ctx_opts(ctx: typer.Context, db: str | None, lang: str | None) -> tuple[str | None, str | None]:
    parent = (ctx.find_root().obj or {}) if ctx else {}
    return db or parent.get("db"), lang or parent.get("lang")


@staff_app.command("add")
def staff_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="姓名 name")],
    role: Annotated[str, typer.Option(help="receptionist | concierge | supervisor | manager | gm")] = "receptionist",
    by: Annotated[Optional[str], typer.Option(help="操作的主管姓名 (the supervisor adding them); not needed for the first")] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Add a staff member (添加员工); PINs are asked for, never given on the command line."""
    from deskapp.errors import DeskError
    from deskapp.services import staff

    desk = _open_desk(*_ctx_opts(ctx, db, lang))
    try:
        actor = None
        if staff.staff_count(desk) > 0:
            if not by:
                _fail(t("err.first_must_be_supervisor") + " (--by)")
            actor = staff.sign_in(desk, name=by, pin=typer.prompt(f"{by} PIN", hide_input=True))
        pin = typer.prompt(f"{name} PIN", hide_input=True, confirmation_prompt=True)
        added = staff.add_staff(desk, name=name, role=role, pin=pin, actor=actor)
    except DeskError as exc:
        _fail(str(exc))
    typer.echo(f"{added.name} ({added.role_label}) #{added.id}")


@staff_app.command("list")
def staff_list(ctx: typer.Context, db: DbOption = None, lang: LangOption = None) -> None:
    """List staff (员工名单)."""
    from deskapp.services import staff

    desk = _open_desk(*_ctx_opts(ctx, db, lang))
    for actor in staff.list_staff(desk):
        typer.echo(f"{actor.name}\t{actor.role_label}")


@app.command()
def demo(
    ctx: typer.Context,
    calls: Annotated[int, typer.Option(help="来电数量 number of calls (up to 1,000,000 for benchmarks)")] = 3000,
    months: Annotated[int, typer.Option(help="覆盖的月数 months of history")] = 6,
    seed: Annotated[int, typer.Option(help="随机种子 random seed")] = 7,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Fill an empty database with realistic demo data (演示数据)."""
    from rich.progress import Progress

    from deskapp.errors import DeskError
    from deskapp.demo import fill_demo

    desk = _open_desk(*_ctx_opts(ctx, db, lang))
    try:
        with Progress(transient=True) as progress:
            task = progress.add_task("demo", total=calls)
            summary = fill_demo(desk, calls=calls, months=months, seed=seed, now=datetime.now(timezone.utc),
                                progress=lambda done, total: progress.update(task, completed=done, total=total))
    except DeskError as exc:
        _fail(str(exc))
    typer.echo(str(summary))


@app.command()
def doctor(ctx: typer.Context, db: DbOption = None, lang: LangOption = None) -> None:
    """Where the database is, its schema, its integrity, and how far the calendar reaches (体检)."""
    from deskapp.services.doctor import diagnose

    desk = _open_desk(*_ctx_opts(ctx, db, lang))
    ok = True
    for key, value, good in diagnose(desk):
        ok = ok and good is not False
        mark = "!" if good == "warn" else ("✓" if good else "✗")
        typer.echo(f"{mark} {key}: {value}")
    if not ok:
        raise typer.Exit(1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
