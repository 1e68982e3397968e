"""The message catalogue: one definition per key, both languages, every key used exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from deskapp import i18n

ROOT = Path(__file__).resolve().parents[1]


def test_no_key_is_defined_twice():
    seen: dict[str, str] = {}
    for part in i18n.PARTS:
        for key in part.MESSAGES:
            assert key not in seen, f"{key} is in both {seen[key]} and {part.__name__}"
            seen[key] = part.__name__


@pytest.mark.parametrize("key", sorted(i18n.MESSAGES))
def test_both_languages_take_the_same_parameters(key):
    zh, en = i18n.MESSAGES[key]
    fields = re.compile(r"\{(\w+)")
    assert zh.strip() and en.strip()
    assert set(fields.findall(zh)) == set(fields.findall(en))


def _literal_keys():
    """Every string literal passed as the first argument of t(...) in the program."""
    for path in [*ROOT.joinpath("deskapp").rglob("*.py"), *ROOT.joinpath("screens").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t"
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                yield path.relative_to(ROOT), node.args[0].value


def test_every_key_used_in_the_program_exists():
    missing = [(str(p), k) for p, k in _literal_keys() if k not in i18n.MESSAGES]
    assert not missing
