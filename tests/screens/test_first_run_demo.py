"""First run: Ctrl+D loads the demo through the services and offers the demo supervisor's sign-in."""

from __future__ import annotations

from deskapp.config import Settings
from deskapp.services import invariants
from deskapp.services.desk import Desk
from tests.screens.conftest import make_app, wait_for


async def test_ctrl_d_loads_demo_data_and_offers_the_demo_sign_in(db_url):
    from screens.first_run import FirstRunScreen
    from screens.sign_in import SignInScreen

    app = make_app(db_url, sign_in_as=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, FirstRunScreen), what="the first-run screen")
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen), timeout=60.0,
                       what="the sign-in screen after the demo data is loaded")
    desk = Desk.open(Settings(database_url=db_url))
    try:
        report = invariants.check(desk)
        assert report.problems == ()
        assert {(c.check, c.subject): c.count for c in report.checked}[("audit", "call")] == 3000
    finally:
        desk.engine.dispose()
