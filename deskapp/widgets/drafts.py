"""Offering a person's unsaved drafts back when they sign in (恢复草稿).

After a closed terminal or a killed process, the next sign-in by the same
person reads their drafts (services.drafts, in a worker) and offers each:
Enter opens the form it came from, filled in as it was; Esc leaves it for
later (the form opens filled in whenever it is next opened, and the offer
comes again at the next sign-in); D throws it away, after asking. Nothing
else removes a draft but saving the record.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

from deskapp.i18n import label, t
from deskapp.widgets.safe_text import literal
from deskapp.widgets.service_call import call_service

# How much of what was typed the offer shows, so the person knows which draft it is.
_PREVIEW_CHARS = 60


def offer_drafts(app) -> None:
    """Read the signed-in person's drafts in a worker, keep them on the app, offer each back."""
    from deskapp.services.drafts import draft_folder, drafts_of

    actor, settings = app.actor, app.settings
    folder = draft_folder(settings)
    app.drafts = {}

    def found(drafts) -> None:
        if app.actor is None or app.actor.id != actor.id:
            return  # someone else signed in meanwhile
        app.drafts = {d.kind: d for d in drafts}
        for draft in reversed(drafts):  # the oldest ends on top
            app.push_screen(DraftOfferScreen(draft), lambda choice, d=draft: _chosen(app, d, choice))

    call_service(app, lambda: drafts_of(folder, actor.id), done=found, group="drafts")


def _chosen(app, draft, choice: str | None) -> None:
    if choice == "restore":
        _open(app, draft)
    elif choice == "discard":
        from deskapp.services.drafts import discard_draft, draft_folder

        folder = draft_folder(app.settings)
        app.drafts.pop(draft.kind, None)
        call_service(app, lambda: discard_draft(folder, draft.staff_id, draft.kind), group="drafts-discard",
                     exclusive=False)
        app.notify(t("draft.discarded"), timeout=4)


def _open(app, draft) -> None:
    """Open the form the draft came from, on its work screen; the form fills itself from app.drafts."""
    if draft.mode and draft.mode in app.MODES and draft.mode != app.current_mode:
        app.switch_mode(draft.mode)

    def new_record() -> None:
        opener = getattr(app.screen, "new_record", None)
        if opener is not None:
            opener()

    app.call_after_refresh(new_record)


class DraftOfferScreen(ModalScreen[str]):
    """One unsaved draft: Enter restores it, Esc keeps it for later, D throws it away (after asking)."""

    DEFAULT_CSS = """
    DraftOfferScreen { align: center middle; }
    DraftOfferScreen > Vertical { width: 70; max-width: 100%; height: auto; border: round $warning;
                                  background: $panel; padding: 0 2; }
    """
    BINDINGS = [
        Binding("enter", "choose('restore')", show=False, priority=True),
        Binding("escape", "choose('later')", show=False, priority=True),
        Binding("d,delete", "discard", show=False, priority=True),
    ]

    def __init__(self, draft):
        super().__init__()
        self.draft = draft

    def compose(self) -> ComposeResult:
        desk = getattr(self.app, "desk", None)
        when = desk.local(self.draft.saved_at) if desk is not None else self.draft.saved_at
        kind = label("draft.kind", self.draft.kind)
        with Vertical():
            yield Label(Text(t("draft.offer_title", kind=kind, at=when.strftime("%m-%d %H:%M")), style="bold"))
            yield Label(_preview(self.draft.preview), id="draft-preview")
            yield Label(Text(t("draft.offer_keys"), style="dim"))

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)

    def action_discard(self) -> None:
        from deskapp.widgets.form import DiscardScreen

        def decided(discard: bool | None) -> None:
            if discard:
                self.dismiss("discard")

        self.app.push_screen(DiscardScreen(), decided)


def _preview(typed: str) -> Text:
    """What was typed, as data (never markup), on one line, cut to fit."""
    joined = " ".join(typed.split())
    if len(joined) > _PREVIEW_CHARS:
        joined = joined[:_PREVIEW_CHARS - 1] + "…"
    return literal(joined)
