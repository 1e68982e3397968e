"""docs/rules.md and data/policy.toml name the same numbers.

The rules page points every number at its policy key, so a maintainer can go
from a rule to the setting and back. A key renamed in the policy, or a new key
nobody described, shows here rather than as a silently stale page.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from deskapp.core.policy import Policy

RULES = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
# A backticked dotted name (file paths have slashes and are not matched), or a
# top-level key (a bare `complaint` is a category code, not a key). `<class>`
# stands for each complaint class.
_TOP_KEYS = [name for name, info in Policy.model_fields.items()
             if not (isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel))]
_KEY = re.compile(r"`([a-z_]+(?:\.(?:[a-z_]+|<class>))+|" + "|".join(_TOP_KEYS) + r")`")
_CLASSES = ("ordinary", "significant", "major", "critical")


def policy_leaf_keys(model: type[BaseModel] = Policy, prefix: str = "") -> set[str]:
    keys = set()
    for name, info in model.model_fields.items():
        sub = info.annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            keys |= policy_leaf_keys(sub, f"{prefix}{name}.")
        else:
            keys.add(f"{prefix}{name}")
    return keys


def keys_cited() -> set[str]:
    keys = set()
    for key in _KEY.findall(RULES.read_text(encoding="utf-8")):
        keys |= {key.replace("<class>", c) for c in _CLASSES} if "<class>" in key else {key}
    return keys


def test_every_key_the_rules_cite_is_a_policy_key():
    unknown = keys_cited() - policy_leaf_keys()
    assert not unknown, f"docs/rules.md cites keys data/policy.toml does not have: {sorted(unknown)}"


def test_every_policy_key_is_described_in_the_rules():
    missing = policy_leaf_keys() - keys_cited()
    assert not missing, f"describe these policy keys in docs/rules.md: {sorted(missing)}"


def test_the_key_reader_sees_nested_keys():
    # the two checks above are only as good as these two readers
    leaves = policy_leaf_keys()
    assert {"complaint.clocks.critical.respond_minutes", "return_visit.other.share_percent",
            "site_timezone"} <= leaves
    assert "complaint.clocks" not in leaves
    cited = keys_cited()
    assert {"complaint.clocks.ordinary.respond_minutes", "complaint.clocks.major.report_same_day",
            "content_max_chars"} <= cited
    assert "complaint" not in cited
