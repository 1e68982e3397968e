"""The entry point: the app without Typer, in the language asked for."""

from __future__ import annotations

import subprocess
import sys

from deskapp.launch import _app_options


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
    assert env_code.stdout.split() == ["Calls", "Help", "False", "False"]
