"""Settings: which language, from where, and what a setting that cannot be used does."""

from __future__ import annotations

import pytest

from deskapp.config import SettingsRefused, load_settings


@pytest.mark.parametrize("value, lang", [("en", "en"), ("en-US", "en"), ("EN_gb", "en"), ("zh_CN", "zh"), ("zh", "zh")])
def test_a_language_named_in_the_environment(monkeypatch, value, lang):
    monkeypatch.setenv("DESKAPP_LANG", value)
    assert load_settings().lang == lang


def test_the_option_wins_over_the_environment_and_the_file(monkeypatch, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('lang = "zh"\n', encoding="utf-8")
    monkeypatch.setenv("DESKAPP_CONFIG", str(config))
    monkeypatch.setenv("DESKAPP_LANG", "zh")
    assert load_settings(lang="en").lang == "en"
    monkeypatch.delenv("DESKAPP_LANG")
    config.write_text('lang = "en"\n', encoding="utf-8")
    assert load_settings().lang == "en"


def test_an_unknown_language_is_not_replaced_by_chinese_in_silence(monkeypatch, tmp_path):
    monkeypatch.setenv("DESKAPP_LANG", "fr")
    with pytest.raises(SettingsRefused) as refused:
        load_settings()
    assert refused.value.params == {"value": "fr", "where": "DESKAPP_LANG"}
    monkeypatch.delenv("DESKAPP_LANG")
    config = tmp_path / "config.toml"
    config.write_text('lang = "français"\n', encoding="utf-8")
    monkeypatch.setenv("DESKAPP_CONFIG", str(config))
    with pytest.raises(SettingsRefused) as refused:
        load_settings()
    assert refused.value.params["where"] == f"{config}: lang"


def test_a_config_file_that_is_not_toml_is_refused_with_its_path(monkeypatch, tmp_path):
    config = tmp_path / "config.toml"
    config.write_bytes(b"\xff\xfe not toml")
    monkeypatch.setenv("DESKAPP_CONFIG", str(config))
    with pytest.raises(SettingsRefused) as refused:
        load_settings()
    assert refused.value.key == "config.unreadable" and refused.value.params["path"] == str(config)
