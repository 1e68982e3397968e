"""Drafts: what is typed into a form is kept on disk and offered back to the same person at the next start.

The process-kill case (SIGKILL in a real terminal) is tests/test_drafts_killed.py; here the app
is left without saving (as a closed terminal leaves it) and a new app on the same file is started.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from deskapp.services.drafts import Draft, discard_draft, draft_folder, drafts_of, save_draft
from deskapp.config import Settings
from deskapp.widgets.drafts import DraftOfferScreen
from deskapp.widgets.form import DiscardScreen
from screens.call_log import CallLogScreen
from screens.sign_in import SignInScreen
from tests.screens.conftest import make_app, sign_in, wait_for

TYPED = "卫生间漏水 [red]楼下[/red]"


def folder_of(db_url: str) -> Path:
    return draft_folder(Settings(database_url=db_url))


def draft_file(db_url: str, staff_id: int = 1) -> Path:
    return folder_of(db_url) / f"staff-{staff_id}.call.json"


async def type_a_call_and_leave_it(db_url: str) -> None:
    app = make_app(db_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CallFormScreen")
        await pilot.press(*"13812345678", "enter", "enter", "enter", "1", "enter", "2", "enter", *TYPED)
        await wait_for(pilot, lambda: TYPED in draft_file(db_url).read_text(encoding="utf-8"),
                       what="the draft on disk")
    # The app went away with the form open and nothing saved.


def leave_a_draft(db_url: str) -> None:
    """The file the form leaves behind (as type_a_call_and_leave_it does, without the cost of an app)."""
    values = {"phone": "13812345678", "unit": "", "caller_name": "", "channel": "phone", "category": "repair",
              "content": TYPED, "reply": ""}
    save_draft(folder_of(db_url), Draft(1, "call", values, datetime(2026, 11, 24, 1, 29, tzinfo=timezone.utc),
                                        "calls", f"13812345678 · {TYPED}"))


async def sign_in_to_the_offer(pilot, pin: str = "1234") -> DraftOfferScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen) and app.focused is not None
                   and app.focused.id == "pin")
    await pilot.press(*pin, "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, DraftOfferScreen), what="the draft offer")
    return app.screen


def calls(db_url: str) -> list[tuple]:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(db_url.removeprefix("sqlite:///"))) as conn:
        return conn.execute("SELECT content, phone, category FROM call ORDER BY id").fetchall()


class TestOfferedBack:
    async def test_enter_restores_the_form_as_typed_and_saving_it_removes_the_draft(self, staffed_db):
        await type_a_call_and_leave_it(staffed_db)
        before = calls(staffed_db)
        app = make_app(staffed_db)
        async with app.run_test(size=(80, 24)) as pilot:
            offer = await sign_in_to_the_offer(pilot)
            assert TYPED in str(offer.query_one("#draft-preview").render())  # shown as typed, not as markup
            await pilot.press("enter")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "CallFormScreen")
            form = app.screen
            await wait_for(pilot, lambda: form.query_one("#content").value == TYPED, what="the content restored")
            assert form.query_one("#phone").value == "13812345678"
            assert form.query_one("#category").value == "repair"
            assert "未保存的草稿" in str(form.query_one("#hint").render())
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen), what="the call saved")
            await wait_for(pilot, lambda: not draft_file(staffed_db).exists(), what="the draft removed")
        assert calls(staffed_db) == before + [(TYPED, "13812345678", "repair")]

    async def test_esc_keeps_it_for_later_and_the_form_opens_filled_in(self, staffed_db):
        leave_a_draft(staffed_db)
        app = make_app(staffed_db)
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in_to_the_offer(pilot)
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen))
            assert draft_file(staffed_db).exists()
            await pilot.press("ctrl+n")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "CallFormScreen")
            form = app.screen
            await wait_for(pilot, lambda: form.query_one("#content").value == TYPED)
            # Esc on the form, then yes: the person throws it away, and only then is it gone.
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, DiscardScreen))
            await pilot.press("y")
            await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen))
            await wait_for(pilot, lambda: not draft_file(staffed_db).exists(), what="the draft removed")
        app = make_app(staffed_db)
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot)  # no offer this time
            assert isinstance(app.screen, CallLogScreen)

    async def test_d_throws_it_away_only_after_asking(self, staffed_db):
        leave_a_draft(staffed_db)
        app = make_app(staffed_db)
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in_to_the_offer(pilot)
            await pilot.press("d")
            await wait_for(pilot, lambda: isinstance(app.screen, DiscardScreen))
            await pilot.press("n")  # not after all: back to the offer, nothing lost
            await wait_for(pilot, lambda: isinstance(app.screen, DraftOfferScreen))
            assert draft_file(staffed_db).exists()
            await pilot.press("d")
            await wait_for(pilot, lambda: isinstance(app.screen, DiscardScreen))
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen))
            await wait_for(pilot, lambda: not draft_file(staffed_db).exists(), what="the draft removed")

    async def test_another_person_is_not_offered_it(self, staffed_db):
        leave_a_draft(staffed_db)
        app = make_app(staffed_db, sign_in_as="李前台")
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, pin="5678")
            assert isinstance(app.screen, CallLogScreen) and app.drafts == {}
        assert draft_file(staffed_db).exists()  # still 王主管's


class TestDraftFiles:
    def draft(self, staff_id=1, kind="call", content="漏水") -> Draft:
        return Draft(staff_id, kind, {"content": content, "urgent": True, "phone": None},
                     datetime(2026, 11, 24, 1, 30, tzinfo=timezone.utc), "calls", content)

    def test_saved_listed_per_person_and_discarded(self, tmp_path):
        save_draft(tmp_path, self.draft())
        save_draft(tmp_path, self.draft(content="改了"))  # the newest replaces the last
        save_draft(tmp_path, self.draft(staff_id=2))
        assert [d.values["content"] for d in drafts_of(tmp_path, 1)] == ["改了"]
        assert drafts_of(tmp_path, 1)[0] == self.draft(content="改了")
        assert oct((tmp_path / "staff-1.call.json").stat().st_mode & 0o777) == "0o600"
        discard_draft(tmp_path, 1, "call")
        assert drafts_of(tmp_path, 1) == [] and len(drafts_of(tmp_path, 2)) == 1
        assert sorted(p.name for p in tmp_path.iterdir()) == ["staff-2.call.json"]  # no temporary files left

    def test_a_file_that_cannot_be_read_is_skipped(self, tmp_path):
        save_draft(tmp_path, self.draft(kind="complaint"))
        (tmp_path / "staff-1.call.json").write_text("{half a dra", encoding="utf-8")
        (tmp_path / "staff-1.slip.json").write_text(json.dumps({"version": 99}), encoding="utf-8")
        assert [d.kind for d in drafts_of(tmp_path, 1)] == ["complaint"]
        assert drafts_of(tmp_path / "nowhere", 1) == []

    def test_a_server_database_keeps_drafts_in_the_user_data_folder(self):
        folder = draft_folder(Settings(database_url="postgresql+psycopg://desk:secret@db.example/desk"))
        assert "secret" not in str(folder) and folder.parent.name == "drafts"
