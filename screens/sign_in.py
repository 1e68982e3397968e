"""Who is at the desk: choose yourself and confirm with your PIN."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from deskapp.errors import DeskError
from deskapp.i18n import t
from deskapp.widgets.desk_footer import DeskFooter
from deskapp.widgets.desk_header import DeskHeader


class SignInScreen(Screen):
    DEFAULT_CSS = """
    SignInScreen Vertical { width: 50; height: auto; margin: 1 2; }
    SignInScreen OptionList { height: auto; max-height: 10; }
    SignInScreen #signin-error { color: $error; height: auto; }
    """

    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, preselect: str | None = None, hint: str = "", can_cancel: bool = False):
        super().__init__()
        self.preselect = preselect
        self.hint = hint
        self.can_cancel = can_cancel  # switching user: Esc keeps the person signed in
        self._names: list[str] = []

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        with Vertical():
            yield Label(t("login.title"))
            yield OptionList(id="staff-list")
            yield Input(placeholder=t("login.pin"), password=True, id="pin", max_length=8)
            yield Static(self.hint, id="signin-hint", markup=False)
            yield Static("", id="signin-error", markup=False)
        yield DeskFooter()

    def action_cancel(self) -> None:
        if self.can_cancel:
            self.app.pop_screen()

    def on_mount(self) -> None:
        self._load_staff()

    @work(thread=True)
    def _load_staff(self) -> None:
        from deskapp.services.staff import list_staff

        staff = list_staff(self.app.desk)
        self.app.call_from_thread(self._show_staff, staff)

    def _show_staff(self, staff) -> None:
        options = self.query_one("#staff-list", OptionList)
        self._names = [s.name for s in staff]
        options.add_options([Option(f"{s.name}  {s.role_label}") for s in staff])
        if self.preselect in self._names:
            options.highlighted = self._names.index(self.preselect)
            self.query_one("#pin", Input).focus()
        elif self._names:
            options.highlighted = 0
            options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    def _submit(self, event: Input.Submitted) -> None:
        index = self.query_one("#staff-list", OptionList).highlighted
        if index is None or not self._names:
            return
        self._check(self._names[index], event.value)

    @work(thread=True, exclusive=True)
    def _check(self, name: str, pin: str) -> None:
        from deskapp.services.staff import sign_in

        try:
            actor = sign_in(self.app.desk, name=name, pin=pin)
        except DeskError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self.app.signed_in, actor)

    def _failed(self, message: str) -> None:
        self.query_one("#signin-error", Static).update(message)
        pin = self.query_one("#pin", Input)
        pin.value = ""
        pin.focus()
