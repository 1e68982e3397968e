"""Checks and normal forms for what a receptionist types (pure, no I/O).

Typed text is data: it is stored as typed (trimmed), shown literally, and only
refused when it cannot be shown safely (control characters and terminal escape
sequences) or is longer than the policy allows.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from deskapp.errors import InputError
from deskapp.i18n import t

# Refused in typed text, shown as a visible mark if ever met on the screen:
# - C0 controls except tab and newline, DEL, and C1 controls (ESC [ ... arrives as \x1b);
# - lone surrogates (U+D800-DFFF): no encoder accepts them, SQLite's INSERT would fail;
# - bidi embedding/override/isolate controls (U+202A-202E, U+2066-2069): they reorder
#   what is shown around them, so a record could read differently from what is stored.
# Zero-width joiners (U+200D) are not here: emoji sequences (👨‍👩‍👧) need them.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
_PHONE_OK = re.compile(r"^\+?[0-9][0-9 \-]*$")
_UNIT_DASHED = re.compile(r"^(\d{1,3})\s*[-－/]\s*(\d{1,2})\s*[-－/]\s*(\d{1,5})$")
_UNIT_FULL = re.compile(r"^(\d+)\s*(?:栋|幢|号楼)\s*(\d+)\s*单元\s*(\d+)\s*(?:室|号)?$")


def clean_text(value: str | None, field: str, *, limit: int, required: bool = False, multiline: bool = True) -> str:
    """Trimmed text, or InputError naming the field (in the user's language)."""
    text = (value or "").strip()
    name = t(f"field.{field}")
    if required and not text:
        raise InputError("err.required", field=name)
    if CONTROL_CHARS.search(text) or (not multiline and ("\n" in text or "\t" in text)):
        raise InputError("err.control_chars", field=name)
    if len(text) > limit:
        raise InputError("err.too_long", field=name, length=len(text), limit=limit)
    return text


def normalize_phone(value: str | None) -> str:
    """Digits only (a leading + kept); empty stays empty. Letters are refused."""
    raw = unicodedata.normalize("NFKC", (value or "")).strip()
    if not raw:
        return ""
    if CONTROL_CHARS.search(raw):
        raise InputError("err.control_chars", field=t("field.phone"))
    if not _PHONE_OK.match(raw):
        raise InputError("err.phone_letters", value=raw[:30])
    digits = re.sub(r"[ \-]", "", raw)
    if not 3 <= len(digits.lstrip("+")) <= 20:
        raise InputError("err.phone_length", value=raw[:30])
    return digits


def normalize_unit(value: str | None) -> str:
    """Unit code in the desk's form: '3-2-1201' and '3栋2单元1201室' -> '3栋2单元1201'."""
    raw = unicodedata.normalize("NFKC", (value or "")).strip()
    if not raw:
        return ""
    raw = clean_text(raw, "unit", limit=40, multiline=False)
    m = _UNIT_DASHED.match(raw) or _UNIT_FULL.match(raw)
    if m:
        return f"{int(m.group(1))}栋{int(m.group(2))}单元{m.group(3)}"
    return raw


def unit_code_if_unit(value: str) -> str | None:
    """The unit's normal form only when the text really is a unit (for search)."""
    raw = unicodedata.normalize("NFKC", value or "").strip()
    m = _UNIT_DASHED.match(raw) or _UNIT_FULL.match(raw)
    return f"{int(m.group(1))}栋{int(m.group(2))}单元{m.group(3)}" if m else None


def phone_digits_if_phone(value: str) -> str | None:
    """The digits of a query typed like a phone number ('138 0013 8000', '138-0013-8000')."""
    raw = unicodedata.normalize("NFKC", value or "").strip()
    if not _PHONE_OK.match(raw) or not any(sep in raw for sep in " -"):
        return None
    return re.sub(r"[ \-]", "", raw)


def split_unit(code: str) -> tuple[str, str, str]:
    m = re.match(r"^(\d+)栋(\d+)单元(\w+)$", code)
    return (m.group(1), m.group(2), m.group(3)) if m else ("", "", "")


def parse_date(value: str | None, *, required: bool = False) -> date | None:
    raw = unicodedata.normalize("NFKC", (value or "")).strip()
    if not raw:
        if required:
            raise InputError("err.required", field=t("field.date"))
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InputError("err.bad_date", value=raw[:30]) from None


def parse_local_datetime(value: str | None) -> datetime | None:
    """'2026-11-24 09:30' as a naive local time (the caller attaches the site zone)."""
    raw = unicodedata.normalize("NFKC", (value or "")).strip()
    if not raw:
        return None
    try:
        return datetime.strptime(raw, "%Y-%m-%d %H:%M")
    except ValueError:
        raise InputError("err.bad_datetime", value=raw[:30]) from None


def find_phrases(text: str, phrases: list[str]) -> list[str]:
    """Forbidden phrases (服务忌语) found in a reply. 喂 counts only as an opening word."""
    found = []
    for phrase in phrases:
        if phrase == "喂":
            if text.lstrip().startswith("喂"):
                found.append(phrase)
        elif phrase in text:
            found.append(phrase)
    return found
