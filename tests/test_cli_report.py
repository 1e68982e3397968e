"""`deskapp report monthly` on a real SQLite file: counts, the call clocks, the four renderings."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from deskapp.cli import app
from deskapp.services import report as reports
from deskapp.services.calls import CallDraft, log_calls

UTC = timezone.utc
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # 2026-12-02 10:00 in Asia/Shanghai


@pytest.fixture
def db(desk, receptionist) -> Path:
    """November: 3 enquiries (one by visit), 2 repairs, 1 complaint; one call on Oct 31 local, one on Dec 1."""
    november = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
    drafts = [CallDraft(category=c, channel=ch, content=f"{c} {i}", at=november + timedelta(days=i, minutes=i))
              for i, (c, ch) in enumerate([("enquiry", "phone"), ("enquiry", "visit"), ("enquiry", "phone"),
                                           ("repair", "phone"), ("repair", "phone"), ("complaint", "letter")])]
    drafts.append(CallDraft(content="十月最后一刻", at=datetime(2026, 10, 31, 15, 59, tzinfo=UTC)))
    drafts.append(CallDraft(content="=1+1 十二月第一刻", at=datetime(2026, 11, 30, 16, 0, tzinfo=UTC)))
    log_calls(desk, receptionist, drafts, now=NOW)
    return Path(desk.engine.url.database)


def _table(section, title):
    return next(tb for tb in section.tables if tb.title == title)


class TestMonthly:
    def test_counts_per_day_and_clocks(self, desk, db):
        report = reports.monthly_report(desk, "2026-11", now=NOW)
        calls = next(s for s in report.sections if s.key == "calls")
        by_category = {r[0]: r[1] for r in _table(calls, "按类别").rows}
        assert by_category == {"咨询": 3, "报修": 2, "投诉": 1, "建议": 0, "表扬": 0, "其他": 0, "合计": 6}
        by_channel = {r[0]: r[1] for r in _table(calls, "按方式").rows}
        assert by_channel["来访"] == 1 and by_channel["来信"] == 1 and by_channel["合计"] == 6
        assert len(calls.per_day) == 30 and sum(n for _, n in calls.per_day) == 6
        assert dict(calls.per_day)[datetime(2026, 11, 13).date()] == 1
        clocks = next(s for s in report.sections if s.key == "call_clocks")
        met = _table(clocks, "时限达成").rows
        # No slip or complaint record exists: every awaiting clock is past its deadline by now.
        assert [(r[1], r[2], r[3], r[4], r[5]) for r in met] == [(2, 0, 2, 0, 0.0), (1, 0, 1, 0, 0.0)]
        assert len(_table(clocks, "超时明细").rows) == 3

    def test_a_clock_still_running_at_the_time_of_the_report(self, desk, db):
        report = reports.monthly_report(desk, "2026-11", now=datetime(2026, 11, 14, 2, 6, tzinfo=UTC))
        clocks = next(s for s in report.sections if s.key == "call_clocks")
        repair = _table(clocks, "时限达成").rows[0]
        assert (repair[1], repair[3], repair[4]) == (2, 1, 1)  # the second repair (Nov 14 02:04 UTC, due 02:09) is still running

    def test_registers_not_at_the_desk_say_so(self, desk, db):
        report = reports.monthly_report(desk, "2026-11", now=NOW)
        keys = [s.key for s in report.sections]
        assert keys[:2] == ["calls", "call_clocks"] and "visits" in keys
        for s in report.sections:
            if s.key in ("complaints", "slips") and not reports.service_exists(s.key):
                assert "尚未在前台上线" in s.note and not s.tables

    @pytest.mark.parametrize("month", ["2026-13", "11-2026", "2026/11", "next"])
    def test_a_bad_month_is_refused(self, runner, db, month):
        result = runner.invoke(app, ["report", "monthly", month, "--db", str(db)])
        assert result.exit_code == 2 and "月份无效" in result.stderr


@pytest.fixture
def runner():
    return CliRunner()


class TestRenderings:
    def test_terminal(self, runner, db):
        result = runner.invoke(app, ["report", "monthly", "2026-11", "--db", str(db)])
        assert result.exit_code == 0, result.output
        assert "月度报表 2026-11" in result.stdout and "来电来访" in result.stdout and "达成率" in result.stdout

    def test_markdown_and_json(self, runner, db, tmp_path):
        md = runner.invoke(app, ["report", "monthly", "2026-11", "-f", "md", "--db", str(db)])
        assert md.exit_code == 0 and "## 来电来访" in md.stdout and "| 咨询 | 3 | 50.0 |" in md.stdout
        out = tmp_path / "r.json"
        js = runner.invoke(app, ["report", "monthly", "2026-11", "-f", "json", "-o", str(out), "--db", str(db)])
        assert js.exit_code == 0, js.output
        doc = json.loads(out.read_text("utf-8"))
        assert doc["month"] == "2026-11" and doc["sections"][0]["key"] == "calls"
        assert sum(n for _, n in doc["sections"][0]["per_day"]) == 6

    def test_xlsx_one_sheet_per_section_with_a_chart(self, runner, db, tmp_path):
        import openpyxl

        out = tmp_path / "r.xlsx"
        result = runner.invoke(app, ["report", "monthly", "2026-11", "-f", "xlsx", "-o", str(out), "--db", str(db)])
        assert result.exit_code == 0, result.output
        book = openpyxl.load_workbook(out)
        report_sections = [s.key for s in reports.sections()]
        assert len(book.sheetnames) == len(report_sections)
        assert book.sheetnames[:2] == ["来电来访", "来电时限"]
        import zipfile

        with zipfile.ZipFile(out) as z:
            assert any(n.startswith("xl/charts/chart") for n in z.namelist())
        cells = [c.value for row in book["来电来访"].iter_rows() for c in row if c.value is not None]
        assert "每日来电来访" in cells and "2026-11-13" in cells


def test_complaints_fill_in_and_stop_the_complaint_calls_clock(desk, receptionist, db):
    from sqlalchemy import select

    from deskapp.services.complaints import ComplaintDraft, forward, register_complaint
    from deskapp.storage.models import Call

    with desk.engine.connect() as conn:
        call_id, at = conn.execute(select(Call.id, Call.at).where(Call.category == "complaint")).one()
    registered = register_complaint(desk, receptionist, ComplaintDraft(
        customer_name="张先生", unit="3-2-1201", description="楼上噪音", call_id=call_id, received_at=at),
        now=at + timedelta(minutes=2))
    forward(desk, receptionist, registered.id, version=registered.version, now=at + timedelta(minutes=3))
    report = reports.monthly_report(desk, "2026-11", now=NOW)
    clocks = next(s for s in report.sections if s.key == "call_clocks")
    complaint_clock = _table(clocks, "时限达成").rows[1]
    assert (complaint_clock[1], complaint_clock[2], complaint_clock[3]) == (1, 1, 0)  # forwarded in 3 of 10 min
    assert complaint_clock[6] == 3.0
    complaints = next(s for s in report.sections if s.key == "complaints")
    assert not complaints.note
    assert _table(complaints, "按等级").rows[-1][1] == 1
