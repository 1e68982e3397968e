"""`deskapp calendar` and `deskapp visits analysis` through the real command line (CliRunner)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import deskapp
from deskapp.cli import app
from deskapp.core.workdays import WorkCalendar


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A site configuration folder of the test's own (DESKAPP_CONFIG), and a database with a supervisor
    (王主管, 1234) and a receptionist (李前台, 5678)."""
    config = tmp_path / "site-config"
    monkeypatch.setenv("DESKAPP_CONFIG", str(config / "config.toml"))
    db = tmp_path / "desk.sqlite"
    runner = CliRunner()
    assert runner.invoke(app, ["staff", "add", "王主管", "--role", "supervisor", "--db", str(db)],
                         input="1234\n1234\n").exit_code == 0
    assert runner.invoke(app, ["staff", "add", "李前台", "--by", "王主管", "--db", str(db)],
                         input="1234\n5678\n5678\n").exit_code == 0
    return config, db


def add(runner, db, *args, pin="1234", by="王主管"):
    return runner.invoke(app, ["calendar", "add", *args, "--by", by, "--db", str(db)], input=f"{pin}\n")


def test_a_supervisor_enters_2027_and_due_dates_follow(runner, site):
    config, db = site
    result = add(runner, db, "2027-02-05", "2027-02-09", "2027-02-10", "2027-02-11", "--holiday")
    assert result.exit_code == 0, result.output
    result = add(runner, db, "2027-02-20", "--workday")
    assert result.exit_code == 0, result.output
    stored = WorkCalendar.load_file(config / "calendar.toml")
    assert stored.extra_workdays == {__import__("datetime").date(2027, 2, 20)}
    assert len(stored.extra_holidays) == 4
    result = runner.invoke(app, ["calendar", "complete", "2027", "--by", "王主管", "--db", str(db)], input="1234\n")
    assert result.exit_code == 0, result.output
    assert "2027-12-31" in result.output  # known through the year now
    listed = runner.invoke(app, ["calendar", "list", "--db", str(db)])
    assert "2027-02-20" in listed.output and str(config / "calendar.toml") in listed.output
    checked = runner.invoke(app, ["calendar", "check", "2027", "--db", str(db)])
    assert checked.exit_code == 0
    line = next(l for l in checked.output.splitlines() if l.startswith("2027-02-20"))
    assert "上班" in line
    assert any("推算" in l for l in checked.output.splitlines() if l.startswith("2027-02-09"))


@pytest.mark.parametrize("args, words", [
    (["2027-02-30", "--holiday"], "2027-02-30"),
    (["2027/02/08", "--holiday"], "2027/02/08"),
    (["2027-02-08"], "--holiday"),
    (["2027-02-08", "--holiday", "--workday"], "--holiday"),
])
def test_a_malformed_entry_is_refused_and_nothing_written(runner, site, args, words):
    config, db = site
    result = add(runner, db, *args)
    assert result.exit_code == 2 and words in result.output
    assert not (config / "calendar.toml").exists()


def test_both_a_holiday_and_a_make_up_day_or_a_completed_year_is_refused(runner, site):
    config, db = site
    assert add(runner, db, "2027-02-08", "--holiday").exit_code == 0
    before = (config / "calendar.toml").read_bytes()
    result = add(runner, db, "2027-02-08", "--workday")
    assert result.exit_code == 2 and "2027-02-08" in result.output
    assert runner.invoke(app, ["calendar", "complete", "2027", "--by", "王主管", "--db", str(db)],
                         input="1234\n").exit_code == 0
    before = (config / "calendar.toml").read_bytes()
    result = add(runner, db, "2027-10-09", "--workday")
    assert result.exit_code == 2 and "2027" in result.output
    assert (config / "calendar.toml").read_bytes() == before


def test_a_receptionist_may_not_change_the_calendar(runner, site):
    config, db = site
    result = add(runner, db, "2027-02-08", "--holiday", by="李前台", pin="5678")
    assert result.exit_code == 2
    assert not (config / "calendar.toml").exists()


def test_entries_live_outside_the_installed_package_and_survive_a_reinstall(runner, site, tmp_path):
    """The site's file is in its configuration folder: a reinstall replaces the package folder and its
    bundled data, never that folder. Here the package is "reinstalled" as a copy of its files in a new
    place and a fresh process on it still counts the site's make-up day."""
    config, db = site
    assert add(runner, db, "2027-02-20", "--workday").exit_code == 0
    package = Path(deskapp.__file__).resolve().parent
    site_file = (config / "calendar.toml").resolve()
    assert package not in site_file.parents and package.parent / "data" not in site_file.parents
    import shutil

    fresh = tmp_path / "reinstalled"
    shutil.copytree(package, fresh / "deskapp", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(package.parent / "data", fresh / "data")
    code = ("import deskapp, datetime; from deskapp.services.site_calendar import site_calendar_file; "
            "from deskapp.core.workdays import WorkCalendar; from deskapp.config import site_data_dir; "
            "assert deskapp.__file__.startswith(%r), deskapp.__file__; "
            "cal = WorkCalendar.load_site(site_data_dir(), site_calendar_file()); "
            "print(cal.is_working_day(datetime.date(2027, 2, 20)))") % str(fresh)
    env = {**__import__("os").environ, "PYTHONPATH": str(fresh)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"  # Saturday 2027-02-20, a make-up working day the site entered


def test_visits_analysis_from_the_command_line(runner, site):
    config, db = site
    result = runner.invoke(app, ["visits", "analysis", "--month", "2026-11", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "2026-11" in result.output
    bad = runner.invoke(app, ["visits", "analysis", "--month", "2026-13", "--db", str(db)])
    assert bad.exit_code == 2 and "2026-13" in bad.output
