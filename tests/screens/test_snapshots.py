"""SVG snapshots of the home screen at the desk's smallest terminal (80x24)."""

from __future__ import annotations

from tests.screens.conftest import make_app, sign_in


def test_call_log_home_screen_80x24(staffed_db, snap_compare):
    assert snap_compare(make_app(staffed_db), terminal_size=(80, 24), run_before=sign_in)


def test_call_log_wide_terminal_shows_phone_and_channel(staffed_db, snap_compare):
    assert snap_compare(make_app(staffed_db), terminal_size=(120, 30), run_before=sign_in)
