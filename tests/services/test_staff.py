"""Staff records, roles and sign-in (PIN kept only as a salted scrypt hash)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from deskapp.errors import InputError, NotAllowed
from deskapp.services.roles import Actor
from deskapp.services.staff import add_staff, list_staff, sign_in, staff_count
from tests.conftest import RECEPTIONIST_PIN, SUPERVISOR_NAME, SUPERVISOR_PIN
from tests.services.dbstate import query, snapshot

NOW = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)


class TestFirstStaff:
    @pytest.mark.parametrize("role", ["receptionist", "concierge"])
    def test_first_must_be_supervisor_or_above(self, desk, role):
        with pytest.raises(InputError) as exc:
            add_staff(desk, name="小张", role=role, pin="1234", actor=None, now=NOW)
        assert str(exc.value) == "第一位员工必须是客服主管或以上"
        assert staff_count(desk) == 0
        assert query(desk, "SELECT count(*) FROM audit_event") == [(0,)]

    @pytest.mark.parametrize("role", ["supervisor", "manager", "gm"])
    def test_first_supervisor_or_above_is_accepted(self, desk, role):
        actor = add_staff(desk, name="老板", role=role, pin="1234", actor=None, now=NOW)
        assert actor == Actor(actor.id, "老板", role)
        assert staff_count(desk) == 1
        events = query(desk, "SELECT actor_id, action, entity, entity_id, detail FROM audit_event")
        assert events == [(actor.id, "staff.add", "staff", actor.id, json.dumps({"name": "老板", "role": role},
                                                                                ensure_ascii=False))]

    def test_unknown_role_is_refused(self, desk):
        with pytest.raises(InputError) as exc:
            add_staff(desk, name="老板", role="boss", pin="1234", actor=None, now=NOW)
        assert str(exc.value) == "“角色”的取值无效：boss"
        assert staff_count(desk) == 0


class TestWhoMayAdd:
    def test_supervisor_may_add(self, desk, supervisor):
        added = add_staff(desk, name="小刘", role="concierge", pin="4321", actor=supervisor, now=NOW)
        assert added.role == "concierge"
        assert [a.name for a in list_staff(desk)] == sorted(["小刘", SUPERVISOR_NAME])
        (actor_id,) = query(desk, "SELECT actor_id FROM audit_event WHERE entity_id = ? AND action = 'staff.add'",
                            (added.id,))[0]
        assert actor_id == supervisor.id

    @pytest.mark.parametrize("role", ["receptionist", "concierge", "supervisor"])
    def test_receptionist_may_not_add(self, desk, receptionist, role):
        before = snapshot(desk)
        with pytest.raises(NotAllowed) as exc:
            add_staff(desk, name="小刘", role=role, pin="4321", actor=receptionist, now=NOW)
        assert str(exc.value).startswith("前台无权执行此操作")
        assert snapshot(desk) == before

    def test_concierge_may_not_add(self, desk, supervisor):
        concierge = add_staff(desk, name="管家甲", role="concierge", pin="4321", actor=supervisor, now=NOW)
        with pytest.raises(NotAllowed):
            add_staff(desk, name="小刘", role="receptionist", pin="4321", actor=concierge, now=NOW)
        assert staff_count(desk) == 2

    def test_nobody_may_not_add_once_staff_exist(self, desk, supervisor):
        with pytest.raises(InputError):
            add_staff(desk, name="小刘", role="supervisor", pin="4321", actor=None, now=NOW)
        assert staff_count(desk) == 1

    def test_refusal_names_the_right_action(self, desk, receptionist):
        with pytest.raises(NotAllowed) as exc:
            add_staff(desk, name="小刘", role="receptionist", pin="4321", actor=receptionist, now=NOW)
        assert "创建主管" not in str(exc.value)

    def test_refusal_in_english(self, desk, receptionist):
        from deskapp.i18n import set_lang

        set_lang("en")
        with pytest.raises(NotAllowed) as exc:
            add_staff(desk, name="小刘", role="receptionist", pin="4321", actor=receptionist, now=NOW)
        assert str(exc.value).startswith("A receptionist may not do this")


class TestPin:
    @pytest.mark.parametrize("pin", ["1234", "0000", "12345678", "00001111"])
    def test_four_to_eight_digits(self, desk, supervisor, pin):
        added = add_staff(desk, name="小刘", role="receptionist", pin=pin, actor=supervisor, now=NOW)
        assert sign_in(desk, name="小刘", pin=pin) == added

    @pytest.mark.parametrize("pin", ["", "123", "123456789", "12a4", "12 34", " 1234", "-1234", "１２３４", "١٢٣٤",
                                     "12.4", None])
    def test_bad_pins_are_refused(self, desk, supervisor, pin):
        before = snapshot(desk)
        with pytest.raises(InputError) as exc:
            add_staff(desk, name="小刘", role="receptionist", pin=pin, actor=supervisor, now=NOW)
        assert str(exc.value) == "PIN 须为 4 到 8 位数字"
        assert snapshot(desk) == before

    def test_trailing_newline_is_not_a_digit(self, desk, supervisor):
        with pytest.raises(InputError):
            add_staff(desk, name="小刘", role="receptionist", pin="1234\n", actor=supervisor, now=NOW)

    def test_stored_only_as_salted_hash(self, desk, supervisor):
        a = add_staff(desk, name="甲", role="receptionist", pin="246810", actor=supervisor, now=NOW)
        b = add_staff(desk, name="乙", role="receptionist", pin="246810", actor=supervisor, now=NOW)
        rows = {r[0]: r[1:] for r in query(desk, "SELECT id, pin_hash, pin_salt FROM staff")}
        (hash_a, salt_a), (hash_b, salt_b) = rows[a.id], rows[b.id]
        assert salt_a != salt_b
        assert hash_a != hash_b
        for h, s in ((hash_a, salt_a), (hash_b, salt_b)):
            assert h != "246810" and "246810" not in h
            assert len(h) == 64 and int(h, 16) >= 0  # 32 bytes as hex
            assert len(s) == 32 and int(s, 16) >= 0
        # The PIN appears nowhere in the database file's tables.
        for table in ("staff", "audit_event"):
            for row in query(desk, f"SELECT * FROM {table}"):
                assert not any("246810" in str(v) for v in row), (table, row)
        assert sign_in(desk, name="甲", pin="246810") == a
        assert sign_in(desk, name="乙", pin="246810") == b


class TestSignIn:
    def test_right_pin(self, desk, receptionist):
        assert sign_in(desk, name=" 李前台 ", pin=RECEPTIONIST_PIN) == receptionist

    @pytest.mark.parametrize("name, pin", [
        ("李前台", "0000"),
        ("李前台", SUPERVISOR_PIN),  # another person's PIN
        ("李前台", ""),
        ("李前台", "12ab"),
        ("李前台", RECEPTIONIST_PIN + "0"),
        ("无名氏", RECEPTIONIST_PIN),  # unknown name: same answer, no hint who exists
        ("", RECEPTIONIST_PIN),
    ])
    def test_wrong_name_or_pin(self, desk, receptionist, name, pin):
        with pytest.raises(InputError) as exc:
            sign_in(desk, name=name, pin=pin)
        assert str(exc.value) == "姓名或 PIN 不正确"

    def test_role_comes_from_the_staff_record(self, desk, receptionist, supervisor):
        assert sign_in(desk, name=SUPERVISOR_NAME, pin=SUPERVISOR_PIN).role == "supervisor"
        assert sign_in(desk, name="李前台", pin=RECEPTIONIST_PIN).role == "receptionist"

    def test_inactive_staff_cannot_sign_in(self, desk, receptionist):
        from tests.services.dbstate import execute

        execute(desk, "UPDATE staff SET active = ? WHERE id = ?", (False, receptionist.id))
        with pytest.raises(InputError):
            sign_in(desk, name="李前台", pin=RECEPTIONIST_PIN)
        assert [a.name for a in list_staff(desk)] == [SUPERVISOR_NAME]


class TestNames:
    @pytest.mark.parametrize("name", ["李前台", " 李前台 ", "李前台\u3000"])
    def test_duplicate_name_is_refused(self, desk, receptionist, supervisor, name):
        before = snapshot(desk)
        with pytest.raises(InputError) as exc:
            add_staff(desk, name=name, role="receptionist", pin="1111", actor=supervisor, now=NOW)
        assert str(exc.value) == "已有同名员工：李前台"
        assert snapshot(desk) == before

    @pytest.mark.parametrize("name, message", [
        ("", "“姓名”不能为空"),
        ("   ", "“姓名”不能为空"),
        ("名" * 41, "“姓名”太长：41 字，最多 40 字"),
        ("小\x1b[31m刘", "“姓名”含有控制字符或终端转义序列，请删除后再保存"),
        ("小\n刘", "“姓名”含有控制字符或终端转义序列，请删除后再保存"),
    ])
    def test_bad_names(self, desk, supervisor, name, message):
        with pytest.raises(InputError) as exc:
            add_staff(desk, name=name, role="receptionist", pin="1111", actor=supervisor, now=NOW)
        assert str(exc.value) == message
        assert staff_count(desk) == 1

    def test_list_is_sorted_by_name_and_labels_roles(self, desk, receptionist, supervisor):
        add_staff(desk, name="A管家", role="concierge", pin="1111", actor=supervisor, now=NOW)
        listed = list_staff(desk)
        assert [a.name for a in listed] == sorted(a.name for a in listed)
        assert {a.name: a.role_label for a in listed} == {"A管家": "管家", "李前台": "前台", "王主管": "客服主管"}
