"""Items in custody (寄存 / 钥匙托管), docs/rules.md §2.7: parcels and mail, keys held in
trust, radios, the cash float. Newest first, searchable by unit, phone, owner and label;
F7 shows only what is at the desk now. Ctrl+N receives an item, F8 hands it over (collected,
ID checked), F9 lends a key or radio, or takes it back when it is out.

Declarations on the kit: columns, a row source, forms; RegisterScreen does the rest.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding

from deskapp.core.handover_codes import CUSTODY_KINDS, LENDABLE
from deskapp.core.text import normalize_phone, normalize_unit
from deskapp.i18n import label, t
from deskapp.services.reference_queries import unit_choices
from deskapp.widgets.fields import ChoiceField, MoneyField, TextField, WholeField, YesNoField
from deskapp.widgets.form import FormScreen
from deskapp.widgets.picker import PickerField
from deskapp.widgets.register_list import Column
from deskapp.widgets.register_screen import RegisterScreen
from deskapp.widgets.safe_text import literal
from deskapp.widgets.work_screen import new_record_binding


class CustodySource:
    def __init__(self, desk, custody_filter):
        self.desk, self.filter = desk, custody_filter

    def count(self) -> int:
        from deskapp.services.custody_queries import count_items

        return count_items(self.desk, self.filter)

    def page(self, start: int, total: int, after_key):
        from deskapp.services.custody_queries import fetch_items

        return fetch_items(self.desk, self.filter, after=after_key, offset=0 if after_key is not None else start)


def state_of(row) -> str:
    if row.lent_to is not None:
        return label("custody_status", "lent")
    return label("custody_status", row.status)


COLUMNS = [
    Column("col.at", 11, lambda r, s: s.local(r.received_at)),
    Column("col.kind", 6, lambda r, s: label("custody_kind", r.kind)),
    Column("col.state", 4, lambda r, s: state_of(r)),
    Column("col.unit", 13, lambda r, s: r.unit_code),
    Column("col.item_owner", 6, lambda r, s: r.owner_name),
    Column("col.phone", 14, lambda r, s: r.phone, min_total=100),
    Column("col.label", 0, lambda r, s: (f"¥{r.amount_yuan:,.2f} " if r.amount_yuan is not None else "")
           + (f"×{r.quantity} " if r.quantity > 1 else "") + r.label),
]


class CustodyScreen(RegisterScreen):
    NEW_RECORD = "key.receive"
    BINDINGS = [
        new_record_binding(NEW_RECORD),
        Binding("f7", "held_only", t("key.held_only"), tooltip=t("tip.held_only"), id="custody_held", show=False),
        Binding("f8", "release", t("key.release"), tooltip=t("tip.release"), id="custody_release"),
        Binding("f9", "lend_or_return", t("key.lend"), tooltip=t("tip.lend"), id="custody_lend"),
    ]
    COLUMNS = COLUMNS
    SEARCH_HINT = "custody.search_hint"
    EMPTY = "custody.empty"

    def __init__(self):
        super().__init__(name="custody")
        self.held_only = False

    def source(self, search: str):
        from deskapp.services.custody_queries import CustodyFilter

        return CustodySource(self.app.desk, CustodyFilter(search=search, held_only=self.held_only))

    def status_line(self, total: int | None) -> str:
        line = super().status_line(total)
        return f"{t('custody.held_only')}  {line}" if self.held_only else line

    def detail(self, row) -> Text:
        tz = self.app.desk.tz
        head = Text.assemble((label("custody_kind", row.kind), "bold"), " ", literal(row.label), "  ",
                             literal(row.owner_name), " ", literal(row.phone), " ", literal(row.unit_code))
        lines = [head, Text("\n" + t("custody.received", at=f"{row.received_at.astimezone(tz):%Y-%m-%d %H:%M}",
                                     staff=row.received_by))]
        if row.status == "released":
            lines.append(Text("  " + t("custody.released", at=f"{row.released_at.astimezone(tz):%Y-%m-%d %H:%M}",
                                       to=row.released_to)))
        if row.lent_to is not None:
            lines.append(Text("\n" + t("custody.lent", at=f"{row.lent_at.astimezone(tz):%m-%d %H:%M}",
                                       to=row.lent_to), style="bold yellow"))
        if row.note:
            lines += [Text("\n"), literal(row.note)]
        return Text.assemble(*lines)

    # ---- actions ---------------------------------------------------------------

    def new_record(self) -> None:
        self.app.push_screen(ReceiveForm(), lambda done: self.saved(done, t("custody.saved")))

    def action_held_only(self) -> None:
        self.held_only = not self.held_only
        self.rebind()
        self.register.focus()

    def action_release(self) -> None:
        row = self.register.current
        if row is None:
            return
        if row.status != "held":
            self.notify(t("err.custody_already_released", what=label("custody_kind", row.kind) + " " + row.label,
                          to=row.released_to, at=f"{row.released_at.astimezone(self.app.desk.tz):%Y-%m-%d %H:%M}"),
                        severity="warning")
            return
        self.app.push_screen(HandOverItemForm(row, lend=False), lambda done: self.saved(done, t("custody.handed")))

    def action_lend_or_return(self) -> None:
        row = self.register.current
        if row is None:
            return
        if row.kind not in LENDABLE:
            self.notify(t("err.custody_not_lendable", what=label("custody_kind", row.kind)), severity="warning")
            return
        if row.lent_to is None:
            self.app.push_screen(HandOverItemForm(row, lend=True), lambda done: self.saved(done, t("custody.lent_ok")))
            return
        from deskapp.services.custody import return_item

        desk, actor, now, item_id = self.app.desk, self.app.actor, self.app.clock.now(), row.id
        self.run_service(lambda: return_item(desk, actor, item_id, now=now),
                         done=lambda _: self.saved(True, t("custody.returned")))


class ReceiveForm(FormScreen):
    DRAFT_KIND = "custody"  # what is typed survives a closed terminal (deskapp.widgets.form, drafts)

    def form_title(self) -> str:
        return t("custody.form_title")

    def fields(self):
        return [
            ChoiceField("kind", t("field.custody_kind"), [(k, label("custody_kind", k)) for k in CUSTODY_KINDS],
                        value="parcel"),
            TextField("label", t("field.custody_label"), max_chars=100, counter=False),
            TextField("owner_name", t("field.owner_name"), max_chars=40, counter=False),
            TextField("phone", t("field.phone"), max_chars=30, counter=False, check=normalize_phone),
            PickerField("unit", t("field.unit"), source=unit_choices, free_text=True, placeholder="3-2-1201",
                        check=normalize_unit),
            WholeField("quantity", t("field.quantity"), minimum=1, maximum=999, value="1"),
            MoneyField("amount_yuan", t("field.amount")),
            TextField("note", t("field.note")),
        ]

    def save(self, values: dict[str, Any]):
        from deskapp.services.custody import ItemDraft, receive_item

        draft = ItemDraft(kind=values["kind"], label=values["label"] or "", owner_name=values["owner_name"] or "",
                          phone=values["phone"] or "", unit=values["unit"] or "", quantity=values["quantity"],
                          amount_yuan=values["amount_yuan"], note=values["note"] or "")
        return receive_item(self.app.desk, self.app.actor, draft, now=self.app.clock.now())


class HandOverItemForm(FormScreen):
    """Hand an item to a named person: collected for good, or lent (a key, a radio)."""

    def __init__(self, row, *, lend: bool):
        super().__init__()
        self.row, self.lend = row, lend

    def form_title(self) -> str:
        what = f"{label('custody_kind', self.row.kind)} {self.row.label}".strip()
        return t("custody.lend_title" if self.lend else "custody.release_title", what=what)

    def fields(self):
        return [
            TextField("to", t("field.lent_to" if self.lend else "field.collected_by"), max_chars=40, counter=False,
                      required=True, value="" if self.lend else self.row.owner_name),
            YesNoField("id_checked", t("field.id_checked"), value=None, required=True),
        ]

    def save(self, values: dict[str, Any]):
        from deskapp.services.custody import lend_item, release_item

        act = lend_item if self.lend else release_item
        act(self.app.desk, self.app.actor, self.row.id, to=values["to"] or "", id_checked=bool(values["id_checked"]),
            now=self.app.clock.now())
        return True
