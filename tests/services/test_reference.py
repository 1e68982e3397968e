"""Departments and units (reference lists) on a real SQLite file: checks, roles, audit, all or none."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from deskapp.errors import InputError, NotAllowed
from deskapp.services.reference import UnitDraft, add_department, add_unit, add_units
from tests.services.dbstate import execute, query, scalar, sqlite_file

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)


def state(desk) -> tuple:
    return (query(desk, "SELECT * FROM department ORDER BY id"), query(desk, "SELECT * FROM unit ORDER BY id"),
            scalar(desk, "SELECT count(*) FROM audit_event"))


class TestAddDepartment:
    def test_stores_it_with_its_audit_event(self, desk, supervisor):
        added = add_department(desk, supervisor, name=" 华建维保单位 ", kind="contractor", phone="400-820-6688",
                               now=NOW)
        assert (added.name, added.kind, added.phone) == ("华建维保单位", "contractor", "4008206688")
        assert query(desk, "SELECT name, kind, phone, active FROM department") == [
            ("华建维保单位", "contractor", "4008206688", 1)]
        events = query(desk, "SELECT actor_id, action, entity, entity_id, detail FROM audit_event "
                             "WHERE entity = 'department'")
        assert len(events) == 1
        actor_id, action, entity, entity_id, detail = events[0]
        assert (actor_id, action, entity, entity_id) == (supervisor.id, "department.add", "department", added.id)
        assert json.loads(detail) == {"name": "华建维保单位", "kind": "contractor"}

    def test_a_receptionist_may_not(self, desk, receptionist):
        before = state(desk)
        with pytest.raises(NotAllowed):
            add_department(desk, receptionist, name="工程部", kind="engineering", now=NOW)
        assert state(desk) == before

    def test_the_role_is_read_from_the_staff_record(self, desk, supervisor):
        execute(desk, "UPDATE staff SET role = 'receptionist' WHERE id = ?", (supervisor.id,))
        with pytest.raises(NotAllowed):
            add_department(desk, supervisor, name="工程部", kind="engineering", now=NOW)

    @pytest.mark.parametrize("name, kind, phone, key", [
        ("", "engineering", "", "err.required"),
        ("工程\n部", "engineering", "", "err.control_chars"),
        ("工" * 41, "engineering", "", "err.too_long"),
        ("工程部", "plumbing", "", "err.bad_choice"),
        ("工程部", "engineering", "ext. 12", "err.phone_letters"),
    ])
    def test_bad_input_is_refused_before_anything_is_written(self, desk, supervisor, name, kind, phone, key):
        before = state(desk)
        with pytest.raises(InputError) as err:
            add_department(desk, supervisor, name=name, kind=kind, phone=phone, now=NOW)
        assert err.value.key == key
        assert state(desk) == before

    def test_a_name_is_used_once(self, desk, supervisor):
        add_department(desk, supervisor, name="工程部", kind="engineering", now=NOW)
        before = state(desk)
        with pytest.raises(InputError) as err:
            add_department(desk, supervisor, name="工程部", kind="other", now=NOW)
        assert err.value.key == "err.department_exists"
        assert state(desk) == before


class TestAddUnits:
    def test_a_unit_in_the_desks_form_with_its_warranty(self, desk, supervisor):
        added = add_unit(desk, supervisor, UnitDraft("12-3-2401", date(2027, 6, 30)), now=NOW)
        assert added.code == "12栋3单元2401"
        assert query(desk, "SELECT code, building, entrance, room, warranty_until FROM unit") == [
            ("12栋3单元2401", "12", "3", "2401", "2027-06-30")]
        assert query(desk, "SELECT actor_id, action, entity, entity_id FROM audit_event WHERE entity = 'unit'") == [
            (supervisor.id, "unit.add", "unit", added.id)]

    def test_many_at_once_each_with_its_event_in_order(self, desk, supervisor):
        drafts = [UnitDraft(f"1-1-{room}") for room in range(101, 1101)]
        added = add_units(desk, supervisor, drafts, now=NOW)
        assert [a.code for a in added] == [f"1栋1单元{room}" for room in range(101, 1101)]
        assert [a.id for a in added] == list(range(1, 1001))
        assert query(desk, "SELECT entity_id, detail FROM audit_event WHERE entity = 'unit' ORDER BY id") == [
            (a.id, json.dumps({"code": a.code}, ensure_ascii=False)) for a in added]

    def test_all_or_none(self, desk, supervisor):
        add_unit(desk, supervisor, UnitDraft("3栋2单元1201"), now=NOW)
        before = state(desk)
        for drafts in ([UnitDraft("1-1-101"), UnitDraft("3-2-1201")],  # already on the list (in another form)
                       [UnitDraft("1-1-101"), UnitDraft("1栋1单元101")],  # twice in one go
                       [UnitDraft("1-1-101"), UnitDraft("  ")],  # empty
                       [UnitDraft("1-1-101"), UnitDraft("1-1-\x1b[31m")]):  # a terminal escape
            with pytest.raises(InputError):
                add_units(desk, supervisor, drafts, now=NOW)
            assert state(desk) == before

    def test_a_receptionist_may_not(self, desk, receptionist):
        before = state(desk)
        with pytest.raises(NotAllowed):
            add_units(desk, receptionist, [UnitDraft("1-1-101")], now=NOW)
        assert state(desk) == before
