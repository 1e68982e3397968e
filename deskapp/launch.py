"""The `deskapp` entry point: the app straight away, or the Typer CLI.

Every receptionist pays for the start-up path at every start, so with no
subcommand the app starts without importing Typer (~70 ms). The options are
the same three that the Typer callback `deskapp.cli.run` declares and
documents (`deskapp --help` goes to Typer).
"""

from __future__ import annotations

import argparse
import sys

COMMANDS = ("staff", "demo", "doctor")


def _app_options(argv: list[str]) -> argparse.Namespace | None:
    if any(a in ("--help", "-h") or a in COMMANDS for a in argv):
        return None
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--db")
    parser.add_argument("--lang")
    parser.add_argument("--as", dest="as_")
    try:
        opts, rest = parser.parse_known_args(argv)
    except SystemExit:
        return None
    return None if rest else opts


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    opts = _app_options(argv)
    if opts is None:
        from deskapp.cli import main as cli_main

        cli_main()
        return
    build_app(opts).run()


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
