"""The Textual app shell: header, the five work screens, sign-in, one clock.

Start-up order matters (design.md, "Start-up"): the shell paints first with
only Textual imported; storage, migrations and policy load in a thread worker
after the first refresh, then the sign-in (or first-run) screen appears.

Work screens are Textual modes, one key each (F2-F6) and in the command
palette. One 1 Hz tick sets `App.now`; widgets watch it, no timer per widget.

Key labels are read from the catalogue when a module's classes are defined,
so the language is chosen once per process before this module and the
screens are imported (deskapp.launch does so).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive

from deskapp.config import Settings
from deskapp.core.countdown import MonotonicClock
from deskapp.i18n import set_lang, t

if TYPE_CHECKING:
    from deskapp.services.desk import Desk
    from deskapp.services.roles import Actor

# mode name -> (function key, catalogue key of its title)
WORK_SCREENS = {
    "calls": ("f2", "screen.calls"),
    "complaints": ("f3", "screen.complaints"),
    "slips": ("f4", "screen.slips"),
    "visits": ("f5", "screen.visits"),
    "handover": ("f6", "screen.handover"),
}


def _make_mode(name: str):
    def factory():
        if name == "calls":
            from screens.call_log import CallLogScreen

            return CallLogScreen()
        from screens.placeholder import PlaceholderScreen

        return PlaceholderScreen(name)

    return factory


class DeskApp(App):
    """物业客服中心前台."""

    TITLE = "deskapp"
    CSS = """
    Screen { background: $surface; }
    #loading { width: 100%; height: 100%; content-align: center middle; }
    """
    MODES = {name: _make_mode(name) for name in WORK_SCREENS}
    BINDINGS = [
        Binding("f1", "help", t("key.help"), id="help"),
        *[Binding(key, f"go('{name}')", t(f"key.{name}"), id=f"go_{name}") for name, (key, _) in WORK_SCREENS.items()],
        Binding("ctrl+l", "switch_user", t("key.switch_user"), id="switch_user", show=False),
        Binding("ctrl+q", "quit", t("key.quit"), id="quit", priority=True, show=False),
    ]

    now: reactive[datetime | None] = reactive(None, init=False)
    actor: reactive["Actor | None"] = reactive(None, init=False)

    def __init__(self, settings: Settings, *, sign_in_as: str | None = None, clock: MonotonicClock | None = None,
                 tick_seconds: float = 1.0):
        set_lang(settings.lang)
        super().__init__()
        self.settings = settings
        self.sign_in_as = sign_in_as
        self.clock = clock or MonotonicClock()
        self.tick_seconds = tick_seconds
        self.desk: Desk | None = None
        self._signal = None
        self.title = settings.site_name

    def get_default_screen(self):
        from screens.loading import LoadingScreen

        return LoadingScreen()

    def on_mount(self) -> None:
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)  # rebinding by binding id, from config.toml [keys]
        self.now = self.clock.now()
        self.set_interval(self.tick_seconds, self._tick)
        # Storage imports (~0.5 s of CPU) start only once the first frame is out:
        # a worker thread importing them earlier holds the GIL against the paint.
        self.call_after_refresh(self._open_desk)

    def _tick(self) -> None:
        self.now = self.clock.now()
        if self._signal is not None:
            try:
                changed = self._signal.changed()
            except Exception:
                changed = False
            if changed:
                # Every screen on the stack: the call log under an open form re-reads too.
                for screen in self.screen_stack:
                    screen.post_message(DataChanged())

    @work(thread=True, exclusive=True, group="open")
    def _open_desk(self) -> None:
        from deskapp.services.desk import Desk
        from deskapp.storage.engine import ChangeSignal

        try:
            desk = Desk.open(self.settings)
            from deskapp.services.staff import staff_count

            first_run = staff_count(desk) == 0
        except Exception as exc:  # shown, never a traceback on screen
            self.call_from_thread(self._fatal, str(exc))
            return
        self.desk = desk
        self._signal = ChangeSignal(desk.engine)
        self.call_from_thread(self._desk_ready, first_run)

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = True) -> None:
        """Notifications carry typed text and error messages: never read as markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def _fatal(self, message: str) -> None:
        self.notify(t("app.error", message=message), severity="error", timeout=30)

    def _desk_ready(self, first_run: bool) -> None:
        schema = self.desk.schema if self.desk else None
        if schema and schema.backup:
            self.notify(t("app.upgraded", rev=schema.after, backup=schema.backup), timeout=10)
        if first_run:
            from screens.first_run import FirstRunScreen

            self.push_screen(FirstRunScreen())
        else:
            from screens.sign_in import SignInScreen

            self.push_screen(SignInScreen(self.sign_in_as))

    def signed_in(self, actor: "Actor") -> None:
        """Called by the sign-in screens: drop them and open the call log."""
        self.actor = actor
        self.pop_screen()
        self.switch_mode("calls")

    def action_go(self, mode: str) -> None:
        if self.actor is None:
            return
        self.switch_mode(mode)

    def action_switch_user(self) -> None:
        """Someone else takes the keyboard (换人): sign in again; Esc keeps the current person."""
        from screens.sign_in import SignInScreen

        if self.actor is not None and self.desk is not None and not isinstance(self.screen, SignInScreen):
            self.push_screen(SignInScreen(None, can_cancel=True))

    def action_help(self) -> None:
        from screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def get_system_commands(self, screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.actor is not None:
            for name, (key, title) in WORK_SCREENS.items():
                yield SystemCommand(f"{t(title)} ({key.upper()})", t(title), lambda n=name: self.switch_mode(n))
        yield SystemCommand(t("screen.help"), t("screen.help"), self.action_help)


class DataChanged(Message):
    """Another terminal committed: visible lists re-read."""
