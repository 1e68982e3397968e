"""The entry point: the app without Typer, in the language asked for."""

from __future__ import annotations

import subprocess
import sys

import pytest

from deskapp.launch import APP_OPTIONS, _app_options


def typer_command_line():
    """The real Typer app as click sees it: its commands and groups, and the callback's options."""
    import typer.main

    from deskapp import cli

    return typer.main.get_command(cli.app)


def test_app_options_and_subcommands_are_told_apart():
    assert _app_options([]) is not None
    opts = _app_options(["--db", "/tmp/x.sqlite", "--as", "王主管", "--lang", "en"])
    assert (opts.db, opts.as_, opts.lang) == ("/tmp/x.sqlite", "王主管", "en")
    for argv in (["doctor"], ["staff", "list"], ["--help"], ["demo", "--calls", "10"], ["--unknown"]):
        assert _app_options(argv) is None, argv


def test_english_reaches_the_key_labels_and_typer_is_not_loaded(tmp_path):
    code = (
        "import sys\n"
        "from deskapp.launch import _app_options, build_app\n"
        f"app = build_app(_app_options(['--lang', 'en', '--db', {str(tmp_path / 'd.sqlite')!r}]))\n"
        "labels = {b.id: b.description for b in type(app).BINDINGS if b.id}\n"
        "print(labels['go_calls'], labels['help'], 'typer' in sys.modules, 'sqlmodel' in sys.modules)\n"
    )
    env_code = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env={"DESKAPP_CONFIG": str(tmp_path / "none.toml"), "PATH": "/usr/bin:/bin"})
    assert env_code.returncode == 0, env_code.stderr
    assert env_code.stdout.split() == ["Log", "Help", "False", "False"]


def test_the_app_options_are_the_typer_callbacks_options():
    group = typer_command_line()
    options = {opt: param.name for param in group.params for opt in param.opts}
    # launch's dest names are the callback's parameter names (as_ for --as)
    assert options == APP_OPTIONS
    assert all(param.nargs == 1 and not getattr(param, "is_flag", False) for param in group.params)


def test_every_command_and_group_typer_registers_goes_to_typer():
    commands = typer_command_line().commands
    assert {"staff", "demo", "doctor"} <= set(commands)  # the check below is only as good as this list
    for name, command in commands.items():
        lines = [[name], ["--db", "/tmp/x.sqlite", name], [name, "--db", "/tmp/x.sqlite"], ["--lang", "en", name]]
        lines += [[name, sub] for sub in getattr(command, "commands", {})]  # a group's own commands
        for argv in lines:
            assert _app_options(argv) is None, f"{argv} would start the app instead of running {name!r}"


@pytest.mark.parametrize("argv, expected", [
    (["--as", "doctor"], {"as_": "doctor"}),  # a command's name as an option's value is the value, as in Typer
    (["--db=demo"], {"db": "demo"}),
])
def test_a_command_name_given_as_an_option_value_is_a_value(argv, expected):
    opts = _app_options(argv)
    assert opts is not None
    assert {k: v for k, v in vars(opts).items() if v is not None} == expected


def test_a_mistake_goes_to_typer_without_a_usage_line_of_our_own(capsys):
    for argv in (["--db"], ["--lang"], ["--as"], ["--dbx", "1"]):
        assert _app_options(argv) is None, argv
    assert capsys.readouterr() == ("", "")


def test_an_unknown_language_is_refused_on_the_app_path_without_typer(tmp_path):
    db = tmp_path / "d.sqlite"
    code = (
        "import sys\n"
        "from deskapp.launch import main\n"
        "try:\n"
        f"    main(['--lang', 'fr', '--db', {str(db)!r}])\n"
        "except SystemExit as exc:\n"
        "    print(exc.code, 'typer' in sys.modules, 'textual' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"DESKAPP_CONFIG": str(tmp_path / "none.toml"), "PATH": "/usr/bin:/bin"})
    assert proc.stdout.split() == ["2", "False", "False"]
    assert proc.stderr.strip() == "不支持的界面语言：fr。可选：zh（中文）、en（English）"
    assert not db.exists()
