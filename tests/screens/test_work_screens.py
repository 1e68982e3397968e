"""The shell and the work-screen base: the registry, help and palette, the
change signal across modes, faults in workers, and signing in before the
database is open."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from deskapp.registry import SCREENS
from screens.call_log import CallLogScreen
from screens.sign_in import SignInScreen
from tests.screens.conftest import FROZEN, make_app, sign_in, wait_for


def _log_from_another_terminal(db_url: str, content: str) -> None:
    from deskapp.config import Settings
    from deskapp.services.calls import CallDraft, log_call
    from deskapp.services.desk import Desk
    from deskapp.services.staff import sign_in as service_sign_in

    other = Desk.open(Settings(database_url=db_url))
    try:
        clerk = service_sign_in(other, name="李前台", pin="5678")
        log_call(other, clerk, CallDraft(content=content, phone="13911112222"), now=FROZEN + timedelta(minutes=1))
    finally:
        other.engine.dispose()


class TestRegistry:
    def test_every_registered_screen_has_a_key_a_mode_and_a_title(self):
        from deskapp.app import DeskApp
        from deskapp.i18n import MESSAGES

        keys = [e.key for e in SCREENS if e.key]  # "": a screen found by the palette only
        assert len(set(keys)) == len(keys)
        assert all(e.palette for e in SCREENS if not e.key)
        assert set(DeskApp.MODES) == {e.name for e in SCREENS}
        bound = {b.key for b in DeskApp.BINDINGS}
        assert set(keys) <= bound
        for e in SCREENS:
            assert e.title in MESSAGES and e.key_label in MESSAGES and all(p in MESSAGES for p in e.palette)

    async def test_the_palette_finds_screens_and_actions_by_their_chinese_names(self, staffed_db):
        app = make_app(staffed_db)
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            commands = list(app.get_system_commands(app.screen))
            searchable = [f"{c.title} {c.help}" for c in commands]
            for word in ("登记", "投诉", "派工", "回访", "交接"):
                assert any(word in s for s in searchable), word
            new_call = next(c for c in commands if c.title.startswith("登记"))
            assert "(Ctrl+N)" in new_call.title
            await new_call.callback()
            await wait_for(pilot, lambda: type(app.screen).__name__ == "CallFormScreen")


class TestHelp:
    async def test_help_lists_the_keys_of_the_screen_as_bound(self, staffed_db, tmp_path, monkeypatch):
        from deskapp.app import DeskApp
        from deskapp.config import load_settings
        from tests.screens.conftest import frozen_clock

        config = tmp_path / "config.toml"
        config.write_text('[keys]\nnew_record = "ctrl+o"\n', encoding="utf-8")
        monkeypatch.setenv("DESKAPP_CONFIG", str(config))
        monkeypatch.setenv("DESKAPP_DATABASE_URL", staffed_db)
        app = DeskApp(load_settings(), sign_in_as="王主管", clock=frozen_clock())
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            await pilot.press("f1")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
            text = str(app.screen.query_one("Static").render())
            line = next(line for line in text.splitlines() if line.split()[-1:] == ["登记"])
            assert "Ctrl+O" in line and "Ctrl+N" not in line
            for words in ("搜索", "筛选", "来电", "投诉", "帮助"):
                assert words in text


class TestFreshData:
    async def test_a_call_logged_elsewhere_reaches_the_call_log_while_another_mode_is_shown(self, staffed_db):
        app = make_app(staffed_db)
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            calls = app.screen.query_one("RegisterList")
            assert calls.total == 3
            await pilot.press("f3")
            await wait_for(pilot, lambda: app.current_mode == "complaints")
            _log_from_another_terminal(staffed_db, "在投诉屏幕时别处登记的来电")
            version = app.data_version
            await wait_for(pilot, lambda: app.data_version > version, what="the change signal to fire")
            assert calls.total == 3  # out of view: not re-read yet, only marked
            await pilot.press("f2")
            await wait_for(pilot, lambda: calls.total == 4, what="the call log to re-read when shown again")
            assert calls.current.content == "在投诉屏幕时别处登记的来电"


class TestSignInBeforeTheDatabaseIsOpen:
    async def test_name_and_pin_typed_at_first_paint_are_checked_once_the_desk_opens(self, staffed_db):
        gate = threading.Event()
        app = make_app(staffed_db, sign_in_as=None)
        opening = app._open_desk_work

        def slow_open():
            gate.wait(10)  # a slow disk: the desk opens only when the test says so
            return opening()

        app._open_desk_work = slow_open
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
            assert app.desk is None
            await pilot.press(*"李前台", "enter", *"5678", "enter")
            await wait_for(pilot, lambda: "正在打开" in str(app.screen.query_one("#signin-hint").render()))
            assert app.actor is None
            gate.set()
            await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen), what="sign-in once the desk opened")
            assert app.actor.name == "李前台"

    async def test_a_desk_that_cannot_open_says_why_on_the_sign_in_screen(self, tmp_path):
        bad = tmp_path / "not-a-database.sqlite"
        bad.write_bytes(b"this is not a database" * 200)
        app = make_app(f"sqlite:///{bad}", sign_in_as=None)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: "损坏" in str(app.screen.query_one("#signin-error").render()))
            assert app.is_running and app.desk is None

    async def test_name_enter_pin_enter_typed_in_one_burst_signs_in(self, staffed_db):
        from tests.screens.test_form_kit import burst

        app = make_app(staffed_db, sign_in_as=None)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen) and app.focused is not None)
            burst(app, *"李前台", "enter", *"5678", "enter")  # as a fast typist sends them
            await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen), what="sign-in from one burst")
            assert app.actor.name == "李前台"


class TestEightyColumns:
    """Key labels are read when the modules load, so each language runs in a fresh process."""

    SCRIPT = """
import asyncio, sys
from deskapp.config import Settings
from deskapp.i18n import set_lang
set_lang(sys.argv[2])
from tests.screens.conftest import make_app, sign_in

async def main():
    app = make_app(sys.argv[1], lang=sys.argv[2])
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.pause()
        keys = [(w.key, w.region.right) for w in app.screen.query("FooterKey")]
        print(max(r for _, r in keys), " ".join(k for k, _ in keys), app.screen.query_one("DeskHeader").render().cell_len)

asyncio.run(main())
"""

    @pytest.mark.parametrize("lang", ["zh", "en"])
    def test_every_screen_key_fits_the_footer_and_the_clock_fits_the_header(self, staffed_db, lang):
        import subprocess
        import sys
        from pathlib import Path

        root = Path(__file__).resolve().parents[2]
        done = subprocess.run([sys.executable, "-c", self.SCRIPT, staffed_db, lang], capture_output=True, text=True,
                              cwd=root, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        right, keys, header = done.stdout.split("\n")[0].split(" ", 1)[0], done.stdout.split()[1:-1], done.stdout.split()[-1]
        assert int(right) <= 80, (lang, keys)
        assert {"f1", "f2", "f3", "f4", "f5", "f6"} <= set(keys)
        assert int(header) <= 78  # the clock is not cut off
