"""A call saved at one desk appears on another desk's screen without a key press, on both
engines, written by a real second process (docs/rules.md "Many desks on one database").

The time it takes is measured by scripts/bench_live.py, not asserted here.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.screens.conftest import make_app, sign_in, wait_for

ROOT = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent("""
    import sys
    from datetime import datetime, timezone
    from deskapp.config import Settings
    from deskapp.services.calls import CallDraft, log_call
    from deskapp.services.desk import Desk
    from deskapp.services.staff import sign_in

    desk = Desk.open(Settings(database_url=sys.argv[1]))
    clerk = sign_in(desk, name="李前台", pin="5678")
    log_call(desk, clerk, CallDraft(content="另一台前台登记的来电", phone="13911112222"),
             now=datetime(2026, 11, 24, 1, 31, tzinfo=timezone.utc))
    desk.engine.dispose()
""")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def shared_db(request, tmp_path, open_desk_copy):
    """A desk with 王主管 (1234) and 李前台 (5678) and no calls, as a URL both processes open."""
    desk = open_desk_copy(tmp_path / "desk.sqlite", "receptionist", backend=request.param)
    url = desk.engine.url.render_as_string(hide_password=False)
    desk.engine.dispose()
    yield url
    if request.param == "postgresql":
        request.getfixturevalue("pg_server").drop(url)


async def test_a_call_saved_by_another_process_appears_on_the_call_log(shared_db):
    app = make_app(shared_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot)
        calls = app.screen.query_one("RegisterList")
        assert calls.total == 0
        writer = subprocess.run([sys.executable, "-c", WRITER, shared_db], cwd=ROOT, capture_output=True,
                                text=True, timeout=120)
        assert writer.returncode == 0, writer.stderr
        await wait_for(pilot, lambda: calls.total == 1 and "另一台前台登记的来电" in "".join(
            calls.render_line(y).text for y in range(calls.size.height)), what="the other desk's call on this screen")
