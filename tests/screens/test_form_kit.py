"""The form base and each field kind, driven with keys on a small form built on it.

The form is mounted on a bare host app that carries what a form needs from
the desk app (the open desk on a real SQLite file, the frozen clock, who is
signed in), so these tests exercise the kit, not the shell around it.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from typing import Any, Callable

import pytest
from textual import events
from textual.app import App
from textual.keys import _character_to_key

from deskapp.config import Settings
from deskapp.errors import InputError
from deskapp.i18n import set_lang, t
from deskapp.services.desk import Desk
from deskapp.services.reference_queries import choices_from, department_choices, staff_choices, unit_choices
from deskapp.storage.engine import write_session
from deskapp.storage.models import Department
from deskapp.widgets.fields import ChoiceField, MoneyField, TextField, WhenField, WholeField, YesNoField
from deskapp.widgets.form import DiscardScreen, FormScreen
from deskapp.widgets.picker import PickerField
from tests.screens.conftest import frozen_clock

FEE_ITEMS = [("F01", "更换水龙头", "¥30"), ("F02", "疏通下水道", "¥50"), ("F03", "更换灯泡", "¥10")]


class SampleForm(FormScreen):
    """Every field kind once, saving through whatever `saver` the test gives."""

    def __init__(self, saver: Callable[[dict[str, Any]], Any]):
        super().__init__()
        self.saver = saver

    def form_title(self) -> str:
        return "样例"

    def fields(self):
        return [
            TextField("note", "备注", max_chars=10),
            TextField("item", "内容", multiline=True, required=True),
            WhenField("appointment", "预约"),
            MoneyField("fee", "费用"),
            YesNoField("chargeable", "有偿"),
            WholeField("copies", "份数", minimum=1, maximum=3),
            ChoiceField("kind", "类别", [("a", "甲"), ("b", "乙")]),
            PickerField("department", "部门", source=department_choices),
            PickerField("fee_item", "收费项目", source=choices_from(FEE_ITEMS)),
            PickerField("unit", "房号", source=unit_choices, free_text=True),
            PickerField("staff", "员工", source=staff_choices),
        ]

    def save(self, values):
        return self.saver(values)


class FormHost(App):
    """Just what a form reads from the desk app: desk, clock, actor."""

    def __init__(self, desk: Desk, form: FormScreen):
        super().__init__()
        self.desk, self.clock, self.actor = desk, frozen_clock(), None
        self.form = form
        self.result: Any = "still open"

    def on_mount(self) -> None:
        self.push_screen(self.form, self.form_closed)

    def form_closed(self, result: Any) -> None:
        self.result = result


@pytest.fixture
def desk(staffed_db):
    set_lang("zh")
    desk = Desk.open(Settings(database_url=staffed_db))
    with write_session(desk.engine) as session:
        for name, kind in (("工程部", "engineering"), ("秩序部", "security"), ("环境部", "environment"),
                           ("电梯维保单位", "contractor")):
            session.add(Department(name=name, kind=kind))
        session.add(Department(name="已撤销的工程队", kind="contractor", active=False))
    yield desk
    desk.engine.dispose()


async def wait_for(pilot, predicate: Callable[[], Any], what: str, timeout: float = 10.0) -> None:
    """Let workers run until `predicate()` holds; fail naming what never happened."""
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"waited {timeout:.0f} s for {what}")


def burst(app: App, *keys: str) -> None:
    """Every key queued at once, as a fast typist, a paste or a barcode scanner sends them:
    the app reads them all before the fields have handled any (Pilot.press waits after each key)."""
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(key if key.isalnum() else _character_to_key(key), key))
        else:
            app.post_message(events.Key(key, {"enter": "\r", "ctrl+j": "\n", "space": " "}.get(key)))


def saved_into(box: list) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def saver(values):
        box.append(values)
        return values

    return saver


async def open_form(pilot, form: FormScreen) -> FormScreen:
    await wait_for(pilot, lambda: pilot.app.screen is form and form.focused is not None, "the form to open")
    await pilot.pause()
    return form


def aside(form: FormScreen, name: str) -> str:
    return str(form.query_one(f"#{name}-field .form-aside").render())


async def fill_required(pilot, form: FormScreen) -> None:
    form.set_focus(form.query_one("#item"))
    await pilot.press(*"水管漏了")


class TestText:
    async def test_counter_counts_against_the_field_limit_and_warns_near_and_over_it(self, desk):
        form = SampleForm(saved_into([]))
        async with FormHost(desk, form).run_test(size=(100, 40)) as pilot:
            await open_form(pilot, form)
            assert aside(form, "note") == "0/10"
            await pilot.press(*"abc")
            assert aside(form, "note") == "3/10"
            counter = form.query_one("#note-field .form-aside")
            assert not counter.has_class("-near") and not counter.has_class("-over")
            await pilot.press(*"defghi")
            assert aside(form, "note") == "9/10" and counter.has_class("-near")
            await pilot.press(*"jk")
            assert aside(form, "note") == "11/10" and counter.has_class("-over")

    async def test_content_counts_against_the_policy_limit_and_ctrl_j_starts_a_new_line(self, desk):
        box = []
        form = SampleForm(saved_into(box))
        limit = desk.policy.content_max_chars
        async with FormHost(desk, form).run_test(size=(100, 40)) as pilot:
            await open_form(pilot, form)
            await pilot.press("enter")  # past the note
            assert form.focused.id == "item"
            await pilot.press(*"第一行", "ctrl+j", *"第二行")
            assert form.query_one("#item").value == "第一行\n第二行"
            assert aside(form, "item").startswith(f"7/{limit}")
            assert t("form.newline_hint") in aside(form, "item")
            await pilot.press("enter")  # Enter still moves on, even from several lines
            assert form.focused.id == "appointment"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: box, "the save")
        assert box[0]["item"] == "第一行\n第二行"

    async def test_too_long_is_refused_on_save_with_its_length(self, desk):
        box = []
        form = SampleForm(saved_into(box))
        async with FormHost(desk, form).run_test(size=(100, 40)) as pilot:
            await open_form(pilot, form)
            await pilot.press(*"12345678901")
            await fill_required(pilot, form)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: "11" in str(form.query_one("#error").render()), "the refusal")
            assert form.focused.id == "note" and form.query_one("#note-field").has_class("-invalid")
            assert box == []


class TestWhen:
    async def test_typed_time_reads_back_in_the_site_zone(self, desk):
        form = SampleForm(saved_into([]))
        async with FormHost(desk, form).run_test(size=(100, 40)) as pilot:
            await open_form(pilot, form)
            form.set_focus(form.query_one("#appointment"))
            await pilot.press(*"14:30")
            assert aside(form, "appointment") == "→ 11-24 14:30 周二"  # the frozen clock: Tue 24 Nov, 09:30
            form.query_one("#appointment").value = ""
            await pilot.press(*"+30m")
            assert aside(form, "appointment") == "→ 11-24 10:00 周二"
            form.query_one("#appointment").value = "2027-01-05 08:00"
            await pilot.pause()
            assert aside(form, "appointment") == "→ 2027-01-05 08:00 周二"

    async def test_an_impossible_day_refuses_the_save_and_focuses_the_field(self, desk):
        box = []
        form = SampleForm(saved_into(box))
        app = FormHost(desk, form)
        async with app.run_test(size=(100, 40)) as pilot:
            await open_form(pilot, form)
            await fill_required(pilot, form)
            form.set_focus(form.query_one("#appointment"))
            await pilot.press(*"2026-02-30 10:00")
            assert aside(form, "appointment") == "?"
            form.set_focus(form.query_one("#note"))
            await pilot.press("ctrl+s")
            error = form.query_one("#error")
            await wait_for(pilot, lambda: "2026-02-30" in str(error.render()), "the refusal")
            assert "预约" in str(error.render())  # the line names the field
            assert form.focused.id == "appointment"
            assert app.screen is form and box == []
            # mend it and save again
            form.query_one("#appointment").value = "11-25 14:30"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: box, "the save")
        assert box[0]["appointment"].isoformat() == "2026-11-25T06:30:00+00:00"


class TestMoney:
    async def test_wan_saves_as_a_decimal(self, desk):
        box = []
        form = SampleForm(saved_into(box))
        app = FormHost(desk, form)
        async with app.run_test(size=(100, 40)) as pilot:
            await open_form(pilot, form)
            await fill_required(pilot, form)
            form.set_focus(form.query_one("#fee"))
            await pilot.press(*"1.2万")
            assert aside(form, "fee") == "→ ¥12,000.00"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: app.result != "still open", "the form to close with the saved values")
        assert box[0]["fee"] == Decimal("12000") and isinstance(box[0]["fee"], Decimal)
        assert app.result is box[0]

    async def test_a_negative_amount_is_refused(self, desk):
        box = []
        form = SampleForm(saved_into(box))
        async with FormHost(desk, form).run_test(size=(100, 40)) as pilot:
            await open_form(pilot, form)
            await fill_required(pilot, form)
            form.set_focus(form.query_one("#fee"))
            await pilot.press(*"-50", "ctrl+s")
            await wait_for(pilot, lambda: "-50" in str(form.query_one("#error").render()), "the refusal")
            assert form.focused.id == "fee" and box == []


class TestYesNoAndNumber:
    async def test_one_key_answers_and_space_turns_it_over(self, desk):
        box = []
        form = SampleForm(saved_into(box))
        async with FormHost(desk, form).run_test(size=(100, 40)) as pilot:
            await open_form(pilot, form)
            yes_no = form.query_one("#chargeable")
            form.set_focus(yes_no)
            assert yes_no.value is False
            await pilot.press("y")
            assert yes_no.value is True
            await pilot.press("space")
            assert yes_no.value is False
            await pilot.press("space")
            assert yes_no.value is True
            await pilot.press("n")
            assert yes_no.value is False
            await pilot.press("是")
            assert yes_no.value is True
            await fill_required(pilot, form)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: box, "the save")
        assert box[0]["chargeable"] is True

    async def test_a_number_outside_its_range_is_refused(self, desk):
        box = []
        form = SampleForm(saved_into(box))
        async with FormHost(desk, form).run_test(size=(100, 40)) as pilot:
            await open_form(pilot, form)
            await fill_required(pilot, form)
            form.set_focus(form.query_one("#copies"))
            await pilot.press("4", "ctrl+s")
            await wait_for(pilot, lambda: "3" in str(form.query_one("#error").render()), "the refusal")
            assert form.focused.id == "copies" and box == []
            await pilot.press("backspace", "2", "ctrl+s")
            await wait_for(pilot, lambda: box, "the save")
        assert box[0]["copies"] == 2


class TestPickers:
    async def test_department_filters_as_you_type_and_enter_takes_the_highlighted(self, desk):
        box = []
        form = SampleForm(saved_into(box))
        async with FormHost(desk, form).run_test(size=(100, 40)) as pilot:
            await open_form(pilot, form)
            field = form.query_one("#department-field", PickerField)
            dropdown = field.query_one("PickerList")
            form.set_focus(form.query_one("#department"))
            await wait_for(pilot, lambda: field.has_class("-open") and dropdown.option_count == 4,
                           "every active department offered")
            await pilot.press(*"部")
            await wait_for(pilot, lambda: field._choices_for == "部" and dropdown.option_count == 3,
                           "three departments named …部")
            await pilot.press("down", "enter")  # the second: 环境部 (sorted by name within the matches)
            await wait_for(pilot, lambda: field.picked is not None, "the pick")
            assert form.focused.id == "fee_item"  # Enter moved on
            assert field.raw == field.picked.label
            await fill_required(pilot, form)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: box, "the save")
        names = {c.value: c.label for c in department_choices(desk)}
        assert names[box[0]["department"]] == field.picked.label

    async def test_fee_item_from_a_list_and_typing_a_name_then_enter(self, desk):
        box = []
        form = SampleForm(saved_into(box))
        async with FormHost(desk, form).run_test(size=(100, 40)) as pilot:
            await open_form(pilot, form)
            await fill_required(pilot, form)
            form.set_focus(form.query_one("#fee_item"))
            await pilot.press(*"更换", "enter")  # two match: the first highlighted is taken
            field = form.query_one("#fee_item-field", PickerField)
            await wait_for(pilot, lambda: field.picked is not None, "the pick")
            assert field.picked.value == "F01" and field.raw == "更换水龙头"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: box, "the save")
        assert box[0]["fee_item"] == "F01"

    async def test_a_closed_list_refuses_text_that_matches_nothing(self, desk):
        box = []
        form = SampleForm(saved_into(box))
        async with FormHost(desk, form).run_test(size=(100, 40)) as pilot:
            await open_form(pilot, form)
            await fill_required(pilot, form)
            form.set_focus(form.query_one("#department"))
            await pilot.press(*"保洁", "ctrl+s")
            await wait_for(pilot, lambda: "保洁" in str(form.query_one("#error").render()), "the refusal")
            assert form.focused.id == "department" and box == []
            dropdown = form.query_one("#department-field PickerList")
            assert str(dropdown.get_option_at_index(0).prompt) == t("form.no_match")

    async def test_unit_takes_a_known_unit_by_its_dashed_form_or_new_free_text(self, desk):
        box = []
        form = SampleForm(saved_into(box))
        async with FormHost(desk, form).run_test(size=(100, 40)) as pilot:
            await open_form(pilot, form)
            await fill_required(pilot, form)
            field = form.query_one("#unit-field", PickerField)
            form.set_focus(form.query_one("#unit"))
            await pilot.press(*"5-2")
            await wait_for(pilot, lambda: field._choices_for == "5-2" and field.has_class("-open"), "the matches")
            assert [c.label for c in field._choices] == ["5栋2单元1803"]
            await pilot.press("down", "enter")  # free text: only a choice moved to is taken
            await wait_for(pilot, lambda: field.picked is not None, "the pick")
            assert field.raw == "5栋2单元1803"
            form.query_one("#unit").value = "9-9-909"  # a unit the desk has not heard of
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: box, "the save")
        assert box[0]["unit"] == "9-9-909"

    async def test_staff_offers_only_active_staff_with_their_role(self, desk):
        found = staff_choices(desk, "前台")
        assert [(c.label, c.detail) for c in found] == [("李前台", t("role.receptionist"))]
        assert [c.label for c in department_choices(desk, "工程")] == ["工程部"]  # the disbanded one is not offered


class TestLeaving:
    async def test_esc_on_an_untouched_form_closes_at_once(self, desk):
        form = SampleForm(saved_into([]))
        app = FormHost(desk, form)
        async with app.run_test(size=(100, 40)) as pilot:
            await open_form(pilot, form)
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.result is None, "the form to close")

    async def test_esc_with_typed_text_asks_and_n_keeps_everything(self, desk):
        form = SampleForm(saved_into([]))
        app = FormHost(desk, form)
        async with app.run_test(size=(100, 40)) as pilot:
            await open_form(pilot, form)
            await pilot.press(*"留着", "enter", *"内容也留着")
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, DiscardScreen), "the question")
            await pilot.press("n")
            await wait_for(pilot, lambda: app.screen is form, "back to the form")
            assert form.query_one("#note").value == "留着"
            assert form.query_one("#item").value == "内容也留着"
            assert app.result == "still open"
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, DiscardScreen), "the question again")
            await pilot.press("escape")  # Esc on the question also goes back
            await wait_for(pilot, lambda: app.screen is form, "back to the form")
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, DiscardScreen), "the question a third time")
            await pilot.press("y")
            await wait_for(pilot, lambda: app.result is None, "the form thrown away")


class TestRefusals:
    async def test_a_refusal_naming_a_field_focuses_it_and_keeps_every_value(self, desk):
        attempts = []

        def saver(values):
            attempts.append(values)
            if len(attempts) == 1:
                raise InputError("err.required", field="备注")
            return "saved"

        form = SampleForm(saver)
        app = FormHost(desk, form)
        async with app.run_test(size=(100, 40)) as pilot:
            await open_form(pilot, form)
            await fill_required(pilot, form)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: "备注" in str(form.query_one("#error").render()), "the refusal")
            assert form.focused.id == "note" and form.query_one("#item").value == "水管漏了"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: app.result == "saved", "the second save")
        assert len(attempts) == 2

    async def test_a_database_fault_is_a_message_and_the_form_can_be_saved_again(self, desk, tmp_path):
        # A real SQLite fault: writing through a read-only connection (SQLITE_READONLY).
        store = tmp_path / "fees.sqlite"
        with sqlite3.connect(store) as conn:
            conn.execute("CREATE TABLE fee (amount TEXT)")
        mode = {"uri": f"file:{store}?mode=ro"}

        def saver(values):
            with sqlite3.connect(mode["uri"], uri=True) as conn:
                conn.execute("INSERT INTO fee VALUES (?)", (str(values["fee"]),))
            return values

        form = SampleForm(saver)
        app = FormHost(desk, form)
        async with app.run_test(size=(100, 40)) as pilot:
            await open_form(pilot, form)
            await fill_required(pilot, form)
            form.set_focus(form.query_one("#fee"))
            await pilot.press(*"12,000.50", "ctrl+s")
            error = form.query_one("#error")
            await wait_for(pilot, lambda: str(error.render()).strip(), "the fault's message")
            assert "数据库只读" in str(error.render())
            assert app.screen is form and form.query_one("#fee").value == "12,000.50"
            mode["uri"] = f"file:{store}?mode=rw"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: app.result != "still open", "the second save")
        with sqlite3.connect(store) as conn:
            assert conn.execute("SELECT amount FROM fee").fetchall() == [("12000.50",)]

    async def test_typed_markup_in_a_message_is_shown_literally(self, desk):
        form = SampleForm(saved_into([]))
        async with FormHost(desk, form).run_test(size=(100, 40)) as pilot:
            await open_form(pilot, form)
            await fill_required(pilot, form)
            form.set_focus(form.query_one("#fee"))
            await pilot.press(*"[b]x[/b]", "ctrl+s")
            await wait_for(pilot, lambda: "[b]x[/b]" in str(form.query_one("#error").render()), "the refusal")


class TestFastTyping:
    async def test_a_burst_of_keys_with_enters_lands_in_the_right_fields(self, desk):
        box = []
        form = SampleForm(saved_into(box))
        async with FormHost(desk, form).run_test(size=(100, 40)) as pilot:
            await open_form(pilot, form)
            burst(pilot.app, *"备注", "enter", *"内容", "ctrl+j", *"第二行", "enter", *"14:30", "enter", *"1.2万", "enter",
                  "space", "enter", "2", "enter", "right", "enter", *"秩序", "enter", *"灯泡", "enter",
                  *"5-2", "down", "enter", *"王", "enter")
            await wait_for(pilot, lambda: box, "the save on the last Enter")
        values = box[0]
        assert (values["note"], values["item"], values["fee"], values["chargeable"], values["copies"],
                values["kind"], values["fee_item"], values["unit"]) == (
            "备注", "内容\n第二行", Decimal("12000"), True, 2, "b", "F03", "5栋2单元1803")
        assert values["appointment"].isoformat() == "2026-11-24T06:30:00+00:00"
        assert {c.value: c.label for c in department_choices(desk)}[values["department"]] == "秩序部"
        assert {c.value: c.label for c in staff_choices(desk)}[values["staff"]] == "王主管"
