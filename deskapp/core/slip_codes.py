"""The stored codes of the dispatch slip (派工单), in one place (docs/rules.md §2.3).

Screens import these before the storage layer is loaded, so this module stays
free of imports; labels live in the message catalogue (deskapp/i18n/slips.py).
"""

from __future__ import annotations

# The lifecycle, in order. Each status names the last step done; `refused` and
# `closed` end a slip (a refused slip is filed with its reason, never deleted).
# assessed / agreed happen only for an item outside the fee schedule; collected
# only for a chargeable slip.
STATUSES = ("issued", "notified", "accepted", "assessed", "agreed", "on_site", "done", "signed", "collected",
            "closed", "refused")
CLOSED = ("closed", "refused")
OPEN = tuple(s for s in STATUSES if s not in CLOSED)

# The steps a desk records, each with its time and who recorded it (slip_step.step).
STEPS = ("issued", "notified", "accepted", "assessed", "agreed", "on_site", "done", "signed", "collected",
         "returned", "refused", "note", "printed")

# Which clock runs while a slip is open (dispatch_slip.due_kind); "" = none runs.
CLOCKS = ("notify", "assess", "on_site")

MATERIAL_CHECKS = ("pass", "fail", "poor")  # 合格 / 不合格 / 质量不佳
PAYMENT_METHODS = ("cash", "card")

# Where a slip came from.
SOURCES = ("call", "complaint", "desk")


def next_step(status: str, *, in_fee_schedule: bool, chargeable: bool) -> str | None:
    """The one step that can follow `status` on the normal path (refusal and notes aside); None when closed."""
    if status == "accepted":
        return "on_site" if in_fee_schedule else "assessed"
    if status == "signed":
        return "collected" if chargeable else "returned"
    return {"issued": "notified", "notified": "accepted", "assessed": "agreed", "agreed": "on_site",
            "on_site": "done", "done": "signed", "collected": "returned"}.get(status)


def refusable(status: str) -> bool:
    """A customer may refuse until the slip is signed (docs/rules.md §2.3)."""
    return status in STATUSES[:STATUSES.index("signed")]
