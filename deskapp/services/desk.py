"""The open desk: engine, site policy, time zone and phrases, loaded once."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from deskapp.config import Settings, site_data_dir
from deskapp.core.policy import Policy, load_policy
from deskapp.storage.engine import get_engine
from deskapp.storage.migrate import SchemaCheck, ensure_schema


@dataclass(frozen=True)
class Phrases:
    greeting: str = "您好，{site}，我姓{surname}，请问有什么可以帮助您？"
    polite: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()

    @classmethod
    def load(cls, data_dir: Path) -> "Phrases":
        path = data_dir / "phrases.toml"
        if not path.is_file():
            return cls()
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
        return cls(
            greeting=str(raw.get("greeting", cls.greeting)),
            polite=tuple(raw.get("polite", ())),
            forbidden=tuple(raw.get("forbidden", ())),
        )


@dataclass
class Desk:
    engine: Engine
    policy: Policy
    phrases: Phrases
    tz: ZoneInfo
    site_name: str = "物业客服中心"
    data_dir: Path = field(default_factory=site_data_dir)
    schema: SchemaCheck | None = None

    @classmethod
    def open(cls, settings: Settings, *, migrate: bool = True) -> "Desk":
        engine = get_engine(settings.database_url)
        schema = ensure_schema(engine) if migrate else None
        policy = load_policy(settings.data_dir)
        return cls(
            engine=engine,
            policy=policy,
            phrases=Phrases.load(settings.data_dir),
            tz=ZoneInfo(settings.timezone or policy.site_timezone),
            site_name=settings.site_name,
            data_dir=settings.data_dir,
            schema=schema,
        )

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.tz)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
