"""First run on an empty database: create the first supervisor, or load demo data."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from deskapp.errors import DeskError
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
    @on(Button.Pressed, "#create")
    def _create_pressed(self) -> None:
        self._create(self.query_one("#name", Input).value, self.query_one("#pin", Input).value)

    @on(Button.Pressed, "#demo")
    def action_demo(self) -> None:
        self.query_one("#first-error", Static).update(t("app.loading"))
        self._demo()

    @work(thread=True, exclusive=True)
    def _create(self, name: str, pin: str) -> None:
        from deskapp.services.staff import add_staff

        try:
            actor = add_staff(self.app.desk, name=name, role="supervisor", pin=pin, actor=None)
        except DeskError as exc:
            self.app.call_from_thread(self.query_one("#first-error", Static).update, str(exc))
            return
        self.app.call_from_thread(self.app.signed_in, actor)

    @work(thread=True, exclusive=True)
    def _demo(self) -> None:
        from deskapp.demo import fill_demo
        from deskapp.services.desk import utcnow

        try:
            fill_demo(self.app.desk, calls=3000, now=utcnow())
        except Exception as exc:
            self.app.call_from_thread(self.query_one("#first-error", Static).update, str(exc))
            return
        self.app.call_from_thread(self._demo_done)

    def _demo_done(self) -> None:
        from screens.sign_in import SignInScreen

        name, pin = DEMO_SUPERVISOR
        self.app.switch_screen(SignInScreen(name, hint=t("first.demo_hint", name=name, pin=pin)))
