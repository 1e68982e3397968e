"""The Textual app shell: header, the work screens, sign-in, one clock.

Start-up order matters (measured: importing storage eagerly puts the first
paint at ~900 ms, deferring it ~300 ms): the shell paints the sign-in form
first with only Textual imported, so the name and PIN can be typed at once; storage, migrations and policy load in a thread worker after the first
refresh, and the PIN is checked when both are ready.

Work screens are Textual modes built from the screen registry
(deskapp.registry): their F-keys, the help screen and the command palette read
the same list. One 1 Hz tick sets `App.now`; widgets watch it, no timer per
widget. Another terminal's commit bumps `App.data_version` (the change signal
is read on its own thread, never on the event loop); every work screen watches it.

Key labels are read from the catalogue when a module's classes are defined,
so the language is chosen once per process before this module and the
screens are imported (deskapp.launch does so).
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import TYPE_CHECKING, Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive

from deskapp.config import Settings
from deskapp.core.countdown import MonotonicClock
from deskapp.i18n import set_lang, t
from deskapp.registry import HOME, SCREENS

if TYPE_CHECKING:
    from deskapp.services.desk import Desk
    from deskapp.services.roles import Actor


# Binding ids a site's config.toml may still use -> their current id.
RENAMED_BINDINGS = {"new_call": "new_record"}


class DeskApp(App):
    """物业客服中心前台."""

    TITLE = "deskapp"
    CSS = """
    Screen { background: $surface; }
    """
    MODES = {entry.name: entry.factory() for entry in SCREENS}
    BINDINGS = [
        Binding("f1", "help", t("key.help"), id="help"),
        # The footer shows the short label; help and the palette the screen's title (the tooltip).
        *[Binding(e.key, f"go('{e.name}')", t(e.key_label), tooltip=t(e.title), id=f"go_{e.name}") for e in SCREENS
          if e.key],
        Binding("ctrl+l", "switch_user", t("key.switch_user"), id="switch_user", show=False),
        Binding("ctrl+q", "quit", t("key.quit"), id="quit", priority=True, show=False),
    ]

    # repaint=False: the clock must not repaint the whole screen every second; the
    # widgets that show the time watch `now` and redraw only what changed.
    now: reactive[datetime | None] = reactive(None, init=False, repaint=False)
    actor: reactive["Actor | None"] = reactive(None, init=False)
    # Bumped when anyone (this terminal or another) commits; work screens re-read.
    data_version: reactive[int] = reactive(0, init=False)

    def __init__(self, settings: Settings, *, sign_in_as: str | None = None, clock: MonotonicClock | None = None,
                 tick_seconds: float = 1.0):
        set_lang(settings.lang)
        super().__init__()
        self.settings = settings
        self.sign_in_as = sign_in_as
        self.clock = clock or MonotonicClock()
        self.tick_seconds = tick_seconds
        self.desk: Desk | None = None
        self.calendar_known = None  # date: the official working-day calendar known through (header notice)
        self.desk_fault: str | None = None
        self._signal = None
        self._signal_stop = threading.Event()  # set when the app closes; the change signal's thread waits on it
        self.drafts: dict = {}  # the signed-in person's unsaved drafts by form kind (deskapp.widgets.drafts)
        self.title = settings.site_name

    def get_default_screen(self):
        from screens.sign_in import SignInScreen

        return SignInScreen(self.sign_in_as)

    def on_mount(self) -> None:
        if self.settings.keymap:
            # Rebinding by binding id, from config.toml [keys]; ids renamed since keep working.
            self.set_keymap({RENAMED_BINDINGS.get(k, k): v for k, v in self.settings.keymap.items()})
        self.now = self.clock.now()
        self.set_interval(self.tick_seconds, self._tick)
        # Storage imports (~0.5 s of CPU) start only once the first frame is out:
        # a worker thread importing them earlier holds the GIL against the paint.
        self.call_after_refresh(self._open_desk)

    # ---- the clock and the change signal ---------------------------------

    def _tick(self) -> None:
        self.now = self.clock.now()

    def _watch_signal(self, signal) -> None:
        """Did anyone commit? Asked once a tick on one long-lived thread, never on the
        event loop (a slow or remote database must not freeze the keys) and never
        twice at once; a thread per check would cost more than the check.

        The thread wakes once a tick, not in small steps (each wake-up costs the
        idle desk CPU), and at once when the app closes, so quitting never waits on it."""
        from textual.worker import get_current_worker

        worker = get_current_worker()
        loop, context = self._signal_loop
        lost = False  # the database could not be reached at the last look: said once, and once when back
        while not self._signal_stop.wait(self.tick_seconds) and not worker.is_cancelled:
            try:
                changed = signal.changed()
            except Exception as exc:  # the lists say what is wrong when they fail to read; try again
                if not lost:
                    lost = True
                    self._say_from_thread(loop, context, exc)
                continue
            if lost:
                lost = False
                self._say_from_thread(loop, context, None)
            if changed and not worker.is_cancelled:
                try:  # never blocks: quitting must not wait on a loop that waits on this thread
                    loop.call_soon_threadsafe(self.note_change, context=context)
                except RuntimeError:  # the loop is closed: the app has gone
                    return

    def _say_from_thread(self, loop, context, fault) -> None:
        """The server went away (fault) or is back (None): say so once, from the signal's thread."""
        from deskapp.services.faults import database_where

        where = database_where(self.desk) if self.desk is not None else ""
        message = t("fault.connection_lost" if fault is not None else "fault.reconnected", where=where)
        try:
            loop.call_soon_threadsafe(lambda: self.notify(message, severity="warning" if fault else "information",
                                                          timeout=10), context=context)
        except RuntimeError:  # the loop is closed: the app has gone
            pass

    def on_unmount(self) -> None:
        self._signal_stop.set()  # wakes the change signal's thread so that it ends now

    def note_change(self) -> None:
        """This terminal committed: re-read now rather than at the next tick."""
        self.data_version += 1

    # ---- opening the desk ---------------------------------------------------

    def _open_desk(self) -> None:
        from deskapp.widgets.service_call import call_service

        call_service(self, self._open_desk_work, done=self._desk_ready, failed=self._fatal, group="open")

    def _open_desk_work(self):
        from deskapp.services.desk import Desk
        from deskapp.services.staff import list_staff
        from deskapp.storage.engine import ChangeSignal

        from deskapp.services.visits import work_calendar

        desk = Desk.open(self.settings)
        staff = list_staff(desk)
        # How far the official working-day calendar is known: the header warns 30 days before its
        # end. Built here, off the first paint, with this year filled in: the visit queue's first
        # page would otherwise pay ~0.2 s for it.
        calendar = work_calendar(desk)
        calendar.is_working_day(desk.local(self.clock.now()).date())
        return desk, ChangeSignal(desk.engine), staff, calendar.known_through

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = True) -> None:
        """Notifications carry typed text and error messages: never read as markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def _fatal(self, message: str) -> None:
        self.desk_fault = message
        self.notify(t("app.error", message=message), severity="error", timeout=30)
        from screens.sign_in import SignInScreen

        if isinstance(self.screen, SignInScreen):
            self.screen.desk_failed(message)

    def _desk_ready(self, opened) -> None:
        desk, signal, staff, self.calendar_known = opened
        self.desk = desk
        self._signal = signal
        import asyncio

        import contextvars

        self._signal_loop = (asyncio.get_running_loop(), contextvars.copy_context())
        self.run_worker(lambda: self._watch_signal(signal), thread=True, exclusive=True, group="signal",
                        exit_on_error=False)
        schema = desk.schema
        if schema and schema.backup:
            self.notify(t("app.upgraded", rev=schema.after, backup=schema.backup), timeout=10)
        from screens.sign_in import SignInScreen

        if not staff:
            from screens.first_run import FirstRunScreen

            self.push_screen(FirstRunScreen())
        elif isinstance(self.screen, SignInScreen):
            self.screen.staff_ready(staff)

    # ---- who is at the keyboard -----------------------------------------------

    def signed_in(self, actor: "Actor") -> None:
        """Called by the sign-in screens: drop them and open the home screen."""
        self.actor = actor
        if self.current_mode in self.MODES:  # switching user over a work screen
            self.pop_screen()
        else:  # the first sign-in, from the start-up mode
            self.switch_mode(HOME)
        self._backup_at_shift_change()
        from deskapp.widgets.drafts import offer_drafts

        offer_drafts(self)

    def _backup_at_shift_change(self) -> None:
        """config.toml [backup] at_shift_change: the first sign-in of a shift backs the database
        up, in a worker (a backup of a large file takes seconds); services.backups.backup_for_shift."""
        if not self.settings.backup_at_shift_change or self.desk is None:
            return
        from deskapp.services.backups import backup_for_shift
        from deskapp.widgets.service_call import call_service

        settings, now = self.settings, self.clock.now()
        start = self.desk.policy.shift.slot_at(now, self.desk.tz).start  # policy.toml [shift]

        def made(result) -> None:
            if result is not None:
                self.notify(t("backup.shift_made", path=str(result.path)), timeout=5)

        call_service(self, lambda: backup_for_shift(settings, shift_start=start, now=now), done=made,
                     group="shift-backup")

    def action_go(self, mode: str) -> None:
        if self.actor is None:
            return
        self.switch_mode(mode)

    def action_switch_user(self) -> None:
        """Someone else takes the keyboard (换人): sign in again; Esc keeps the current person."""
        from screens.sign_in import SignInScreen

        if self.actor is not None and self.desk is not None and not isinstance(self.screen, SignInScreen):
            self.push_screen(SignInScreen(None, can_cancel=True))

    # ---- help and the palette ---------------------------------------------------

    def action_help(self) -> None:
        from screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen) -> Iterable[SystemCommand]:
        """Screens and the actions of the screen in view, found by their names in
        the current language (登记, 投诉, 派工 ...), with the key that does it."""
        yield from super().get_system_commands(screen)
        if self.actor is not None:
            for e in SCREENS:
                words = " ".join(t(w) for w in e.palette)
                yield SystemCommand(f"{t(e.title)} ({e.key.upper()})" if e.key else t(e.title), words or t(e.title),
                                    lambda n=e.name: self.switch_mode(n))
            from screens.help import screen_actions

            for key, description, run in screen_actions(screen):
                yield SystemCommand(f"{description} ({key})", description, run)
        yield SystemCommand(t("screen.help"), t("screen.help"), self.action_help)
