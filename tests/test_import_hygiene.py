"""What each layer drags in at import time, checked in a fresh interpreter.

The pure core must stay free of Textual, storage and the holiday library (it is
unit-tested and used headless); the app shell must reach its first paint
without SQLAlchemy, SQLModel or Alembic (storage loads in a worker afterwards).
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import deskapp.core

ROOT = Path(__file__).resolve().parents[1]
CORE_MODULES = sorted(f"deskapp.core.{m.name}" for m in pkgutil.iter_modules(deskapp.core.__path__))


def loaded_after(*modules: str) -> set[str]:
    """Top-level packages present in sys.modules after importing `modules` in a new interpreter."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {list(modules)!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_core_modules_are_found():
    # The check below is only as good as this list.
    assert {"deskapp.core.text", "deskapp.core.severity", "deskapp.core.workdays",
            "deskapp.core.countdown"} <= set(CORE_MODULES)


def test_pure_core_imports_no_ui_storage_or_calendar_library():
    loaded = loaded_after("deskapp", "deskapp.core", *CORE_MODULES, "deskapp.errors", "deskapp.i18n")
    assert set(CORE_MODULES) and "deskapp" in loaded
    assert loaded & {"textual", "sqlalchemy", "sqlmodel", "holidays", "alembic"} == set()


@pytest.mark.parametrize("module", ["deskapp.app", "deskapp.cli", "deskapp.config"])
def test_start_up_path_imports_no_storage(module):
    loaded = loaded_after(module)
    assert module.split(".")[0] in loaded
    assert loaded & {"sqlmodel", "sqlalchemy", "alembic"} == set()


def test_app_shell_leaves_the_calendar_library_for_later():
    loaded = loaded_after("deskapp.app")
    assert "textual" in loaded  # sanity: the shell itself did load
    assert "holidays" not in loaded


def test_the_check_itself_can_fail():
    """Importing storage does load SQLAlchemy: the subprocess really reports what got imported."""
    assert {"sqlalchemy", "sqlmodel"} <= loaded_after("deskapp.storage.models")
