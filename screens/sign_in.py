"""Who is at the desk: type your name (or pick it) and your PIN.

This is the first thing painted, before the database is open: the name and
PIN can be typed at once, and the PIN is checked as soon as the desk is ready
(the app calls `staff_ready`). Nothing here imports the storage layer.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from deskapp.i18n import t
from deskapp.widgets.form_input import after_pending_keys
from deskapp.widgets.desk_footer import DeskFooter
from deskapp.widgets.desk_header import DeskHeader


class SignInScreen(Screen):
    DEFAULT_CSS = """
    SignInScreen Vertical { width: 50; height: auto; margin: 1 2; }
    SignInScreen OptionList { height: auto; max-height: 8; }
    SignInScreen Input { margin: 0; }
    SignInScreen #signin-error { color: $error; height: auto; }
    SignInScreen #signin-hint { color: $text-muted; height: auto; }
    """

    # Enter is a priority binding, as in the forms (widgets/form_input.py): it moves the
    # focus as the key is read, so a PIN typed right after the name lands in the PIN box.
    BINDINGS = [Binding("escape", "cancel", show=False), Binding("enter", "enter", show=False, priority=True)]

    def __init__(self, preselect: str | None = None, hint: str = "", can_cancel: bool = False):
        super().__init__()
        self.preselect = preselect
        self.hint = hint
        self.can_cancel = can_cancel  # switching user: Esc keeps the person signed in
        self._staff: list | None = None  # None until the desk is open
        self._shown: list = []  # the staff matching what is typed, as listed
        self._waiting_pin: str | None = None  # a PIN submitted before the desk was ready
        self._checking = False

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        with Vertical():
            yield Label(t("login.title"))
            yield Input(value=self.preselect or "", placeholder=t("login.name"), id="name", max_length=40)
            yield OptionList(id="staff-list")
            yield Input(placeholder=t("login.pin"), password=True, id="pin", max_length=8)
            yield Static(self.hint, id="signin-hint", markup=False)
            yield Static("", id="signin-error", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        self.query_one("#pin" if self.preselect else "#name", Input).focus()
        self.query_one("#staff-list", OptionList).display = False
        if getattr(self.app, "desk", None) is not None:  # shown again later (换人, after the demo)
            from deskapp.widgets.service_call import call_service

            def load():
                from deskapp.services.staff import list_staff

                return list_staff(self.app.desk)

            call_service(self, load, done=self.staff_ready, group="staff")
        elif getattr(self.app, "desk_fault", None):
            self.desk_failed(self.app.desk_fault)

    def action_cancel(self) -> None:
        if self.can_cancel:
            self.app.pop_screen()

    # ---- the staff list arrives ---------------------------------------------

    def staff_ready(self, staff) -> None:
        self._staff = list(staff)
        self._filter(self.query_one("#name", Input).value)
        if self._waiting_pin is not None:
            pin, self._waiting_pin = self._waiting_pin, None
            self._submit_pin(pin)

    def desk_failed(self, message: str) -> None:
        self.query_one("#signin-error", Static).update(message)

    @on(Input.Changed, "#name")
    def _name_changed(self, event: Input.Changed) -> None:
        self._filter(event.value)

    def _filter(self, typed: str) -> None:
        if self._staff is None:
            return
        typed = typed.strip()
        self._shown = [s for s in self._staff if typed in s.name] if typed else list(self._staff)
        options = self.query_one("#staff-list", OptionList)
        options.clear_options()
        options.add_options([Option(f"{s.name}  {s.role_label}") for s in self._shown])
        options.display = bool(self._shown)
        exact = [i for i, s in enumerate(self._shown) if s.name == typed]
        if self._shown:
            options.highlighted = exact[0] if exact else 0

    # ---- keys -----------------------------------------------------------------

    def on_key(self, event) -> None:
        # Up/Down in the name field move through the matching staff, Enter takes it.
        if self.focused is not None and self.focused.id == "name" and event.key in ("up", "down"):
            options = self.query_one("#staff-list", OptionList)
            if self._shown:
                options.action_cursor_down() if event.key == "down" else options.action_cursor_up()
                event.stop()

    def action_enter(self) -> None:
        focused = self.focused
        if focused is not None and focused.id == "staff-list":
            index = self.query_one("#staff-list", OptionList).highlighted
            if index is not None and index < len(self._shown):
                self.query_one("#name", Input).value = self._shown[index].name
            self.set_focus(self.query_one("#pin", Input))  # now, not after the queued keys
        elif focused is not None and focused.id == "pin":
            pin = self.query_one("#pin", Input)
            after_pending_keys([pin], lambda: self._submit_pin(pin.value))
        else:
            self.set_focus(self.query_one("#pin", Input))  # now, not after the queued keys

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#name", Input).value = self._shown[event.option_index].name
        self.query_one("#pin", Input).focus()

    def _chosen_name(self) -> str | None:
        """The name typed if it is a member of staff, else the highlighted match."""
        typed = self.query_one("#name", Input).value.strip()
        if any(s.name == typed for s in self._staff or ()):
            return typed
        index = self.query_one("#staff-list", OptionList).highlighted
        if self._shown and index is not None and index < len(self._shown):
            return self._shown[index].name
        return typed or None

    def _submit_pin(self, pin: str) -> None:
        if self._checking:
            return
        if self._staff is None:  # typed ahead of the database: checked when it is open
            self._waiting_pin = pin
            self.query_one("#signin-hint", Static).update(t("app.loading"))
            return
        name = self._chosen_name()
        if not name:
            self._failed(t("login.choose"))
            return
        self._checking = True
        from deskapp.widgets.service_call import call_service

        def check():
            from deskapp.services.staff import sign_in

            return sign_in(self.app.desk, name=name, pin=pin)

        call_service(self, check, done=self._signed_in, failed=self._failed, group="sign-in")

    def _signed_in(self, actor) -> None:
        self._checking = False
        self.app.signed_in(actor)

    def _failed(self, message: str) -> None:
        self._checking = False
        self.query_one("#signin-hint", Static).update(self.hint)
        self.query_one("#signin-error", Static).update(message)
        pin = self.query_one("#pin", Input)
        pin.value = ""
        pin.focus()
