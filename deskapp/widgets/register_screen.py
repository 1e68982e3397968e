"""A register screen in one declaration: search line, headings, the virtual list, the
detail of the highlighted row, Ctrl+N for a new record (the small registers: duty log,
items in custody, visitors; the call log has the same parts plus its filters).

    class VisitorsScreen(RegisterScreen):
        NEW_RECORD = "key.new_visitor"
        COLUMNS = [...]                       # register_list.Column / countdown_column
        SEARCH_HINT = "visitors.search_hint"  # catalogue key of what the search finds
        EMPTY = "visitors.empty"
        def source(self, search): return VisitorSource(self.app.desk, search)
        def detail(self, row): return Text(...)   # typed text through safe_text.literal
        def new_record(self): self.app.push_screen(VisitorForm(), self.saved)

`saved(result)` re-reads the list after a form closed with a result; `status_line()`
is one line above the headings a subclass may fill (a count, a filter).
"""

from __future__ import annotations

from typing import Any, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from deskapp.i18n import t
from deskapp.widgets.register_list import Column, RegisterList, RowSource, heading_line
from deskapp.widgets.work_screen import WorkScreen


class RegisterScreen(WorkScreen):
    DEFAULT_CSS = """
    RegisterScreen #register-search { height: 1; border: none; padding: 0 1; background: $boost; }
    RegisterScreen #register-search:focus { border: none; background: $primary 30%; }
    RegisterScreen #register-status { height: 1; padding: 0 1; color: $accent; }
    RegisterScreen #register-heading { height: 1; text-style: bold; background: $panel; }
    RegisterScreen #register-detail { height: 4; border-top: solid $primary; padding: 0 1; }
    """
    BINDINGS = [
        Binding("ctrl+f", "search", t("key.search"), id="search"),
        Binding("escape", "clear_search", t("key.clear"), id="clear", show=False),
    ]
    COLUMNS: Sequence[Column] = ()
    SEARCH_HINT = ""  # catalogue key: what the search finds (unit, phone, name...)
    EMPTY = ""  # catalogue key: shown when nothing matches

    def __init__(self, *, name: str | None = None):
        super().__init__(name=name)
        self.search = ""

    # ---- what a register declares ------------------------------------------

    def source(self, search: str) -> RowSource:
        raise NotImplementedError

    def detail(self, row: Any) -> Text:
        return Text()

    def status_line(self, total: int | None) -> str:
        bits = [f"“{self.search}”"] if self.search else []
        if total is not None:
            bits.append(t("calls.count", count=f"{total:,}"))
        return "  ".join(bits)

    # ---- layout ----------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        hint = t(self.SEARCH_HINT) if self.SEARCH_HINT else ""
        yield Input(placeholder=f"{t('field.search')}: {hint}  (Ctrl+F)", id="register-search")
        yield Static("", id="register-status", markup=False)
        yield Static("", id="register-heading", markup=False)
        yield RegisterList(self.COLUMNS, id="register-list")
        yield Static("", id="register-detail", markup=False)

    @property
    def register(self) -> RegisterList:
        return self.query_one("#register-list", RegisterList)

    def on_mount(self) -> None:
        super().on_mount()
        self.rebind()
        self.register.focus()

    def rebind(self) -> None:
        """Read the register again from the top (a new search, a new record)."""
        self.query_one("#register-status", Static).update(self.status_line(None))
        self.register.bind_source(self.source(self.search))

    def on_resize(self) -> None:
        self._heading()

    def _heading(self) -> None:
        width = self.register.size.width or self.size.width
        self.query_one("#register-heading", Static).update(heading_line(self.COLUMNS, width))

    @on(RegisterList.Counted)
    def _counted(self, event: RegisterList.Counted) -> None:
        self.query_one("#register-status", Static).update(self.status_line(event.total))
        self._heading()
        if event.total == 0:
            self.query_one("#register-detail", Static).update(t(self.EMPTY) if self.EMPTY else "")

    @on(RegisterList.Highlighted)
    def _highlighted(self, event: RegisterList.Highlighted) -> None:
        self.query_one("#register-detail", Static).update(self.detail(event.row))

    # ---- search --------------------------------------------------------------

    @on(Input.Submitted, "#register-search")
    def _searched(self, event: Input.Submitted) -> None:
        self.search = event.value.strip()
        self.rebind()
        self.register.focus()

    def action_search(self) -> None:
        self.query_one("#register-search", Input).focus()

    def action_clear_search(self) -> None:
        box = self.query_one("#register-search", Input)
        if box.value or self.search:
            box.value = ""
            self.search = ""
            self.rebind()
        self.register.focus()

    # ---- after a form ----------------------------------------------------------

    def saved(self, result: Any, message: str = "") -> None:
        """A form closed: with a result, say so and show the register from the top."""
        if result is None:
            return
        if message:
            self.notify(message)
        self.register.reload(keep_cursor=False)
