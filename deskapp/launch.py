"""The `deskapp` entry point: the app straight away, or the Typer CLI.

Every receptionist pays for the start-up path at every start, so with no
subcommand the app starts without importing Typer (~70 ms). The options are
the same three that the Typer callback `deskapp.cli.run` declares and
documents (`deskapp --help` goes to Typer).

The app takes no words, only these options, so anything else on the line (a
command, a command group, a typo) goes to Typer. That is why no list of
command names is kept here: a new command needs no edit in this file
(tests/test_launch.py checks every command Typer registers against this rule).
"""

from __future__ import annotations

import argparse
import sys

# The options of the Typer callback `deskapp.cli.run`, each taking one value
# (compared with the callback in tests/test_launch.py).
APP_OPTIONS = {"--db": "db", "--lang": "lang", "--as": "as_"}


class _NotTheApp(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # Typer reports the mistake, in its own words
        raise _NotTheApp(message)


def _app_options(argv: list[str]) -> argparse.Namespace | None:
    """The app's options, or None when the line is for Typer (help, a command, a mistake)."""
    if any(a in ("--help", "-h") for a in argv):
        return None
    parser = _Parser(add_help=False, allow_abbrev=False)
    for option, dest in APP_OPTIONS.items():
        parser.add_argument(option, dest=dest)
    try:
        opts, rest = parser.parse_known_args(argv)
    except _NotTheApp:
        return None
    return None if rest else opts


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    opts = _app_options(argv)
    if opts is None:
        from deskapp.cli import main as cli_main

        cli_main()
        return
    from deskapp.config import SettingsRefused

    try:
        refusal = lang_refusal(opts)
        app = None if refusal else build_app(opts)
    except SettingsRefused as exc:  # DESKAPP_LANG or the config file: said before any screen
        refusal = str(exc)
    if refusal:
        print(refusal, file=sys.stderr)
        sys.exit(2)
    app.run()


def lang_refusal(opts: argparse.Namespace) -> str | None:
    """The message refusing an unknown --lang (as the CLI words it), or None; Typer is not needed for it."""
    from deskapp.i18n import lang_code, set_lang, t

    if opts.lang is None or lang_code(opts.lang) is not None:
        return None
    from deskapp.config import load_settings

    set_lang(load_settings(db=opts.db).lang)  # in the language the user would otherwise get
    return t("cli.bad_lang", value=opts.lang)


def build_app(opts: argparse.Namespace):
    """The app for these options, its language chosen before its modules load."""
    from deskapp.config import load_settings
    from deskapp.i18n import set_lang

    settings = load_settings(db=opts.db, lang=opts.lang)
    set_lang(settings.lang)  # before the app's modules load: key labels are read then
    from deskapp.app import DeskApp

    return DeskApp(settings, sign_in_as=opts.as_)


if __name__ == "__main__":
    main()
