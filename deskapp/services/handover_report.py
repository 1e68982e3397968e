"""A handover as a document: JSON (data) and Markdown (to print or file), from a signed
handover or a compiled one not yet signed. Typed text stays as typed; Markdown's own
characters in it are escaped so a note cannot turn into a heading or a link."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from deskapp.core.countdown import format_remaining
from deskapp.i18n import label, t
from deskapp.services.handover_sections import NOTES, SECTIONS, Line, says, section_title


@dataclass(frozen=True)
class Document:
    """What every presentation of a handover reads."""

    number: str | None  # None: compiled, not signed
    shift_kind: str
    duty_date: str
    start: datetime
    end: datetime
    at: datetime  # signed (or compiled) at
    handed_by: str | None
    notes: str
    lines: tuple[Line, ...]
    entries: tuple = ()  # deskapp.services.handover_queries.Entry


def from_record(record) -> Document:
    s = record.shift
    return Document(record.number, s.kind, s.duty_date.isoformat(), s.start, s.end, record.handed_at,
                    record.handed_by, record.notes, record.lines, record.entries)


def from_compiled(compiled) -> Document:
    s = compiled.shift
    return Document(None, s.kind, s.duty_date.isoformat(), s.start, s.end, compiled.at, None, "", compiled.lines)


def line_when(line: Line, doc: Document, tz: ZoneInfo) -> str:
    """The time column of a line: when it happened, and for a deadline how it stood at signing."""
    parts = []
    if line.at is not None:
        parts.append(f"{line.at.astimezone(tz):%m-%d %H:%M}")
    if line.due_by is not None:
        left = format_remaining(line.due_by - doc.at)  # overdue reads "超时 …" by itself
        parts.append(t("handover.due", left=left) if line.due_by > doc.at else left)
    return " ".join(parts)


def sections(doc: Document) -> list[tuple[str, list[Line]]]:
    """(code, lines) in reading order; sections without lines are kept (an empty one says 'none')."""
    return [(s.code, [line for line in doc.lines if line.section == s.code]) for s in SECTIONS]


def as_dict(doc: Document, tz: ZoneInfo) -> dict:
    def when(value: datetime | None) -> str | None:
        return value.astimezone(tz).isoformat() if value is not None else None

    return {
        "number": doc.number,
        "signed": doc.number is not None,
        "shift": {"kind": doc.shift_kind, "label": label("shift", doc.shift_kind), "duty_date": doc.duty_date,
                  "start": when(doc.start), "end": when(doc.end)},
        "at": when(doc.at),
        "handed_by": doc.handed_by,
        "sections": [
            {"code": code, "title": section_title(code), "lines": [
                {"id": line.id, "kind": line.kind, "ref": line.ref, "says": says(line), "text": line.text,
                 "at": when(line.at), "due_by": when(line.due_by), "quantity": line.quantity,
                 "amount_yuan": str(line.amount_yuan) if line.amount_yuan is not None else None,
                 "flagged": line.flagged} for line in lines]}
            for code, lines in sections(doc)],
        "notes": doc.notes,
        "entries": [{"kind": e.kind, "at": when(e.at), "staff": e.staff, "item_id": e.item_id, "text": e.text}
                    for e in doc.entries],
    }


def as_json(doc: Document, tz: ZoneInfo) -> str:
    return json.dumps(as_dict(doc, tz), ensure_ascii=False, indent=2)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")


def as_markdown(doc: Document, tz: ZoneInfo) -> str:
    title = t("handover.title", kind=label("shift", doc.shift_kind), date=doc.duty_date)
    out = [f"# {md_escape(title)}", ""]
    out.append(md_escape(heading_line(doc, tz)))
    out.append("")
    for code, lines in sections(doc):
        out += [f"## {md_escape(section_title(code))}", ""]
        if not lines:
            out += [t("handover.none"), ""]
            continue
        for line in lines:
            mark = "**!** " if line.flagged else ""
            when = line_when(line, doc, tz)
            typed = f" — {md_escape(line.text)}" if line.text and line.section not in ("custody",) else ""
            out.append(f"- {mark}{md_escape(says(line))}{' · ' + md_escape(when) if when else ''}{typed}")
        out.append("")
    out += [f"## {md_escape(section_title(NOTES))}", "", md_escape(doc.notes) if doc.notes else t("handover.none"), ""]
    if doc.entries:
        out += [f"## {md_escape(t('handover.appended'))}", ""]
        for e in doc.entries:
            out.append(f"- {e.at.astimezone(tz):%m-%d %H:%M} {md_escape(e.staff)} "
                       f"{md_escape(t('handover.entry.' + e.kind))}{(': ' + md_escape(e.text)) if e.text else ''}")
        out.append("")
    return "\n".join(out)


def heading_line(doc: Document, tz: ZoneInfo) -> str:
    span = f"{doc.start.astimezone(tz):%m-%d %H:%M}–{doc.end.astimezone(tz):%m-%d %H:%M}"
    if doc.number is None:
        return t("handover.unsigned_head", span=span, at=f"{doc.at.astimezone(tz):%Y-%m-%d %H:%M}")
    return t("handover.signed_head", number=doc.number, span=span, by=doc.handed_by or "",
             at=f"{doc.at.astimezone(tz):%Y-%m-%d %H:%M}")
