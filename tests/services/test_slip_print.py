"""Printing a slip: the PDF reads back in Chinese (pdftotext) with its font embedded (pdffonts),
the 80-column text wraps and never cuts, lp's refusals are clear, each print is counted."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from deskapp.services import slip_print, slips
from deskapp.services.reference import UnitDraft, add_department, add_units
from deskapp.services.slip_queries import get_slip
from deskapp.services.slips import SlipDraft, issue_slip
from tests.services.dbstate import scalar

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)
LONG = ("卫生间天花板漏水，怀疑楼上防水层破损，水顺着灯座往下滴，业主担心漏电，" * 4
        + "请师傅带上检测仪器和防水材料。ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" * 2)


@pytest.fixture
def slip(desk, supervisor, receptionist):
    add_department(desk, supervisor, name="工程部", kind="engineering", now=NOW)
    add_units(desk, supervisor, [UnitDraft("3-2-1201", warranty_until=date(2020, 1, 1))], now=NOW)
    made = issue_slip(desk, receptionist, SlipDraft(customer_name="张先生", unit="3-2-1201", phone="13800138000",
                                                    item=LONG, fee_item="更换水龙头", technician="赵师傅"), now=NOW)
    slips.add_note(desk, receptionist, made.id, note="客户下午三点后在家", now=NOW + timedelta(minutes=1))
    return get_slip(desk, made.id)


def _pages(pdf: Path) -> int:
    info = subprocess.run([_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is missing: scripts/_setup.sh installs poppler-utils"
    return found


class TestPdf:
    @pytest.mark.parametrize("paper", ["a4", "a5"])
    def test_pdftotext_reads_the_chinese_back_and_the_font_is_embedded(self, desk, slip, tmp_path, paper):
        pdf = tmp_path / "slip.pdf"
        pdf.write_bytes(slip_print.render_pdf(slip, site_name="阳光花园客服中心", tz=desk.tz, paper=paper,
                                              font=slip_print.find_cjk_font()))
        text = subprocess.run([_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        flat = "".join(text.split())
        for wanted in ("派工-2026-000001", "3栋2单元1201", "阳光花园客服中心", "客户联", "维修联", "存根联",
                       "客户签字", "更换水龙头", "客户下午三点后在家", "2026-000001"):
            assert wanted in flat, wanted
        assert "".join(LONG.split())[:60] in flat  # the content, wrapped onto lines, all there
        fonts = subprocess.run([_tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True).stdout
        rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
        assert rows and all(row[-5] == "yes" and row[-4] == "yes" for row in rows), fonts  # embedded, subset
        # this long slip does not fit a third of an A4 sheet: a page per copy, as on A5
        assert _pages(pdf) == 3

    def test_a_short_slip_puts_the_three_copies_on_one_a4_sheet(self, desk, slip, tmp_path):
        from dataclasses import replace

        short = replace(slip, item="厨房水龙头滴水", steps=())
        pdf = tmp_path / "short.pdf"
        pdf.write_bytes(slip_print.render_pdf(short, site_name="客服中心", tz=desk.tz, paper="a4",
                                              font=slip_print.find_cjk_font()))
        assert _pages(pdf) == 1

    def test_a_named_font_that_is_not_there_is_refused_by_path(self):
        with pytest.raises(slip_print.PrintRefused, match="/no/such/font.ttf"):
            slip_print.find_cjk_font("/no/such/font.ttf")


class TestText:
    def test_every_line_fits_80_printer_columns_and_long_text_wraps_whole(self, desk, slip):
        text = slip_print.render_text(slip, site_name="阳光花园客服中心", tz=desk.tz)
        lines = text.splitlines()
        assert max(slip_print.printer_width(line) for line in lines) <= 80
        assert all(slip_print.printer_width(line) <= 80 for line in lines)
        for label in ("第一联 客户联", "第二联 维修联", "第三联 存根联"):
            assert label in text
        # wrapped, not cut: the content comes back whole from each copy's lines
        flat = "".join(text.split())
        assert flat.count("".join(LONG.split())) == 3
        text.encode("gb18030")  # what the printer is sent

    def test_width_is_measured_as_the_printer_does(self):
        assert slip_print.printer_width("ab") == 2
        assert slip_print.printer_width("派工") == 4
        assert slip_print.printer_width("·①—") == 6  # ambiguous: two bytes in GB18030, double width on paper
        assert slip_print.wrap("派" * 41, 80) == ["派" * 40, "派"]
        assert slip_print.wrap("a" + "派" * 40, 80) == ["a" + "派" * 39, "派"]  # a wide char never straddles


def _fake_lp(folder: Path, script: str) -> None:
    lp = folder / "lp"
    lp.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    lp.chmod(lp.stat().st_mode | stat.S_IEXEC)


class TestPrinter:
    def test_no_default_destination_is_said_plainly_with_the_file_kept(self, tmp_path, monkeypatch):
        _fake_lp(tmp_path, 'echo "lp: Error - No default destination." >&2\nexit 1\n')
        monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
        pdf = tmp_path / "s.pdf"
        pdf.write_bytes(b"%PDF-1.4")
        with pytest.raises(slip_print.PrintRefused) as refused:
            slip_print.send_to_printer(pdf)
        assert "没有配置打印机" in str(refused.value) and str(pdf) in str(refused.value)

    def test_a_configured_printer_gets_the_file(self, tmp_path, monkeypatch):
        _fake_lp(tmp_path, 'echo "$@" > "$(dirname "$0")/asked"\necho "request id is desk-7 (1 file(s))"\n')
        monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
        answer = slip_print.send_to_printer(tmp_path / "s.pdf", "front-desk")
        assert answer == "request id is desk-7 (1 file(s))"
        assert (tmp_path / "asked").read_text().split() == ["-d", "front-desk", str(tmp_path / "s.pdf")]

    def test_no_lp_at_all(self, tmp_path, monkeypatch):
        monkeypatch.setenv("PATH", str(tmp_path))
        with pytest.raises(slip_print.PrintRefused, match="lp"):
            slip_print.send_to_printer(tmp_path / "s.pdf")


class TestPrintSlip:
    def test_each_print_is_counted_on_the_slip(self, desk, slip, receptionist, tmp_path):
        first = slip_print.print_slip(desk, receptionist, slip.id, site_name="客服中心", format="text",
                                      out=tmp_path / "a.txt")
        second = slip_print.print_slip(desk, receptionist, slip.id, site_name="客服中心", out=tmp_path / "a.pdf")
        assert (first.count, second.count, first.sent) == (1, 2, None)
        assert (tmp_path / "a.txt").read_bytes().decode("gb18030").startswith("客服中心 派工单")
        assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
        assert scalar(desk, "SELECT printed_count FROM dispatch_slip WHERE id = ?", (slip.id,)) == 2
        assert scalar(desk, "SELECT count(*) FROM slip_step WHERE step = 'printed'") == 2

    def test_the_site_file_is_checked(self, desk, tmp_path):
        (tmp_path / "slip_print.toml").write_text('paper = "letter"\n', encoding="utf-8")
        from deskapp.core.policy import PolicyError

        with pytest.raises(PolicyError, match="paper"):
            slip_print.load_print_settings(tmp_path)


class TestCommand:
    def test_deskapp_slip_print_writes_the_pdf_and_counts_it(self, desk, slip, tmp_path, monkeypatch):
        from typer.testing import CliRunner

        from deskapp.cli import app

        monkeypatch.chdir(tmp_path)
        url = str(desk.engine.url)
        result = CliRunner().invoke(app, ["slip", "print", "派工-2026-000001", "--by", "李前台", "--db",
                                          url.removeprefix("sqlite:///")], input="5678\n")
        assert result.exit_code == 0, result.output
        assert (tmp_path / "派工-2026-000001.pdf").is_file()
        assert "已打印 1 次" in result.output
        missing = CliRunner().invoke(app, ["slip", "print", "派工-2026-000009", "--by", "李前台", "--db",
                                           url.removeprefix("sqlite:///")], input="5678\n")
        assert missing.exit_code == 2 and "没有这张派工单：派工-2026-000009" in missing.output
