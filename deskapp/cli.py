"""The `deskapp` command: the app by default, plus staff, demo and doctor.

One Typer per command group, joined with add_typer. Heavy modules (storage,
services, the Textual app) are imported inside the commands that need them,
so `deskapp --help` and the app's first paint stay fast.

Nothing a fault or a user can do prints a Python traceback. The root command
(DeskCommandLine.invoke) turns whatever a command lets through into one line
(services.faults.describe_fault): a refusal as phrased, a database fault
naming the file and what to do, anything else as a short "program error".
No message is made from a database error's own text, which carries the
statement's values (a new PIN's hash and salt). `main()` does the same for
anything raised outside a command. Exit codes: 2 refused (bad option or
input, a file that cannot be used as it is: nothing was done), 1 a fault
(or a problem doctor found).

Every command checks its options before it opens the database or asks for
a PIN, so a mistake costs nothing and leaves nothing behind.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from typing import Annotated, NoReturn, Optional

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from deskapp.i18n import lang_code, set_lang, t

# The database the running command works on, for the fault handler's message.
_DATABASE: dict[str, str] = {}


class DeskCommandLine(TyperGroup):
    """The root command: every command runs inside its one fault handler."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, TyperException):
            raise  # Typer's own: usage errors, an exit code, an aborted prompt
        except Exception as exc:
            raise typer.Exit(_report(exc)) from None


def _report(exc: BaseException) -> int:
    """Say what went wrong in one line on stderr; the exit code for it."""
    from deskapp.core.policy import PolicyError
    from deskapp.errors import DeskError
    from deskapp.services.faults import DatabaseFault, describe_fault, url_where

    url = _DATABASE.get("url")
    try:
        where = url_where(url) if url else ""
    except Exception:  # an unparseable URL: the message still goes out
        where = ""
    typer.echo(describe_fault(exc, where), err=True)
    refused = isinstance(exc, (DeskError, PolicyError)) and not isinstance(exc, DatabaseFault)
    return 2 if refused else 1


app = typer.Typer(cls=DeskCommandLine, add_completion=False, no_args_is_help=False,
                  pretty_exceptions_enable=False, help="物业客服中心前台 deskapp (front desk)")
staff_app = typer.Typer(help="员工 staff records", pretty_exceptions_enable=False)
app.add_typer(staff_app, name="staff")

DbOption = Annotated[Optional[str], typer.Option("--db", help="SQLite 文件路径 (path of the SQLite file); or set DESKAPP_DATABASE_URL")]
LangOption = Annotated[Optional[str], typer.Option("--lang", help="界面语言 zh / en (interface language)")]


def _settings(db: str | None, lang: str | None):
    """Settings for these options, the language set; an unknown --lang is refused (exit 2)."""
    from deskapp.config import load_settings

    if lang is not None and lang_code(lang) is None:
        set_lang(load_settings(db=db).lang)  # refused in the language the user would otherwise get
        _fail(t("cli.bad_lang", value=lang))
    settings = load_settings(db=db, lang=lang)
    set_lang(settings.lang)
    _DATABASE["url"] = settings.database_url
    return settings


def _open_desk(settings, *, create: bool):
    """The desk; a new database is made only by commands that create (staff add, demo)."""
    from deskapp.services.desk import Desk

    return Desk.open(settings, create=create)


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


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
    settings = _settings(db, lang)
    from deskapp.app import DeskApp

    DeskApp(settings, sign_in_as=as_).run()


def _ctx_opts(ctx: typer.Context, db: str | None, lang: str | None) -> tuple[str | None, str | None]:
    parent = (ctx.find_root().obj or {}) if ctx else {}
    return db or parent.get("db"), lang or parent.get("lang")


def _ask_pin(prompt: str) -> str:
    try:
        return typer.prompt(prompt, hide_input=True)
    except typer.Abort:  # Ctrl+C or the end of the input at a prompt
        typer.echo("", err=True)
        _fail(t("cli.cancelled"), code=1)


def _new_pin(name: str) -> str:
    """The new staff member's PIN, typed twice (our own loop: the message in the user's language)."""
    from deskapp.errors import DeskError
    from deskapp.services.staff import check_pin

    for _ in range(3):
        pin = _ask_pin(t("cli.pin_new", name=name))
        try:
            check_pin(pin)
        except DeskError as exc:
            _fail(str(exc))
        if _ask_pin(t("cli.pin_again", name=name)) == pin:
            return pin
        typer.echo(t("pin.mismatch"), err=True)
    _fail(t("cli.pin_gave_up"))


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
    from deskapp.i18n import label
    from deskapp.services import staff
    from deskapp.services.faults import DatabaseFault
    from deskapp.services.roles import RANK, ROLES, require

    settings = _settings(*_ctx_opts(ctx, db, lang))
    # Everything that can be checked is checked before a PIN is asked for.
    if role not in ROLES:
        choices = (r if label("role", r) == r else t("cli.role_choice", code=r, label=label("role", r)) for r in ROLES)
        _fail(t("cli.bad_role", value=role, choices=", ".join(choices)))
    try:
        name = staff.clean_name(name)
        desk = _open_desk(settings, create=True)
        actor = None
        if staff.staff_count(desk) == 0:
            if RANK[role] < RANK["supervisor"]:
                _fail(t("err.first_must_be_supervisor"))
        else:
            present = staff.list_staff(desk)
            if not by:
                able = [a.name for a in present if RANK.get(a.role, -1) >= RANK["supervisor"]]
                if not able:
                    _fail(t("cli.no_supervisor"))
                _fail(t("cli.by_needed", example=able[0], supervisors=", ".join(able)))
            by = by.strip()
            supervisor = next((a for a in present if a.name == by), None)
            if supervisor is None:
                _fail(t("err.no_such_staff", name=by))
            require(supervisor, t("action.add_staff"), "supervisor")
            if any(a.name == name for a in present):
                _fail(t("err.staff_exists", name=name))
            actor = staff.sign_in(desk, name=by, pin=_ask_pin(t("cli.pin_of", name=by)))
        pin = _new_pin(name)
        added = staff.add_staff(desk, name=name, role=role, pin=pin, actor=actor)
    except DatabaseFault:
        raise  # a fault, not a refusal: the root handler says it (exit 1)
    except DeskError as exc:
        _fail(str(exc))
    typer.echo(t("cli.added", name=added.name, role=added.role_label, id=added.id))


@staff_app.command("list")
def staff_list(ctx: typer.Context, db: DbOption = None, lang: LangOption = None) -> None:
    """List staff (员工名单)."""
    from deskapp.services import staff

    desk = _open_desk(_settings(*_ctx_opts(ctx, db, lang)), create=False)
    for actor in staff.list_staff(desk):
        typer.echo(f"{actor.name}\t{actor.role_label}")


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
    settings = _settings(*_ctx_opts(ctx, db, lang))
    # Checked before the database is created or opened: a mistake leaves nothing behind.
    # No calls is allowed: the demo staff, departments and units, for a quiet training desk.
    if calls < 0:
        _fail(t("cli.bad_number", option="--calls", least=0, value=calls))
    if months < 1:
        _fail(t("cli.bad_number", option="--months", least=1, value=months))
    from rich.console import Console
    from rich.progress import Progress

    from deskapp.demo import fill_demo
    from deskapp.errors import DeskError
    from deskapp.services.faults import database_where

    desk = _open_desk(settings, create=True)
    try:
        # On stderr, and only on a terminal: stdout carries the summary alone.
        console = Console(stderr=True)
        with Progress(transient=True, console=console, disable=not console.is_terminal) as progress:
            task = progress.add_task("demo", total=calls)
            summary = fill_demo(desk, calls=calls, months=months, seed=seed, now=datetime.now(timezone.utc),
                                progress=lambda done, total: progress.update(task, completed=done, total=total))
    except DeskError as exc:
        _fail(str(exc))
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


@app.command()
def doctor(ctx: typer.Context, db: DbOption = None, lang: LangOption = None) -> None:
    """Examine the database without writing to it: schema, integrity, numbering, audit, calendar (体检)."""
    from deskapp.services.doctor import examine

    report = examine(_settings(*_ctx_opts(ctx, db, lang)))
    marks = {"ok": "✓", "warn": "!", "fault": "✗", "info": "·"}
    for finding in report.findings:
        typer.echo(f"{marks[finding.state]} " + t("doctor.line", label=finding.label, value=finding.value))
    if not report.ok:
        raise typer.Exit(1)


def main(argv: list[str] | None = None) -> None:
    """The console entry point: the Typer app inside the same fault handler as its commands."""
    try:
        app(args=argv, prog_name="deskapp")
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # raised outside any command (the handler above takes those)
        sys.exit(_report(exc))


if __name__ == "__main__":
    main()
