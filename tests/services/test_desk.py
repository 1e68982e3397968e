"""Opening the desk: site zone, phrases and schema check, from Settings and the site's data folder."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from deskapp.config import Settings, site_data_dir
from deskapp.services.desk import Desk, Phrases


@pytest.fixture
def data_dir(tmp_path):
    data = tmp_path / "site-data"
    shutil.copytree(site_data_dir(), data)
    return data


def _open(tmp_path, **kw) -> Desk:
    return Desk.open(Settings(database_url=f"sqlite:///{tmp_path / 'd.sqlite'}", **kw))


def test_local_time_is_in_the_site_zone(desk):
    assert str(desk.tz) == "Asia/Shanghai"
    local = desk.local(datetime(2026, 12, 31, 17, 0, tzinfo=timezone.utc))
    assert (local.year, local.month, local.day, local.hour) == (2027, 1, 1, 1)


def test_phrases_come_from_the_data_folder(desk):
    assert "喂" in desk.phrases.forbidden
    assert "{site}" in desk.phrases.greeting and "{surname}" in desk.phrases.greeting
    assert "您好" in desk.phrases.polite


def test_missing_phrases_file_means_defaults(tmp_path):
    phrases = Phrases.load(tmp_path)
    assert phrases == Phrases()
    assert phrases.forbidden == ()


def test_site_edited_forbidden_phrases_are_used(tmp_path, data_dir):
    (data_dir / "phrases.toml").write_text('forbidden = ["喂", "随便"]\n', encoding="utf-8")
    desk = _open(tmp_path, data_dir=data_dir)
    try:
        assert desk.phrases.forbidden == ("喂", "随便")
        assert desk.phrases.greeting == Phrases.greeting
    finally:
        desk.engine.dispose()


def test_settings_zone_is_used(tmp_path):
    desk = _open(tmp_path, timezone="Asia/Urumqi")
    try:
        assert desk.tz == ZoneInfo("Asia/Urumqi")
    finally:
        desk.engine.dispose()


def test_site_zone_from_policy_file_is_used_when_settings_do_not_name_one(tmp_path, data_dir):
    policy = data_dir / "policy.toml"
    policy.write_text(policy.read_text(encoding="utf-8").replace(
        'site_timezone = "Asia/Shanghai"', 'site_timezone = "Asia/Urumqi"'), encoding="utf-8")
    desk = _open(tmp_path, data_dir=data_dir)
    try:
        assert desk.policy.site_timezone == "Asia/Urumqi"
        assert desk.tz == ZoneInfo("Asia/Urumqi")
    finally:
        desk.engine.dispose()
