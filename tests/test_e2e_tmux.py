"""The end-to-end run in real terminals (opt-in: `scripts/test -m slow`; needs tmux)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "e2e_tmux.py"


@pytest.mark.slow
def test_two_real_terminals_log_search_and_refresh():
    result = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "e2e: all steps passed" in result.stdout
