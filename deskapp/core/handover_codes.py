"""The stored codes of the duty desk's registers (docs/rules.md §2.5, §2.7), in one place.

Import-free, like deskapp.core.codes: screens read these before storage loads.
Labels live in the message catalogue (deskapp.i18n.handover).
"""

from __future__ import annotations

# Items in custody (寄存 / 钥匙托管): parcels and mail for residents, keys held in
# trust, radios (对讲机), the cash float (备用金).
CUSTODY_KINDS = ("parcel", "mail", "key", "radio", "cash")
# What is lent out and comes back (a key to a contractor, a radio to a guard).
LENDABLE = ("key", "radio")
CUSTODY_STATUSES = ("held", "released")

# What is appended to a signed handover (handover_entry.kind).
ACKNOWLEDGE, DISCREPANCY, ADDENDUM, MARK, REMARK, REVIEW = (
    "acknowledge", "discrepancy", "addendum", "mark", "remark", "review")
ENTRY_KINDS = (ACKNOWLEDGE, DISCREPANCY, ADDENDUM, MARK, REMARK, REVIEW)
