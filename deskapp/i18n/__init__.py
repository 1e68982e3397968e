"""The message catalogue: every user-visible string, zh-CN first, English beside it.

`t(key, **params)` formats the message in the current language. Codes stored
in the database (channel, category, role, status...) have labels under
"<kind>.<code>" keys, e.g. t("category.repair") -> "报修".

The catalogue is split by area (one module each, a `MESSAGES` dict of
key -> (zh, en)) so that work on one register does not touch another's
strings; a key may be defined only once (tests/test_catalogue.py).
Kept import-free apart from its own parts, so the app shell can use it
before the first paint.
"""

from __future__ import annotations

from deskapp.i18n import (app, backup, cli, codes, complaints, errors, exchange, faults, handover, kit, reference, rules,
                          slips, visits)

PARTS = (codes, errors, faults, rules, kit, app, reference, cli, visits, complaints, handover, slips, exchange, backup)

MESSAGES: dict[str, tuple[str, str]] = {}
for _part in PARTS:
    MESSAGES.update(_part.MESSAGES)

LANGS = ("zh", "en")
_LANG = "zh"


def set_lang(lang: str) -> None:
    global _LANG
    _LANG = "en" if lang.lower().startswith("en") else "zh"


def get_lang() -> str:
    return _LANG


def lang_code(value: str) -> str | None:
    """The language a user asked for ("en", "en-US", "zh_CN"...) as one of LANGS, or None."""
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGS else None


def t(key: str, /, **params: object) -> str:
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[1] if _LANG == "en" else pair[0]
    return text.format(**params) if params else text


def label(kind: str, code: str) -> str:
    """Label of a stored code, e.g. label("category", "repair") -> "报修"."""
    return t(f"{kind}.{code}") if f"{kind}.{code}" in MESSAGES else code
