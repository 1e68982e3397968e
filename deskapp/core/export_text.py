"""What a cell of an export may hold (pure, no I/O): no formulas, no whole phone numbers.

docs/rules.md "Exports": a spreadsheet runs a cell that starts with `=`, `+`,
`-` or `@` as a formula (and a leading tab or carriage return hides one from
a quick look), so text a person typed is written with a leading apostrophe in
CSV, the convention Excel and LibreOffice show as literal text. Phone numbers
are masked unless a supervisor asked for them whole: the first three and the
last four digits stay (138****5678), enough to tell callers apart on paper.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_MASK_FROM = 8  # a number this long keeps 3 + 4 digits; shorter ones keep their last 2


def neutralise(text: str) -> str:
    """Text a spreadsheet shows as typed: a leading apostrophe before a formula's first character."""
    return "'" + text if text and text[0] in FORMULA_STARTS else text


def mask_phone(phone: str) -> str:
    """138****5678 for 13812345678; a short number keeps its last two digits; a leading + stays."""
    if not phone:
        return phone
    sign, digits = ("+", phone[1:]) if phone[0] == "+" else ("", phone)
    n = len(digits)
    if n >= _MASK_FROM:
        return f"{sign}{digits[:3]}{'*' * (n - 7)}{digits[-4:]}"
    if n > 2:
        return f"{sign}{'*' * (n - 2)}{digits[-2:]}"
    return sign + "*" * n


# A run of 7 or more digits (an optional + before it) inside free text: a phone number as
# far as masking is concerned (the audit log's details name old and new phones).
_PHONE_IN_TEXT = re.compile(r"\+?(?<![0-9])[0-9]{7,}")


def mask_phones_in(text: str) -> str:
    """Every phone-like digit run in free text masked as mask_phone masks a phone."""
    if not text or not any(c.isdigit() for c in text):
        return text
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)
