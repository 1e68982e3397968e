"""The form-screen base: a register declares its fields and a save function, and gets the rest.

    class CallFormScreen(FormScreen[LoggedCall]):
        def form_title(self): return t("calls.form_title")
        def fields(self): return [TextField("phone", t("field.phone"), max_chars=30), ...]
        def save(self, values): return log_call(self.app.desk, self.app.actor, CallDraft(**values))

What every form does the same way:
- Enter moves to the next field and saves on the last; Ctrl+S saves from
  anywhere. Both are priority bindings, run as the key is read, so keys
  typed after them (fast typing, a paste, a scanner) reach the next field;
  the fields are read only once each has handled the keys already sent to it
  (deskapp.widgets.form_input).
- On save each field reads its value in order; the first that cannot gets
  the focus, its label turns red and the error line names it. Nothing is
  written until every field reads.
- `save(values)` runs in a worker through call_service: a refusal
  (DeskError) or a database fault shows in the error line, every typed
  value stays, and the form can be saved again. A refusal naming a field
  (its `field` parameter is the field's label) focuses that field.
- Esc on an untouched form closes it; with anything typed it asks first
  (DiscardScreen: Enter/y throws away, Esc/n returns with everything kept).
- The screen is dismissed with what `save` returned, or None when cancelled.
- Drafts (a form that sets DRAFT_KIND): what is typed is kept on disk for
  the signed-in person as they type (services.drafts; written DRAFT_DELAY
  after the last change, in a worker, newest write wins), so a closed
  terminal or a killed process loses nothing. The form opens filled with the
  person's draft of its kind; the draft goes when the record is saved or the
  person throws the typing away (Esc, then yes), never otherwise. The
  sign-in offers drafts back (deskapp.widgets.drafts).

Field ids are the fields' names; `hint`, `warning` and `error` are the
form's own lines (show_hint, show_warning, show_error).
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar, Sequence, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Label, Static

from deskapp.errors import DeskError
from deskapp.i18n import t
from deskapp.widgets.fields import FormField, TextField
from deskapp.widgets.form_input import after_pending_keys
from deskapp.widgets.picker import PickerField
from deskapp.widgets.safe_text import literal
from deskapp.widgets.service_call import call_service

ResultT = TypeVar("ResultT")

# How long a save waits for a picker's choices still on their way (polled every 50 ms).
_SETTLE_TRIES = 100


class _Refused:
    """A DeskError raised by `save`, carried back to the event loop to find its field."""

    def __init__(self, error: DeskError):
        self.error = error


class FormScreen(ModalScreen[ResultT]):
    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > #form-box {
        width: 78; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $panel; padding: 0 1;
    }
    FormScreen #form-title { width: 1fr; text-style: bold; }
    FormScreen #form-fields { height: auto; max-height: 80vh; }
    FormScreen #hint { height: auto; color: $success; }
    FormScreen #warning { height: auto; color: $warning; }
    FormScreen #error { height: auto; color: $error; text-style: bold; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", t("key.save"), id="save", priority=True),
        Binding("escape", "cancel", t("key.cancel"), id="cancel"),
        Binding("enter", "enter", show=False, priority=True),
    ]

    # The kind of record whose typing is kept as a draft (services.drafts); None keeps none.
    DRAFT_KIND: ClassVar[str | None] = None
    DRAFT_DELAY = 0.4  # seconds after the last change: a burst of keys is one write

    def __init__(self, *, name: str | None = None, id: str | None = None):
        super().__init__(name=name, id=id)
        self._fields: list[FormField] = []
        self._saving = False
        self._draft: Any = None  # the newest snapshot not yet handed to a writer
        self._draft_timer = None
        self._draft_kept = self.DRAFT_KIND is not None  # False once saved or thrown away

    # ---- what a form declares -------------------------------------------------

    def form_title(self) -> str:
        raise NotImplementedError

    def fields(self) -> Sequence[FormField]:
        """The fields in the order Enter walks them (built when the form is shown, in the current language)."""
        raise NotImplementedError

    def save(self, values: dict[str, Any]) -> ResultT:
        """Call the service with the values read (runs in a worker thread); its result closes the form."""
        raise NotImplementedError

    # ---- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        self._fields = list(self.fields())
        with Vertical(id="form-box"):
            yield Label(Text.assemble((self.form_title(), "bold"), "  ", (t("form.keys"), "dim")), id="form-title")
            with VerticalScroll(id="form-fields", can_focus=False):
                yield from self._fields
            for line in ("hint", "warning", "error"):
                yield Static(Text(), id=line).set_styles("display: none;")

    def on_mount(self) -> None:
        # Focus at once, so keys typed right after the key that opened the form land here.
        # (Should the first field not be built yet, the screen's AUTO_FOCUS finds it when shown.)
        if self._fields:
            first = self.query(f"#{self._fields[0].name}")
            if first:
                self.set_focus(first.first())
        if self.DRAFT_KIND is not None:
            self.call_after_refresh(self._restore_draft)

    def field(self, name: str) -> FormField:
        return self.query_one(f"#{name}-field", FormField)

    @property
    def touched(self) -> bool:
        return any(f.touched for f in self._fields)

    def show_hint(self, message: str | Text) -> None:
        self._show_line("#hint", message)

    def show_warning(self, message: str | Text) -> None:
        self._show_line("#warning", message)

    def show_error(self, message: str | Text) -> None:
        self._show_line("#error", message)

    def _show_line(self, selector: str, message: str | Text) -> None:
        text = _as_text(message)
        line = self.query_one(selector, Static)
        line.update(text)
        line.display = bool(text.plain)  # an empty line takes no row on a 24-row terminal

    # ---- keys -----------------------------------------------------------------

    def _field_of(self, widget: Widget | None) -> FormField | None:
        while widget is not None and widget is not self:
            if isinstance(widget, FormField):
                return widget
            widget = widget.parent
        return None

    def action_enter(self) -> None:
        field = self._field_of(self.focused)
        if field is None:
            self.focus_next()
            return
        if isinstance(field, PickerField):
            after_pending_keys([field.control], field.commit)
        index = self._fields.index(field)
        if index == len(self._fields) - 1:
            self.action_save()
        else:
            # set_focus now, not focus() (which waits a turn): the next key typed goes to the next field.
            self.set_focus(self._fields[index + 1].control)

    def action_cancel(self) -> None:
        if self._saving:
            return  # the write is on its way; its answer closes the form or shows why not
        if not self.touched:
            self.dismiss(None)
            return

        def decided(discard: bool | None) -> None:
            if discard:
                self._drop_draft()
                self.dismiss(None)

        self.app.push_screen(DiscardScreen(), decided)

    # ---- save -----------------------------------------------------------------

    def action_save(self) -> None:
        if self._saving:
            return
        self._saving = True
        after_pending_keys([f.control for f in self._fields], self._when_settled)

    def _when_settled(self, tries: int = 0) -> None:
        if tries < _SETTLE_TRIES and any(f.busy for f in self._fields):
            self.set_timer(0.05, lambda: self._when_settled(tries + 1))
            return
        self._read_and_save()

    def _read_and_save(self) -> None:
        self.show_error("")
        values: dict[str, Any] = {}
        for field in self._fields:
            try:
                values[field.name] = field.read()
            except DeskError as exc:
                self._refused(str(exc), field)
                return
        self.show_hint(t("form.saving"))

        def work() -> Any:
            try:
                return self.save(values)
            except DeskError as exc:
                return _Refused(exc)

        call_service(self, work, done=self._saved, failed=self._refused, group="form-save")

    def _saved(self, result: Any) -> None:
        if isinstance(result, _Refused):
            self._refused(str(result.error), self._field_named_by(result.error))
            return
        self._saving = False
        self._drop_draft()
        self.dismiss(result)

    def _field_named_by(self, error: DeskError) -> FormField | None:
        named = error.params.get("field")
        return next((f for f in self._fields if named and f.label == named), None)

    def _refused(self, message: str, field: FormField | None = None) -> None:
        """Say why, keep every value, allow another save."""
        self._saving = False
        self.show_hint("")
        for other in self._fields:
            other.remove_class("-invalid")
        if field is None:
            self.show_error(message)
            return
        field.add_class("-invalid")
        shown = message if field.label in message else t("form.field_error", field=field.label, message=message)
        self.show_error(shown)
        self.set_focus(field.control)


    # ---- drafts -----------------------------------------------------------------

    def _draft_place(self):
        """(folder, staff id) for this person's drafts, or None where there is no one or nowhere to keep them."""
        actor = getattr(self.app, "actor", None)
        settings = getattr(self.app, "settings", None)
        if self.DRAFT_KIND is None or actor is None or settings is None:
            return None
        from deskapp.services.drafts import draft_folder

        return draft_folder(settings), actor.id

    def _restore_draft(self) -> None:
        draft = (getattr(self.app, "drafts", None) or {}).get(self.DRAFT_KIND)
        place = self._draft_place()
        if draft is None or place is None or draft.staff_id != place[1]:
            return
        for field in self._fields:
            if field.name in draft.values and draft.values[field.name] is not None:
                try:
                    field.set_raw(draft.values[field.name])
                except Exception:  # a value this version's field cannot hold: left empty
                    continue
                field.refresh_aside()
        desk = getattr(self.app, "desk", None)
        when = desk.local(draft.saved_at) if desk is not None else draft.saved_at
        self.show_hint(t("draft.restored", at=when.strftime("%m-%d %H:%M")))

    def on_form_field_edited(self, event: FormField.Edited) -> None:
        if not self._draft_kept or self._saving:
            return
        place = self._draft_place()
        if place is None:
            return
        from deskapp.services.drafts import Draft
        from deskapp.widgets.fields import app_now

        folder, staff_id = place
        values = {f.name: f.raw for f in self._fields}
        # Free text (not codes picked from a list) tells the person which draft it is.
        preview = " · ".join(" ".join(str(f.raw).split()) for f in self._fields
                             if isinstance(f, (TextField, PickerField)) and str(f.raw).strip())
        self._draft = (folder, Draft(staff_id, self.DRAFT_KIND, values, app_now(self),
                                     getattr(self.app, "current_mode", "") or "", preview[:200])
                       if self.touched else None)
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(self.DRAFT_DELAY, self._write_draft)

    def _write_draft(self) -> None:
        """Hand the newest snapshot to a writer thread; a form back to untouched keeps no draft."""
        self._draft_timer = None
        place = self._draft_place()
        if not self._draft_kept or place is None:
            return
        pending, self._draft = self._draft, None
        draft = pending[1] if pending is not None else None
        drafts = getattr(self.app, "drafts", None)
        if drafts is not None:
            if draft is None:
                drafts.pop(self.DRAFT_KIND, None)
            else:
                drafts[self.DRAFT_KIND] = draft
        _DRAFT_WRITER.submit(self, place[0], draft, place[1], self.DRAFT_KIND)

    def _drop_draft(self) -> None:
        """Saved, or thrown away on the person's word: the draft goes."""
        if not self._draft_kept:
            return
        self._draft_kept = False
        self._draft = None
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        place = self._draft_place()
        if place is None:
            return
        drafts = getattr(self.app, "drafts", None)
        if drafts is not None:
            drafts.pop(self.DRAFT_KIND, None)
        _DRAFT_WRITER.submit(self, place[0], None, place[1], self.DRAFT_KIND)

    def on_unmount(self) -> None:
        # The app closing (Ctrl+Q) with a change still waiting on its timer: write it now.
        # A few hundred bytes to a local file, once, as the app goes.
        if self._draft_timer is not None and self._draft is not None and self._draft_kept:
            from deskapp.services.drafts import save_draft

            self._draft_timer.stop()
            folder, draft = self._draft
            try:
                _DRAFT_WRITER.write_now(folder, draft, draft.staff_id, draft.kind, save_draft)
            except OSError:
                pass


class _DraftWriter:
    """Draft files are written in worker threads; the newest request always wins.

    Every request takes a number; a thread writes (or removes) the file only if
    no newer request for the same file has been written already, under one lock,
    so two writers can never leave an older draft on disk after a newer one
    (or after the record was saved).
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._issued = 0
        self._done: dict[tuple, int] = {}

    def submit(self, screen: FormScreen, folder, draft, staff_id: int, kind: str) -> None:
        from deskapp.services.drafts import discard_draft, save_draft

        with self._lock:
            self._issued += 1
            number = self._issued

        def work() -> None:
            with self._lock:
                key = (str(folder), staff_id, kind)
                if self._done.get(key, 0) > number:
                    return
                self._done[key] = number
                if draft is None:
                    discard_draft(folder, staff_id, kind)
                else:
                    save_draft(folder, draft)

        def failed(message: str) -> None:
            screen.app.notify(t("draft.not_kept", reason=message), severity="warning", timeout=8)

        # On the app, not the form: a form dismissed meanwhile must not cancel the write.
        call_service(screen.app, work, failed=failed, group=f"draft-{number}", exclusive=False)

    def write_now(self, folder, draft, staff_id: int, kind: str, save) -> None:
        with self._lock:
            self._issued += 1
            self._done[(str(folder), staff_id, kind)] = self._issued
            save(folder, draft)


_DRAFT_WRITER = _DraftWriter()


class DiscardScreen(ModalScreen[bool]):
    """Throw away what was typed? Enter / y: yes. Esc / n: back to the form, everything kept."""

    DEFAULT_CSS = """
    DiscardScreen { align: center middle; }
    DiscardScreen > Vertical { width: auto; height: auto; border: round $warning; background: $panel; padding: 0 2; }
    """
    BINDINGS = [
        Binding("enter,y", "decide(True)", show=False, priority=True),
        Binding("escape,n", "decide(False)", show=False, priority=True),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(t("form.discard_title"), style="bold"))
            yield Label(Text(t("form.discard_keys"), style="dim"))

    def action_decide(self, discard: bool) -> None:
        self.dismiss(discard)


def _as_text(message: str | Text) -> Text:
    # Messages quote what was typed: never read as markup.
    return message if isinstance(message, Text) else literal(message, one_line=False)
