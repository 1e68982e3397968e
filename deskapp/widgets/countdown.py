"""A live countdown to one stored deadline, on the app's one clock.

No timer of its own: it watches `App.now` (one 1 Hz tick for the whole app)
and computes the time left from the stored deadline at each tick, so it never
drifts. It repaints only when the text or the level changed, and not at all
while its screen is out of view. Used in detail panes and forms; lists use
`register_list.countdown_column`, the same formatter and levels.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from deskapp.core.countdown import SlaLevel, format_remaining, sla_level
from deskapp.widgets.register_list import LEVEL_STYLE, site_levels


class Countdown(Widget):
    DEFAULT_CSS = """
    Countdown { width: auto; height: 1; }
    """

    deadline: reactive[datetime | None] = reactive(None)
    since: reactive[datetime | None] = reactive(None)
    done: reactive[bool] = reactive(False)

    def __init__(self, deadline: datetime | None = None, *, since: datetime | None = None, label: str = "",
                 **kwargs):
        super().__init__(**kwargs)
        self.label = label
        self.set_reactive(Countdown.deadline, deadline)
        self.set_reactive(Countdown.since, since)
        self._shown: tuple[str, SlaLevel | None] | None = None

    def on_mount(self) -> None:
        self.watch(self.app, "now", self._tick, init=False)

    def _state(self) -> tuple[str, SlaLevel | None]:
        now = getattr(self.app, "now", None)
        if self.deadline is None or now is None:
            return ("", None)
        if self.done:
            return ("", SlaLevel.DONE)
        total = self.deadline - self.since if self.since is not None else None
        return (format_remaining(self.deadline - now), sla_level(self.deadline, now, total=total, **site_levels(self.app)))

    @property
    def level(self) -> SlaLevel | None:
        return self._state()[1]

    def _tick(self, _now) -> None:
        if not self.screen.is_current:
            return
        state = self._state()
        if state != self._shown:
            # A new width (59:59 -> 01:00:00) needs a layout; the same width only a repaint.
            resized = self._shown is None or len(state[0]) != len(self._shown[0])
            self.refresh(layout=resized)

    def render(self) -> Text:
        self._shown = state = self._state()
        text, level = state
        if not text:
            return Text(self.label)
        style = LEVEL_STYLE.get(level, "")
        return Text.assemble(self.label + (" " if self.label else ""), (text, style))

    def get_content_width(self, container, viewport) -> int:
        return max(1, self.render().cell_len)
