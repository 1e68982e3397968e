"""`deskapp handover show` on a real SQLite file: Rich in the terminal, Markdown and JSON
to a file, the last one or --date/--shift, bad options refused before the database opens."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from deskapp.cli import app
from deskapp.services.handover import sign_handover
from tests.conftest import RECEPTIONIST_NAME, RECEPTIONIST_PIN
from tests.handover.test_handover import at, scripted_night


@pytest.fixture
def night(desk, receptionist):
    from deskapp.services.shifts import add_log_entry

    shift = scripted_night(desk, receptionist)
    add_log_entry(desk, receptionist, what="[bold]假装的标记[/bold] # 不是标题", now=at(500))
    return shift


def run(db_path, *args):
    return CliRunner().invoke(app, ["handover", "show", "--db", str(db_path), *args])


def test_the_unsigned_shift_is_compiled_and_the_signed_one_shown(desk, night, db_path):
    assert run(db_path).exit_code == 1  # nothing signed yet
    preview = run(db_path, "--date", "2026-11-24", "--shift", "night")
    assert preview.exit_code == 0, preview.output
    assert "未签字" in preview.output and "水管漏水" in preview.output
    sign_handover(desk, shift_id=night.id, name=RECEPTIONIST_NAME, pin=RECEPTIONIST_PIN, notes="钥匙明早归还",
                  now=at(718))
    shown = run(db_path)
    assert shown.exit_code == 0, shown.output
    for words in ("交接-2026-000001", "未办结事项", "待派工 来电-2026-000004", "【重大】李前台", "包裹 2 件",
                  "钥匙明早归还", "[bold]假装的标记[/bold]"):
        assert words in shown.output, words


def test_markdown_and_json_files(desk, night, db_path, tmp_path):
    sign_handover(desk, shift_id=night.id, name=RECEPTIONIST_NAME, pin=RECEPTIONIST_PIN, now=at(718))
    md = tmp_path / "h.md"
    assert run(db_path, "--format", "md", "--out", str(md)).exit_code == 0
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# 交接班记录 2026\\-11\\-24 夜班") and "## 本班超时" in text
    assert "\\# 不是标题" in text and "\\[bold\\]" in text  # typed text cannot make a heading or markup
    out = tmp_path / "h.json"
    result = CliRunner().invoke(app, ["handover", "show", "--db", str(db_path), "--format", "json", "--out", str(out),
                                      "--lang", "en"])
    assert result.exit_code == 0 and "Written" in result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["number"] == "交接-2026-000001" and data["signed"] is True
    custody = next(s for s in data["sections"] if s["code"] == "custody")
    assert [line["says"] for line in custody["lines"]][2] == "parcel ×2 (2 rec.)"


@pytest.mark.parametrize("args, words", [
    (["--format", "pdf"], "md"),
    (["--shift", "evening", "--date", "2026-11-24"], "day"),
    (["--shift", "day"], "--date"),
    (["--date", "2026-02-30"], "2026-02-30"),
])
def test_bad_options_are_refused_before_the_database_is_opened(tmp_path, args, words):
    missing = tmp_path / "none.sqlite"
    result = run(missing, *args)
    assert result.exit_code == 2 and words in result.output
    assert not missing.exists()
