"""The base of every work screen: the same header and footer, Ctrl+N for a new
record of this screen, fresh data when another terminal commits or the screen
is shown again, and service calls that report faults instead of crashing.

A register screen subclasses `WorkScreen`, yields its body from
`compose_body`, names its new-record action in `NEW_RECORD` (catalogue key of
the key label) and implements `new_record()`; `refresh_data()` re-reads every
register list on it unless it overrides that.

Change signal: the app bumps `App.data_version` when anyone commits. A screen
in view re-reads at once; a screen out of view (another mode, or under a
full-screen form) only notes it and re-reads when it is shown again, so
hidden screens cost nothing and are never stale when they come back.
"""

from __future__ import annotations

from typing import Any, Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from deskapp.i18n import t
from deskapp.widgets.desk_footer import DeskFooter
from deskapp.widgets.desk_header import DeskHeader


def new_record_binding(label_key: str) -> Binding:
    """Ctrl+N: a new record of this screen (rebindable as `new_record` in config.toml [keys])."""
    return Binding("ctrl+n", "new_record", t(label_key), id="new_record", priority=True)


class WorkScreen(Screen):
    NEW_RECORD: str | None = None  # catalogue key of the Ctrl+N label; None: this screen makes no records

    def __init__(self, *, name: str | None = None, id: str | None = None):
        super().__init__(name=name, id=id)
        self._stale = False

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield from self.compose_body()
        yield DeskFooter()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.watch(self.app, "data_version", self._data_changed, init=False)

    # ---- fresh data -----------------------------------------------------

    def _data_changed(self, _version: int) -> None:
        if self.is_current:
            self.refresh_data()
        else:
            self._stale = True

    def on_screen_resume(self) -> None:
        if self._stale:
            self._stale = False
            self.refresh_data()

    def refresh_data(self) -> None:
        from deskapp.widgets.register_list import RegisterList

        for register in self.query(RegisterList):
            register.reload()

    # ---- records ----------------------------------------------------------

    def action_new_record(self) -> None:
        self.new_record()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_record" and self.NEW_RECORD is None:
            return False
        return True

    def new_record(self) -> None:
        """Open this screen's form for a new record (the subclass says which)."""

    # ---- services -----------------------------------------------------------

    def run_service(self, work: Callable[[], Any], *, done: Callable[[Any], None] | None = None,
                    failed: Callable[[str], None] | None = None, group: str = "service"):
        """Call a service in a worker; faults become a message (see widgets.service_call)."""
        from deskapp.widgets.service_call import call_service

        return call_service(self, work, done=done, failed=failed, group=group)
