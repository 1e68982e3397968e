"""The root of the `deskapp` command: the Typer app, its options, its one fault handler.

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
a PIN, so a mistake costs nothing and leaves nothing behind. The helpers
below are what every command module in this package uses for that.
"""

from __future__ import annotations

import sys
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

DbOption = Annotated[Optional[str], typer.Option("--db", help="SQLite 文件路径或数据库 URL (path of the SQLite file, or a URL such as postgresql://desk@server/desk); or set DESKAPP_DATABASE_URL")]
LangOption = Annotated[Optional[str], typer.Option("--lang", help="界面语言 zh / en (interface language)")]


def settings_for(db: str | None, lang: str | None):
    """Settings for these options, the language set; an unknown --lang is refused (exit 2)."""
    from deskapp.config import load_settings

    if lang is not None and lang_code(lang) is None:
        set_lang(load_settings(db=db).lang)  # refused in the language the user would otherwise get
        fail(t("cli.bad_lang", value=lang))
    settings = load_settings(db=db, lang=lang)
    set_lang(settings.lang)
    _DATABASE["url"] = settings.database_url
    return settings


def open_desk(settings, *, create: bool):
    """The desk; a new database is made only by commands that create (staff add, demo)."""
    from deskapp.services.desk import Desk

    return Desk.open(settings, create=create)


def fail(message: str, code: int = 2) -> NoReturn:
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
    settings = settings_for(db, lang)
    from deskapp.app import DeskApp

    DeskApp(settings, sign_in_as=as_).run()


def ctx_opts(ctx: typer.Context, db: str | None, lang: str | None) -> tuple[str | None, str | None]:
    parent = (ctx.find_root().obj or {}) if ctx else {}
    return db or parent.get("db"), lang or parent.get("lang")


def ask_pin(prompt: str) -> str:
    try:
        return typer.prompt(prompt, hide_input=True)
    except typer.Abort:  # Ctrl+C or the end of the input at a prompt
        typer.echo("", err=True)
        fail(t("cli.cancelled"), code=1)


def main(argv: list[str] | None = None) -> None:
    """The console entry point: the Typer app inside the same fault handler as its commands."""
    try:
        app(args=argv, prog_name="deskapp")
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # raised outside any command (the handler above takes those)
        sys.exit(_report(exc))

