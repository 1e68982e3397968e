"""The stored codes of the call log (来电来访登记表), in one place.

Screens import these before the storage layer is loaded, so this module stays
free of imports; labels live in the message catalogue (deskapp.i18n).
"""

from __future__ import annotations

CHANNELS = ("phone", "visit", "letter", "other")  # 电话 / 来访 / 来信 / 其他
CATEGORIES = ("enquiry", "repair", "complaint", "suggestion", "praise", "other")  # 咨询 报修 投诉 建议 表扬 其他
# A 报修 call awaits its dispatch slip, a 投诉 call its complaint record.
AWAITING = {"repair": "awaiting_slip", "complaint": "awaiting_complaint"}
# Every status a call can reach today (log_call sets them). The slip and complaint
# services add theirs here when they turn an awaiting call into its record.
CALL_STATUSES = ("done", *AWAITING.values(), "complained", "slipped")  # slipped: its dispatch slip was issued
# A 投诉 call whose complaint record was registered (the complaint points back at it).
COMPLAINED = "complained"

# The complaint's lifecycle (docs/rules.md §2.2), in order; "closed" may be reopened.
COMPLAINT_STATUSES = ("registered", "forwarded", "in_progress", "result_given", "awaiting_visit", "closed")
OPEN_COMPLAINT_STATUSES = COMPLAINT_STATUSES[:-1]


def is_awaiting(status: str) -> bool:
    return status in AWAITING.values()
