"""Where things are and which language to speak: resolved once at start-up.

Order of precedence: command-line option, environment variable, the config
file (config.toml in the user's config directory), then the default.
Kept free of heavy imports: it runs before the first paint.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from deskapp.errors import DeskError
from deskapp.i18n import lang_code

DEFAULT_SITE_NAME = "物业客服中心"


def user_data_dir() -> Path:
    from platformdirs import user_data_dir as _udd

    return Path(_udd("deskapp", appauthor=False))


def user_config_file() -> Path:
    from platformdirs import user_config_dir

    return Path(os.environ.get("DESKAPP_CONFIG") or Path(user_config_dir("deskapp", appauthor=False)) / "config.toml")


def site_data_dir() -> Path:
    """The site's policy and reference data (data/ in the repo, bundled in a wheel)."""
    env = os.environ.get("DESKAPP_DATA_DIR")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    bundled = here / "_site_data"
    return bundled if bundled.is_dir() else here.parent / "data"


def normal_url(url: str) -> str:
    """A database URL as the engine wants it: postgresql:// (or postgres://) means psycopg 3."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    return url


def database_url(db_path: str | os.PathLike | None = None) -> str:
    """--db's value (a SQLite file's path, or a database URL such as
    postgresql+psycopg://desk@server/desk), else DESKAPP_DATABASE_URL, else the default file."""
    if db_path:
        if "://" in str(db_path):
            return normal_url(str(db_path))
        return f"sqlite:///{Path(db_path).expanduser().resolve()}"
    env = os.environ.get("DESKAPP_DATABASE_URL")
    if env:
        return normal_url(env)
    return f"sqlite:///{user_data_dir() / 'desk.sqlite'}"


@dataclass(frozen=True)
class Settings:
    database_url: str
    lang: str = "zh"
    site_name: str = DEFAULT_SITE_NAME
    timezone: str | None = None  # None: policy.toml's site_timezone
    data_dir: Path = field(default_factory=site_data_dir)
    # [keys] in config.toml: binding id -> keys, e.g. new_call = "ctrl+n,insert"
    keymap: dict = field(default_factory=dict)
    # [backup] in config.toml (services.backups): where backups go (None: beside the
    # database file), how many to keep, and whether the app makes one at each shift change.
    backup_folder: Path | None = None
    backup_keep: int = 14
    backup_at_shift_change: bool = False


class SettingsRefused(DeskError):
    """A setting that cannot be used (an unknown language, an unreadable config file):
    refused with where it came from, rather than silently replaced by a default."""


def load_settings(db: str | None = None, lang: str | None = None) -> Settings:
    """Settings from options, environment and the config file (a missing file is fine).

    An unknown --lang is the caller's to refuse (it says so in the CLI's words);
    an unknown language from DESKAPP_LANG or the config file, or a config file
    that is not TOML, raises SettingsRefused naming it.
    """
    file_values: dict = {}
    path = user_config_file()
    if path.is_file():
        try:
            with path.open("rb") as fh:
                file_values = tomllib.load(fh)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            raise SettingsRefused("config.unreadable", path=str(path), detail=str(exc)) from None
    if lang:
        chosen_lang = lang_code(lang) or "zh"
    elif os.environ.get("DESKAPP_LANG"):
        chosen_lang = _known_lang(os.environ["DESKAPP_LANG"], where="DESKAPP_LANG")
    elif file_values.get("lang"):
        chosen_lang = _known_lang(file_values["lang"], where=f"{path}: lang")
    else:
        chosen_lang = "zh"
    return Settings(
        database_url=database_url(db) if db else normal_url(
            os.environ.get("DESKAPP_DATABASE_URL") or file_values.get("database_url") or database_url()),
        lang=chosen_lang,
        site_name=os.environ.get("DESKAPP_SITE_NAME") or file_values.get("site_name") or DEFAULT_SITE_NAME,
        timezone=file_values.get("timezone"),
        keymap={str(k): str(v) for k, v in (file_values.get("keys") or {}).items()},
        **_backup_settings(file_values.get("backup"), where=f"{path}: backup"),
    )


def _backup_settings(values: object, *, where: str) -> dict:
    """The [backup] table of config.toml; a value of the wrong kind is refused naming its key."""
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise SettingsRefused("config.bad_value", where=where, value=str(values))
    found: dict = {}
    if "folder" in values:
        folder = values["folder"]
        if not isinstance(folder, str) or not folder.strip():
            raise SettingsRefused("config.bad_value", where=f"{where}.folder", value=str(folder))
        found["backup_folder"] = Path(folder).expanduser()
    if "keep" in values:
        keep = values["keep"]
        if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
            raise SettingsRefused("config.bad_value", where=f"{where}.keep", value=str(keep))
        found["backup_keep"] = keep
    if "at_shift_change" in values:
        at_change = values["at_shift_change"]
        if not isinstance(at_change, bool):
            raise SettingsRefused("config.bad_value", where=f"{where}.at_shift_change", value=str(at_change))
        found["backup_at_shift_change"] = at_change
    return found


def _known_lang(value: object, *, where: str) -> str:
    code = lang_code(value) if isinstance(value, str) else None
    if code is None:
        raise SettingsRefused("config.bad_lang", value=str(value), where=where)
    return code
