"""Show typed text literally: never markup, never a terminal control sequence."""

from __future__ import annotations

from rich.text import Text

from deskapp.core.text import CONTROL_CHARS


def printable(value: str, *, one_line: bool = True) -> str:
    """Control characters become visible (␛ for ESC) so the terminal never obeys them."""
    value = CONTROL_CHARS.sub(lambda m: "␛" if m.group() == "\x1b" else "\ufffd", value or "")
    return value.replace("\n", " ").replace("\t", " ") if one_line else value


def literal(value: str, style: str = "", *, one_line: bool = True) -> Text:
    """A Rich Text that is exactly the typed characters (brackets stay brackets)."""
    return Text(printable(value, one_line=one_line), style=style)
