"""`deskapp export` on a real SQLite file: round trips through csv, openpyxl and json, neutralised
formulas in both spreadsheet formats, masked phones and the audited --unmasked, bad arguments."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from deskapp.cli import app
from deskapp.core.export_text import mask_phone, neutralise
from deskapp.i18n import label
from deskapp.services.calls import CallDraft, log_calls
from tests.conftest import RECEPTIONIST_NAME, SUPERVISOR_NAME, SUPERVISOR_PIN

UTC = timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
HOSTILE = ['=HYPERLINK("http://x","y")', "@SUM(1)", "+1", "-1+2", "\t=1"]


@pytest.fixture
def db(desk, receptionist) -> Path:
    """Eleven calls over three local days, hostile text among them, one without a phone."""
    drafts = []
    for i in range(11):
        hostile = HOSTILE[i % len(HOSTILE)]
        drafts.append(CallDraft(
            channel=("phone", "visit", "letter")[i % 3], category=("enquiry", "repair", "complaint")[i % 3],
            caller_name=hostile.strip() if i < 4 else f"住户{i}", phone="" if i == 5 else f"1380013{i:04d}",
            unit=f"3-2-{1200 + i}", content=f"{hostile} 内容{i}", reply="=1+1" if i == 2 else "好的",
            at=NOW - timedelta(hours=7 * i)))
    log_calls(desk, receptionist, drafts, now=NOW)
    return Path(desk.engine.url.database)


@pytest.fixture
def runner():
    return CliRunner()


def db_calls(db: Path, where: str = "1=1") -> list[dict]:
    with closing(sqlite3.connect(db)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(
            "SELECT c.*, s.name AS owner FROM call c JOIN staff s ON s.id = c.owner_id "
            f"WHERE {where} ORDER BY c.at, c.id")]


def local(stored: str | None) -> datetime | None:
    if stored is None:
        return None
    return datetime.fromisoformat(stored[:19]).replace(tzinfo=UTC).astimezone(SHANGHAI).replace(tzinfo=None)


def audit_events(db: Path, action: str) -> list[dict]:
    with closing(sqlite3.connect(db)) as conn:
        return [{"actor_id": a, "detail": json.loads(d)} for a, d in
                conn.execute("SELECT actor_id, detail FROM audit_event WHERE action = ? ORDER BY id", (action,))]


def export(runner, db, *args, input=None):
    return runner.invoke(app, ["export", *args, "--db", str(db)], input=input)


# ------------------------------------------------------------ round trips ---


class TestRoundTrip:
    def test_csv_equals_the_database_masking_aside(self, runner, db, tmp_path):
        out = tmp_path / "calls.csv"
        result = export(runner, db, "calls", "-o", str(out))
        assert result.exit_code == 0, result.output
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # Excel: BOM, CRLF
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        assert rows[0] == ["编号", "时间", "方式", "类别", "姓名", "电话", "房号", "内容", "答复/处理", "首问责任人",
                           "状态", "时限", "服务忌语"]
        stored = db_calls(db)
        assert len(rows) - 1 == len(stored) == 11
        for cells, call in zip(rows[1:], stored):
            assert cells == [
                call["number"], local(call["at"]).isoformat(" "), label("channel", call["channel"]),
                label("category", call["category"]), neutralise(call["caller_name"]),
                mask_phone(call["phone"]), call["unit_code"], neutralise(call["content"]),
                neutralise(call["reply"]), call["owner"], label("call_status", call["status"]),
                local(call["due_by"]).isoformat(" ") if call["due_by"] else "", call["flagged_phrases"]]
        assert "已导出 11 条来电来访登记记录" in result.stderr and "电话已遮盖" in result.stderr

    def test_xlsx_equals_the_database_and_formulas_stay_text(self, runner, db, tmp_path):
        import openpyxl

        out = tmp_path / "calls.xlsx"
        result = export(runner, db, "calls", "--format", "xlsx", "-o", str(out))
        assert result.exit_code == 0, result.output
        sheet = openpyxl.load_workbook(out).active
        rows = list(sheet.iter_rows())
        stored = db_calls(db)
        assert len(rows) - 1 == len(stored)
        for cells, call in zip(rows[1:], stored):
            values = [c.value for c in cells]
            assert values == [
                call["number"], local(call["at"]), label("channel", call["channel"]),
                label("category", call["category"]), call["caller_name"] or None, mask_phone(call["phone"]) or None,
                call["unit_code"], call["content"], call["reply"], call["owner"],
                label("call_status", call["status"]), local(call["due_by"]), call["flagged_phrases"] or None]
            for c in cells:
                if isinstance(c.value, str):
                    assert c.data_type == "s"  # a string cell: never a formula, whatever it reads
        assert {c.value[0] for c in sheet["H"][1:]} >= {"=", "@", "+", "-"}  # each formula start, kept as text

    @pytest.mark.parametrize("fmt", ["json", "jsonl"])
    def test_json_keeps_codes_and_instants_with_their_offset(self, runner, db, fmt):
        result = export(runner, db, "calls", "--format", fmt, "--category", "报修")
        assert result.exit_code == 0, result.output
        text = result.stdout
        records = json.loads(text) if fmt == "json" else [json.loads(line) for line in text.splitlines()]
        stored = db_calls(db, "c.category = 'repair'")
        assert [r["number"] for r in records] == [c["number"] for c in stored] and len(records) == 4
        for r, call in zip(records, stored):
            assert r["category"] == "repair" and r["status"] == call["status"]
            assert datetime.fromisoformat(r["at"]) == datetime.fromisoformat(call["at"][:19]).replace(tzinfo=UTC)
            assert r["at"].endswith("+08:00")
            assert r["content"] == call["content"]  # not neutralised: JSON is not a spreadsheet
            assert r["phone"] == mask_phone(call["phone"])

    def test_gb18030_and_a_date_range(self, runner, db, tmp_path):
        out = tmp_path / "gb.csv"
        result = export(runner, db, "calls", "--from", "2026-11-23", "--to", "2026-11-23", "--encoding", "gb18030",
                        "-o", str(out))
        assert result.exit_code == 0, result.output
        rows = list(csv.reader(io.StringIO(out.read_bytes().decode("gb18030"), newline="")))
        assert rows[0][0] == "编号"
        expected = [c["number"] for c in db_calls(db) if local(c["at"]).date().isoformat() == "2026-11-23"]
        assert [r[0] for r in rows[1:]] == expected and expected

    def test_audit_log_export_masks_phones_in_details(self, runner, db, desk):
        from deskapp.services import audit
        from deskapp.storage.engine import write_session

        with write_session(desk.engine) as session:
            audit.record(session, at=NOW, actor_id=1, action="resident.phone", entity="resident", entity_id=1,
                         detail={"old": "13800138000", "new": "13912345678"})
        result = export(runner, db, "audit", "--action", "resident.phone", "--format", "jsonl")
        assert result.exit_code == 0, result.output
        (line,) = result.stdout.splitlines()
        event = json.loads(line)
        assert event["staff"] == SUPERVISOR_NAME and event["action"] == "resident.phone"
        assert json.loads(event["detail"]) == {"old": "138****8000", "new": "139****5678"}


# ------------------------------------------------------------- --unmasked ---


class TestUnmasked:
    def test_needs_a_supervisor_and_is_audited_with_what_was_exported(self, runner, db, tmp_path):
        out = tmp_path / "whole.csv"
        result = export(runner, db, "calls", "--unmasked", "--by", SUPERVISOR_NAME, "--category", "repair",
                        "--from", "2026-11-20", "-o", str(out), input=f"{SUPERVISOR_PIN}\n")
        assert result.exit_code == 0, result.output
        assert SUPERVISOR_PIN not in result.output
        cells = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"), newline="")))
        phones = {r[5] for r in cells[1:]}
        assert phones and all("*" not in p and len(p) == 11 for p in phones)
        (event,) = audit_events(db, "export.unmasked")
        assert event["actor_id"] == 1
        assert event["detail"] == {"register": "calls", "from": "2026-11-20", "to": None,
                                   "filters": {"category": "repair"}, "rows": len(cells) - 1, "format": "csv",
                                   "output": str(out)}
        assert "已记入操作日志" in result.stderr

    def test_refused_without_by_with_a_wrong_pin_or_for_a_receptionist(self, runner, db, tmp_path):
        out = tmp_path / "whole.csv"
        no_by = export(runner, db, "calls", "--unmasked", "-o", str(out))
        assert no_by.exit_code == 2 and "--by" in no_by.stderr and "PIN" not in no_by.output
        wrong = export(runner, db, "calls", "--unmasked", "--by", SUPERVISOR_NAME, "-o", str(out), input="9999\n")
        assert wrong.exit_code == 2 and "PIN" in wrong.stderr
        clerk = export(runner, db, "calls", "--unmasked", "--by", RECEPTIONIST_NAME, "-o", str(out),
                       input="5678\n")
        assert clerk.exit_code == 2 and "前台" in clerk.stderr
        assert not out.exists() and audit_events(db, "export.unmasked") == []


# ------------------------------------------------------------ bad arguments ---


class TestBadArguments:
    @pytest.mark.parametrize("args, says", [
        (["nothing"], "没有这个登记表：nothing。可导出：calls"),
        (["calls", "--format", "pdf"], "不支持的格式：pdf"),
        (["calls", "--from", "2026-02-30"], "--from 日期无效：2026-02-30"),
        (["calls", "--to", "11/30"], "--to 日期无效：11/30"),
        (["calls", "--from", "2026-11-30", "--to", "2026-11-01"], "晚于结束日期"),
        (["calls", "--class", "major"], "calls 不能按 --class 筛选"),
        (["calls", "--category", "水管"], "--category 没有这一项：水管"),
        (["calls", "--staff", "没这人"], "--staff：没有叫 没这人 的记录"),
        (["calls", "--format", "xlsx", "--encoding", "gb18030"], "--encoding 只用于 CSV"),
        (["calls", "--encoding", "latin-1"], "不支持的编码：latin-1"),
    ])
    def test_refused_with_exit_2_and_nothing_written(self, runner, db, tmp_path, args, says):
        out = tmp_path / "x.csv"
        result = export(runner, db, *args, "-o", str(out))
        assert result.exit_code == 2, result.output
        assert says in result.stderr and "Traceback" not in result.output
        assert not out.exists()

    def test_output_paths_that_cannot_be_written(self, runner, db, tmp_path):
        folder = export(runner, db, "calls", "-o", str(tmp_path))
        assert folder.exit_code == 2 and "输出路径是文件夹" in folder.stderr
        missing = export(runner, db, "calls", "-o", str(tmp_path / "no" / "x.csv"))
        assert missing.exit_code == 2 and "输出文件夹不存在" in missing.stderr
        (tmp_path / "file").write_text("x")
        under_file = export(runner, db, "calls", "-o", str(tmp_path / "file" / "x.csv"))
        assert under_file.exit_code == 2

    def test_an_empty_range_is_a_note_and_no_file(self, runner, db, tmp_path):
        out = tmp_path / "empty.csv"
        result = export(runner, db, "calls", "--from", "2030-01-01", "-o", str(out))
        assert result.exit_code == 0
        assert "没有符合条件的记录" in result.stderr and not out.exists()
        assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []

    def test_english_messages(self, runner, db):
        result = runner.invoke(app, ["export", "calls", "--from", "bad", "--db", str(db), "--lang", "en"])
        assert result.exit_code == 2 and "--from: not a valid date: bad" in result.stderr

    def test_an_export_fault_mid_way_leaves_no_file(self, runner, db, tmp_path, monkeypatch):
        from deskapp.services import export_files

        def full_disk(*a, **kw):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(export_files, "_write_csv", full_disk)
        folder = tmp_path / "out"
        folder.mkdir()
        result = export(runner, db, "calls", "-o", str(folder / "x.csv"))
        assert result.exit_code == 1 and "No space left on device" in result.stderr
        assert list(folder.iterdir()) == []


def test_progress_only_for_a_person_at_a_terminal(monkeypatch):
    from deskapp.cli import export as cli_export

    class Tty(io.StringIO):
        def __init__(self, tty):
            super().__init__()
            self.tty = tty

        def isatty(self):
            return self.tty

    for err_tty, out_tty, to_stdout, shown in [(True, True, False, True), (True, True, True, False),
                                               (True, False, True, True), (False, False, False, False)]:
        monkeypatch.setattr("sys.stderr", Tty(err_tty))
        monkeypatch.setattr("sys.stdout", Tty(out_tty))
        assert cli_export.show_progress(to_stdout) is shown


class TestVisits:
    def test_visits_round_trip_with_the_visit_recorded(self, runner, desk, receptionist, tmp_path):
        from deskapp.services.visits import MatterDone, VisitReport, record_visit, report_completed

        done_at = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
        planned = report_completed(desk, receptionist, MatterDone(
            "other", "服务-2026-000009", done_at, unit_code="3栋2单元1201", phone="13800138000",
            customer_name="=张三"), now=done_at)
        record_visit(desk, receptionist, planned.id, VisitReport(
            quality="好", effect="@有效", score=5, shortcomings="-", customer_confirmed=True), now=NOW)
        db = Path(desk.engine.url.database)
        out = tmp_path / "v.csv"
        result = export(runner, db, "visits", "--kind", "其他服务", "--from", "2026-11-01", "-o", str(out))
        assert result.exit_code == 0, result.output
        head, row = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"), newline="")))
        cells = dict(zip(head, row))
        assert cells["编号"] == planned.number and cells["类型"] == "其他服务" and cells["来源"] == "服务-2026-000009"
        assert cells["姓名"] == "'=张三" and cells["电话"] == "138****8000" and cells["服务效果"] == "'@有效"
        assert cells["评分"] == "5" and cells["满意度"] == "满意" and cells["客户确认"] == "是"
        assert cells["回访人"] == RECEPTIONIST_NAME and cells["回访时间"] == local(NOW.isoformat(" ")).isoformat(" ")
        assert cells["应回访日期"] == planned.due_on.isoformat()
        none = export(runner, db, "visits", "--kind", "complaint", "-o", str(tmp_path / "n.csv"))
        assert none.exit_code == 0 and "没有符合条件的记录" in none.stderr


def test_complaints_export_round_trip(runner, desk, receptionist, tmp_path):
    from deskapp.services.complaints import ComplaintDraft, register_complaint

    at = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    registered = register_complaint(desk, receptionist, ComplaintDraft(
        customer_name="王女士", phone="13912345678", unit="3-2-1201", description="=HYPERLINK(\"x\") 噪音",
        received_at=at), now=at)
    db = Path(desk.engine.url.database)
    out = tmp_path / "c.xlsx"
    result = export(runner, db, "complaints", "--class", "通常", "-f", "xlsx", "-o", str(out))
    assert result.exit_code == 0, result.output
    import openpyxl

    head, row = [[c for c in r] for r in openpyxl.load_workbook(out).active.iter_rows(values_only=True)]
    cells = dict(zip(head, row))
    assert cells["编号"] == registered.number and cells["投诉级别"] == "通常" and cells["电话"] == "139****5678"
    assert cells["事件经过"] == '=HYPERLINK("x") 噪音' and cells["时间"] == datetime(2026, 11, 20, 10, 0)
    refused = export(runner, db, "complaints", "--category", "repair")
    assert refused.exit_code == 2 and "--class" in refused.stderr
