"""The `deskapp` command: the app by default, plus one command or group per module here.

`root` holds the Typer app, the shared options and the fault handler; every
other module in this package adds its command or Typer group to that app when
imported, and all of them are imported here, so a new command (an export, a
report, a backup) is one new file and no edit anywhere else. Heavy modules
(storage, services, the Textual app) are imported inside the commands that
need them, so `deskapp --help` and the app's first paint stay fast.
"""

from __future__ import annotations

import importlib
import pkgutil

from deskapp.cli.root import app, main, run

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _module != "root" and not _module.startswith("_"):
        importlib.import_module(f"{__name__}.{_module}")

__all__ = ["app", "main", "run"]
