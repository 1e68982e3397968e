"""The header every work screen shows: site, staff on duty, shift, clock."""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from deskapp.i18n import t

_TITLE = Style(bold=True)
_NOTICE = Style(bold=True, color="yellow")
CALENDAR_NOTICE_DAYS = 30


def shift_of(local: datetime, desk=None) -> str:
    """The shift running at `local`: the site's plan (policy.toml [shift], docs/rules.md §2.5),
    or the default plan (day 08:00-20:00) before the desk is open."""
    from deskapp.core.shifts import parse_clock, slot_at

    if desk is not None:
        return desk.policy.shift.slot_at(local, local.tzinfo).kind
    return slot_at(local, day_starts=parse_clock("08:00"), night_starts=parse_clock("20:00"), tz=local.tzinfo).kind


class DeskHeader(Widget):
    """One line, redrawn by the app's clock. A repaint, never a layout: the idle
    desk pays for this line every second (a Static.update would re-lay the screen).

    When it fits, the line is drawn straight to segments (`render_line`) rather
    than through Textual's Text-to-strips path, which costs several times more
    each second; `render()` gives the same line as a Text (and draws it when the
    terminal is too narrow)."""

    DEFAULT_CSS = """
    DeskHeader { dock: top; height: 1; background: $primary; color: $text; padding: 0 1; }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._drawn: tuple[tuple, Strip] | None = None  # (what it showed, the line)
        self._shift = None  # (desk, start, end, kind): the shift shown, worked out again only when it ends

    def on_mount(self) -> None:
        self.watch(self.app, "now", self._tick, init=False)
        self.watch(self.app, "actor", self._tick, init=False)

    def _tick(self, _value=None) -> None:
        if self.screen.is_current:
            self.refresh()

    def _parts(self) -> list[tuple[str, Style | None]]:
        app = self.app
        now = getattr(app, "now", None)
        desk = getattr(app, "desk", None)
        actor = getattr(app, "actor", None)
        tz = desk.tz if desk is not None else getattr(app, "site_tz", None)
        local = now.astimezone(tz) if (now and tz) else None
        parts = [(app.title, _TITLE), ("  ", None),
                 (t("app.on_duty", name=actor.name, role=actor.role_label) if actor else t("app.nobody"), None)]
        if local is not None:
            parts.append((f"  {t('shift.' + self._shift_kind(local, desk))}  {local:%Y-%m-%d %H:%M:%S}", None))
            # due dates past the official calendar are guesses: say so from 30 days before it ends
            known = getattr(app, "calendar_known", None)
            if known is not None and (known - local.date()).days < CALENDAR_NOTICE_DAYS:
                parts.append(("  ", None))
                parts.append((t("app.calendar_ends", date=f"{known:%m-%d}"), _NOTICE))
        return parts

    def _shift_kind(self, local: datetime, desk) -> str:
        known = self._shift
        if known is None or known[0] is not desk or not known[1] <= local < known[2]:
            from deskapp.core.shifts import parse_clock, slot_at

            starts = desk.policy.shift.starts() if desk is not None else {
                "day_starts": parse_clock("08:00"), "night_starts": parse_clock("20:00")}
            s = slot_at(local, tz=local.tzinfo, **starts)
            known = self._shift = (desk, s.start, s.end, s.kind)
        return known[3]

    def render(self) -> Text:
        return Text.assemble(*self._parts(), no_wrap=True, overflow="ellipsis")

    def render_line(self, y: int) -> Strip:
        parts = self._parts()
        width = self.content_region.width
        if y or sum(cell_len(text) for text, _ in parts) > width:
            return super().render_line(y)  # too narrow: Textual's own path, which drops the words that do not fit
        base = self.rich_style
        key = (tuple(parts), width, base)
        if self._drawn is None or self._drawn[0] != key:
            # Not padded here: the padding is drawn in the widget's background, as on Textual's path.
            self._drawn = (key, Strip([Segment(text, base + style if style else base) for text, style in parts]))
        return self._drawn[1]
