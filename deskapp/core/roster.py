"""Reading a site's owner and tenant roster (业主名册): headers, units, phones, kinds (pure, no I/O).

A roster arrives as the office keeps it: a title row above the headers,
headers merged over two rows, columns named 楼栋/单元/房号 or one combined
房号, phones stored as numbers (13800138000.0) or typed in full-width digits,
empty rows. `find_headers` finds the header row(s) by the names it knows
(HEADER_NAMES, plus the user's --map); `check_row` turns one data row into a
`RosterEntry` or a `Refusal` naming the row and the reason. docs/rules.md
"Roster import".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Sequence

from deskapp.core.text import CONTROL_CHARS

FIELDS = ("building", "entrance", "room", "name", "phone", "kind")
# Header text (normalised: NFKC, no spaces, no * or ：) -> field. "房号" alone is the whole
# unit when there are no 楼栋/单元 columns, the room within them when there are.
HEADER_NAMES = {
    "building": ("楼栋", "栋", "楼号", "栋号", "楼栋号", "幢", "幢号", "楼", "building"),
    "entrance": ("单元", "单元号", "entrance"),
    "room": ("房号", "房间号", "室号", "门牌号", "房屋", "房屋编号", "房号(楼栋-单元-房号)", "房产", "unit", "room"),
    "name": ("姓名", "业主姓名", "住户姓名", "客户姓名", "名字", "业主", "name"),
    "phone": ("电话", "手机", "手机号", "手机号码", "电话号码", "联系电话", "联系方式", "phone", "mobile"),
    "kind": ("身份", "住户身份", "业主/租户", "类型", "住户类型", "人员类型", "居住性质", "kind"),
}
KINDS = {"业主": "owner", "户主": "owner", "产权人": "owner", "owner": "owner",
         "租户": "tenant", "租客": "tenant", "承租人": "tenant", "tenant": "tenant"}
HEADER_ROWS_SEARCHED = 10

_BUILDING = re.compile(r"^([0-9A-Za-z]{1,6})(?:栋|幢|号楼|座|#)?$")
_ENTRANCE = re.compile(r"^([0-9]{1,3})(?:单元)?$")
_ROOM = re.compile(r"^([0-9]{1,5}[A-Za-z]?)(?:室|号)?$")
_COMBINED = re.compile(r"^([0-9A-Za-z]{1,6})(?:栋|幢|号楼|座|#)\s*([0-9]{1,3})单元\s*([0-9]{1,5}[A-Za-z]?)(?:室|号)?$")
_DASHED = re.compile(r"^([0-9A-Za-z]{1,6})\s*[-－/]\s*([0-9]{1,3})\s*[-－/]\s*([0-9]{1,5}[A-Za-z]?)$")
_MOBILE = re.compile(r"^1[0-9]{10}$")
_LANDLINE = re.compile(r"^0?[0-9]{7,11}$")


@dataclass(frozen=True)
class Headers:
    columns: dict[str, int]  # field -> column index
    first_data_row: int  # index into the rows (0-based) of the first row after the headers
    combined_unit: bool  # the room column holds the whole unit


@dataclass(frozen=True)
class RosterEntry:
    row: int  # the row number as the spreadsheet shows it (1-based)
    unit_code: str
    name: str
    phone: str
    kind: str  # owner | tenant | "" (not given)


@dataclass(frozen=True)
class Refusal:
    row: int
    reason: str  # catalogue key
    value: str = ""


class RosterError(Exception):
    """The file as a whole cannot be read as a roster (catalogue key + params)."""

    def __init__(self, key: str, **params: object):
        super().__init__(key)
        self.key = key
        self.params = params


def cell_text(value: Any) -> str:
    """A cell as text: whole floats without .0 (13800138000.0), full-width folded, trimmed."""
    if type(value) is str:  # the common case first: a text cell, mostly ASCII digits or Chinese
        return value.strip() if value.isascii() else unicodedata.normalize("NFKC", value).strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).strip()


def header_key(text: str) -> str:
    return re.sub(r"[\s*:：]", "", unicodedata.normalize("NFKC", text or "")).lower()


def _field_of(text: str, names: dict[str, str]) -> str | None:
    return names.get(header_key(text))


def header_names(mapping: dict[str, str] | None = None) -> dict[str, str]:
    """Normalised header text -> field, the user's --map (header -> field) taking precedence."""
    names = {header_key(n): field for field, ns in HEADER_NAMES.items() for n in ns}
    for header, field in (mapping or {}).items():
        names[header_key(header)] = field
    return names


def parse_map(items: Sequence[str]) -> dict[str, str]:
    """--map 联系方式=电话 (or =phone): the file's header -> a field; RosterError if unreadable."""
    names = header_names()
    out = {}
    for item in items:
        header, sep, target = item.partition("=")
        field = names.get(header_key(target)) if sep else None
        if not header.strip() or field is None:
            raise RosterError("roster.bad_map", value=item)
        out[header.strip()] = field
    return out


def find_headers(rows: Sequence[Sequence[Any]], mapping: dict[str, str] | None = None) -> Headers:
    """Where the headers are and which column holds what; RosterError when no 房号 or 姓名 column.

    The header is the row, or pair of rows (headers merged over two rows: the
    merged cell's text is in its top row), naming the most fields among the first
    rows; a title row above it is skipped.
    """
    names = header_names(mapping)
    best: tuple[int, int, dict[str, int]] | None = None  # (score, end row, columns)
    for r in range(min(HEADER_ROWS_SEARCHED, len(rows))):
        for top in (r, r - 1) if r > 0 else (r,):
            columns: dict[str, int] = {}
            width = max(len(rows[r]), len(rows[top]))
            for c in range(width):
                field = None
                for row in (rows[r], rows[top]):
                    if c < len(row) and field is None:
                        field = _field_of(cell_text(row[c]), names)
                if field is not None and field not in columns:
                    columns[field] = c
            score = len(columns) * 2 - (r - top)  # a single row wins a tie
            if best is None or score > best[0]:
                best = (score, r, columns)
    columns = best[2] if best else {}
    if "room" not in columns:
        raise RosterError("roster.no_room_column", found=_found(rows))
    if "name" not in columns:
        raise RosterError("roster.no_name_column", found=_found(rows))
    combined = not ("building" in columns and "entrance" in columns)
    return Headers(columns, best[1] + 1, combined)


def _found(rows) -> str:
    first = next((r for r in rows[:HEADER_ROWS_SEARCHED] if any(cell_text(v) for v in r)), [])
    return "、".join(cell_text(v) for v in first if cell_text(v))[:120] or "—"


def is_blank(row: Sequence[Any]) -> bool:
    return not any(cell_text(v) for v in row)


def _cell(texts: Sequence[str], headers: Headers, field: str) -> str:
    c = headers.columns.get(field)
    return texts[c] if c is not None and c < len(texts) else ""


def unit_code(headers: Headers, texts: Sequence[str]) -> str | None:
    """The unit in the desk's form (3栋2单元1201), or None when it cannot be read as one."""
    room = _cell(texts, headers, "room")
    if headers.combined_unit:
        m = _COMBINED.match(room) or _DASHED.match(room)
        if not m:
            return None
        building, entrance, number = m.groups()
    else:
        b = _BUILDING.match(_cell(texts, headers, "building"))
        e = _ENTRANCE.match(_cell(texts, headers, "entrance"))
        n = _ROOM.match(room)
        if not (b and e and n):
            return None
        building, entrance, number = b.group(1), e.group(1), n.group(1)
    building = str(int(building)) if building.isdigit() else building.upper()
    return f"{building}栋{int(entrance)}单元{number.upper()}"


def roster_phone(text: str) -> str | None:
    """The phone's digits, or None when it is not one: a mobile is 1 + 10 digits, a landline 7-12
    digits (an area code's 0 included); spaces and dashes are ignored, '+86 ' dropped."""
    raw = re.sub(r"[\s\-()（）]", "", text)
    if raw.startswith("+86"):
        raw = raw[3:]
    elif raw.startswith("0086"):
        raw = raw[4:]
    if not raw.isdigit():
        return None
    if raw.startswith("1"):
        return raw if _MOBILE.match(raw) else None
    return raw if _LANDLINE.match(raw) else None


def check_row(headers: Headers, row: Sequence[Any], number: int) -> RosterEntry | Refusal:
    """One data row (its spreadsheet row number) as an entry, or why it is refused."""
    texts = [cell_text(v) for v in row]
    if any(CONTROL_CHARS.search(t) for t in texts):
        return Refusal(number, "roster.refused.control_chars")
    code = unit_code(headers, texts)
    if code is None:
        shown = "-".join(_cell(texts, headers, f) for f in ("building", "entrance", "room") if f in headers.columns)
        return Refusal(number, "roster.refused.unit", shown)
    name = _cell(texts, headers, "name")
    if not name:
        return Refusal(number, "roster.refused.no_name")
    if len(name) > 40 or "\n" in name:
        return Refusal(number, "roster.refused.name", name[:40])
    phone_text = _cell(texts, headers, "phone")
    phone = ""
    if phone_text:
        phone = roster_phone(phone_text) or ""
        if not phone:
            return Refusal(number, "roster.refused.phone", phone_text[:30])
    kind_text = _cell(texts, headers, "kind")
    kind = ""
    if kind_text:
        kind = KINDS.get(kind_text.lower(), "")
        if not kind:
            return Refusal(number, "roster.refused.kind", kind_text[:20])
    return RosterEntry(number, code, name, phone, kind)
