"""The header every work screen shows: site, staff on duty, shift, clock."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widget import Widget

from deskapp.i18n import t


def shift_of(local: datetime) -> str:
    """Day shift 08:00-20:00, night shift otherwise (the desk runs around the clock)."""
    return "day" if 8 <= local.hour < 20 else "night"


class DeskHeader(Widget):
    """One line, redrawn by the app's clock. A repaint, never a layout: the idle
    desk pays for this line every second (a Static.update would re-lay the screen)."""

    DEFAULT_CSS = """
    DeskHeader { dock: top; height: 1; background: $primary; color: $text; padding: 0 1; }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "now", self._tick, init=False)
        self.watch(self.app, "actor", self._tick, init=False)

    def _tick(self, _value=None) -> None:
        if self.screen.is_current:
            self.refresh()

    def render(self) -> Text:
        app = self.app
        now = getattr(app, "now", None)
        desk = getattr(app, "desk", None)
        actor = getattr(app, "actor", None)
        tz = desk.tz if desk is not None else getattr(app, "site_tz", None)
        local = now.astimezone(tz) if (now and tz) else None
        parts = [Text(app.title, style="bold"), Text("  ")]
        parts.append(Text(t("app.on_duty", name=actor.name, role=actor.role_label) if actor else t("app.nobody")))
        if local is not None:
            parts.append(Text(f"  {t('shift.' + shift_of(local))}  {local:%Y-%m-%d %H:%M:%S}"))
        return Text.assemble(*parts, no_wrap=True, overflow="ellipsis")
