"""The app backs the database up at the first sign-in of a shift, in a worker, once per shift."""

from __future__ import annotations

from pathlib import Path

from deskapp.app import DeskApp
from deskapp.config import Settings
from tests.screens.conftest import frozen_clock, sign_in, wait_for


def _app(db_url: str, at_shift_change: bool) -> DeskApp:
    settings = Settings(database_url=db_url, backup_at_shift_change=at_shift_change)
    return DeskApp(settings, sign_in_as="王主管", clock=frozen_clock())


async def test_first_sign_in_of_the_shift_makes_its_backup_and_the_next_does_not(staffed_db):
    folder = Path(staffed_db.removeprefix("sqlite:///")).parent
    app = _app(staffed_db, True)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        # FROZEN is 09:30 in Shanghai: the day shift that began 08:00 local (00:00 UTC).
        made = folder / "desk.sqlite.shift-20261124T000000Z.bak"
        await wait_for(pilot, made.is_file, what="the shift's backup")
        await wait_for(pilot, lambda: any("交接班备份已完成" in str(n.message) for n in app._notifications),
                       what="the notice")
    size = made.stat().st_size
    app = _app(staffed_db, True)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.pause()
        assert not any("交接班备份" in str(n.message) for n in app._notifications)
    assert sorted(p.name for p in folder.glob("*.bak")) == [made.name] and made.stat().st_size == size


async def test_off_by_default(staffed_db):
    folder = Path(staffed_db.removeprefix("sqlite:///")).parent
    app = _app(staffed_db, False)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
    assert not list(folder.glob("*.bak"))
