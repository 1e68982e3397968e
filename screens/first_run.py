"""First run on an empty database: create the first supervisor, or load demo data.

The first supervisor's PIN is typed twice: a mistyped PIN here would lock
the only person who can add staff out of a new desk. The services run in a
worker (widgets.service_call), so a locked or read-only database reads as a
message naming the file, never as a traceback or a driver's error text.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from deskapp.i18n import t
from deskapp.widgets.desk_footer import DeskFooter
from deskapp.widgets.desk_header import DeskHeader

DEMO_SUPERVISOR = ("王主管", "1234")


class FirstRunScreen(Screen):
    DEFAULT_CSS = """
    FirstRunScreen Vertical { width: 60; height: auto; margin: 1 2; }
    FirstRunScreen Horizontal { height: auto; }
    FirstRunScreen #first-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("ctrl+d", "demo", t("first.demo"), id="first_demo", priority=True)]

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        with Vertical():
            yield Label(t("first.title"))
            yield Input(placeholder=t("field.name"), id="name", max_length=40)
            yield Input(placeholder=t("login.pin") + " (4-8)", password=True, id="pin", max_length=8)
            yield Input(placeholder=t("pin.again"), password=True, id="pin2", max_length=8)
            with Horizontal():
                yield Button(t("first.create"), id="create", variant="primary")
                yield Button(t("first.demo") + " (Ctrl+D)", id="demo")
            yield Static("", id="first-error", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted, "#name")
    def _to_pin(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    def _to_pin2(self) -> None:
        self.query_one("#pin2", Input).focus()

    @on(Input.Submitted, "#pin2")
    @on(Button.Pressed, "#create")
    def _create_pressed(self) -> None:
        pin, again = self.query_one("#pin", Input), self.query_one("#pin2", Input)
        if pin.value != again.value:
            # Both boxes are emptied: which one was mistyped cannot be seen.
            pin.value = again.value = ""
            self._error(t("pin.mismatch"))
            pin.focus()
            return
        self._create(self.query_one("#name", Input).value, pin.value)

    @on(Button.Pressed, "#demo")
    def action_demo(self) -> None:
        self._error(t("app.loading"))
        self._demo()

    def _error(self, message: str) -> None:
        self.query_one("#first-error", Static).update(message)

    def _create(self, name: str, pin: str) -> None:
        from deskapp.widgets.service_call import call_service

        def work():
            from deskapp.services.staff import add_staff

            return add_staff(self.app.desk, name=name, role="supervisor", pin=pin, actor=None)

        call_service(self, work, done=self.app.signed_in, failed=self._error, group="first-run")

    def _demo(self) -> None:
        from deskapp.widgets.service_call import call_service

        def work():
            from deskapp.demo import fill_demo
            from deskapp.services.desk import utcnow

            return fill_demo(self.app.desk, calls=3000, now=utcnow())

        call_service(self, work, done=lambda _summary: self._demo_done(), failed=self._error, group="first-run")

    def _demo_done(self) -> None:
        from screens.sign_in import SignInScreen

        name, pin = DEMO_SUPERVISOR
        self.app.switch_screen(SignInScreen(name, hint=t("first.demo_hint", name=name, pin=pin)))
