"""The header every work screen shows: site, staff on duty, shift, clock."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from deskapp.i18n import t


def shift_of(local: datetime) -> str:
    """Day shift 08:00-20:00, night shift otherwise (the desk runs around the clock)."""
    return "day" if 8 <= local.hour < 20 else "night"


class DeskHeader(Static):
    DEFAULT_CSS = """
    DeskHeader { dock: top; height: 1; background: $primary; color: $text; padding: 0 1; }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "now", self._refresh_header)
        self.watch(self.app, "actor", self._refresh_header)

    def _refresh_header(self, _value=None) -> None:
        app = self.app
        now = getattr(app, "now", None)
        desk = getattr(app, "desk", None)
        actor = getattr(app, "actor", None)
        local = now.astimezone(desk.tz) if (now and desk) else now
        parts = [Text(app.title, style="bold"), Text("  ")]
        parts.append(Text(t("app.on_duty", name=actor.name, role=actor.role_label) if actor else t("app.nobody")))
        if local is not None:
            parts.append(Text(f"  {t('shift.' + shift_of(local))}  {local:%Y-%m-%d %H:%M:%S}"))
        self.update(Text.assemble(*parts))
