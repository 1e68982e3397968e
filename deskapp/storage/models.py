"""Every register the desk keeps, as SQLModel tables (docs/rules.md §2).

The whole domain was laid down in the first migration so that later work adds
behaviour, not schema churn; 0002 added what the register screens found
missing. Coded values (channel, category, severity, status...) are stored as
short English codes; their Chinese and English labels live in the message
catalogue (deskapp.i18n).

Names: an instant ends in `_at`, a deadline in `_by` (respond_by), a person in
`_id` (owner_id; who did something: reviewed_by_id). Every foreign key that a
register looks records up by has an index (tests/storage/test_revision_0002.py
lists the few that do not, and why).

Only the services write these tables; screens and the CLI read through the
query functions beside the services.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import Index, MetaData, Numeric, Text, text
from sqlmodel import Field, SQLModel

from deskapp.storage.types import UTCDateTime

# Stable constraint names: Alembic batch migrations on SQLite need them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def _at(nullable: bool = False, index: bool = False):
    """An instant column (stored UTC, returned aware)."""
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def _text(nullable: bool = False):
    return Field(default="", sa_type=Text, nullable=nullable)


# ---------------------------------------------------------------- people ---


class Staff(SQLModel, table=True):
    """Desk staff (前台/管家/客服主管/管理处经理/总经理); role decides what they may do."""

    __tablename__ = "staff"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True)
    role: str = Field(max_length=20)  # receptionist|concierge|supervisor|manager|gm
    pin_hash: str = Field(max_length=128)  # hex of scrypt(pin, salt)
    pin_salt: str = Field(max_length=64)
    active: bool = True
    created_at: datetime = _at()


class Department(SQLModel, table=True):
    """A department or warranty contractor that receives slips (工程部, 秩序部, 环境, 维保单位)."""

    __tablename__ = "department"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True)
    kind: str = Field(max_length=20)  # engineering|security|environment|contractor|other
    phone: str = Field(default="", max_length=30)
    active: bool = True


class Unit(SQLModel, table=True):
    """A household's unit (楼栋-单元-房号), e.g. 3栋2单元1201."""

    __tablename__ = "unit"
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    building: str = Field(default="", max_length=10)
    entrance: str = Field(default="", max_length=10)
    room: str = Field(default="", max_length=10)
    warranty_until: Optional[date] = None  # builder's warranty period (维保期)


class Resident(SQLModel, table=True):
    """A customer known to the desk: a phone number (if any) and the unit it belongs to."""

    __tablename__ = "resident"
    __table_args__ = (
        # One record per phone in a unit. Only for records with a phone: a unit's
        # owner and tenant from the roster may both have none (schema 0002).
        Index("uq_resident_phone_unit", "phone", "unit_id", unique=True,
              sqlite_where=text("phone <> ''"), postgresql_where=text("phone <> ''")),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(default="", max_length=40)
    phone: str = Field(default="", max_length=20, index=True)
    unit_id: Optional[int] = Field(default=None, foreign_key="unit.id", index=True)
    last_seen_at: Optional[datetime] = _at(nullable=True)
    kind: str = Field(default="", max_length=10)  # owner|tenant; "" while not known (a caller)
    active: bool = True  # moved out, sold: kept for the history, no longer offered
    source: str = Field(default="call", max_length=10)  # call|roster|manual: where the record came from


# ------------------------------------------------------------ registers ---


class Call(SQLModel, table=True):
    """One entry in the call and visit log (来电来访登记表)."""

    __tablename__ = "call"
    __table_args__ = (
        Index("ix_call_at_id", "at", "id"),
        Index("ix_call_category_at", "category", "at"),
        Index("ix_call_phone_at", "phone", "at"),
        Index("ix_call_unit_at", "unit_code", "at"),
        # the 待办 view: awaiting calls by deadline (migration 0003)
        Index("ix_call_awaiting_due", "due_by", "id",
              sqlite_where=text("status IN ('awaiting_slip', 'awaiting_complaint')"),
              postgresql_where=text("status IN ('awaiting_slip', 'awaiting_complaint')")),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    number: str = Field(max_length=24, unique=True)  # 来电-2026-000123
    at: datetime = _at()
    channel: str = Field(max_length=10)  # phone|visit|letter|other
    category: str = Field(max_length=12)  # enquiry|repair|complaint|suggestion|praise|other
    caller_name: str = Field(default="", max_length=40)
    phone: str = Field(default="", max_length=20)
    unit_code: str = Field(default="", max_length=40)
    resident_id: Optional[int] = Field(default=None, foreign_key="resident.id")
    content: str = _text()
    reply: str = _text()
    owner_id: int = Field(foreign_key="staff.id", index=True)  # 首问责任人
    # done | awaiting_slip | awaiting_complaint (a 报修/投诉 not yet turned into its record).
    # The complaint or slip a call became points back here (complaint.call_id,
    # dispatch_slip.call_id), so the foreign keys form no cycle.
    status: str = Field(default="done", max_length=20, index=True)
    # While awaiting: the slip must be out within 5 min, the complaint form
    # forwarded within 10 min of intake (policy). Stored, not recomputed per render.
    due_by: Optional[datetime] = _at(nullable=True)
    flagged_phrases: str = Field(default="", max_length=200)  # 服务忌语 found in the reply


class CallCorrection(SQLModel, table=True):
    """A correction to a logged call (更正): appended, never an overwrite.

    The call row keeps what was logged; a correction says which field was
    wrong, what it should read, why, who and when. Append-only at the
    database level, like the audit log.
    """

    __tablename__ = "call_correction"
    id: Optional[int] = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="call.id", index=True)
    at: datetime = _at()
    staff_id: int = Field(foreign_key="staff.id")
    field: str = Field(default="", max_length=20)  # the call field corrected; "" for a note only
    corrected: str = _text()  # what the field should read
    note: str = _text()  # why / what else


class Complaint(SQLModel, table=True):
    """A complaint (客户投诉登记表), its facts, class, clocks and state."""

    __tablename__ = "complaint"
    __table_args__ = (
        # the open-matters board: open complaints by their next deadline (migration 0006)
        Index("ix_complaint_open_due", "next_due_by", "id",
              sqlite_where=text("status NOT IN ('closed', 'void')"),
              postgresql_where=text("status NOT IN ('closed', 'void')")),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    number: str = Field(max_length=24, unique=True)
    received_at: datetime = _at(index=True)
    channel: str = Field(max_length=10)
    call_id: Optional[int] = Field(default=None, foreign_key="call.id", index=True)
    customer_name: str = Field(default="", max_length=40)
    phone: str = Field(default="", max_length=20)
    unit_code: str = Field(default="", max_length=40, index=True)
    occurred_at: Optional[datetime] = _at(nullable=True)
    place: str = Field(default="", max_length=200)
    subject: str = Field(default="", max_length=200)  # person or department complained about
    description: str = _text()
    customer_request: str = _text()
    owner_id: int = Field(foreign_key="staff.id", index=True)
    # facts the class is decided from (投诉界定)
    loss_yuan: Decimal = Field(default=Decimal(0), sa_type=Numeric(14, 2))
    complainants: int = 1
    deaths: int = 0
    injury: str = Field(default="none", max_length=10)
    media_days: int = 0
    media_outlets: int = 0
    times_raised: int = 0
    service_not_delivered: bool = False
    severity: str = Field(max_length=12, index=True)  # ordinary|significant|major|critical
    severity_rules: str = Field(default="", max_length=400)
    escalations: int = 0
    # The class it had before the last raise for mishandling (处理不当升级); None: never raised.
    raised_from_severity: Optional[str] = Field(default=None, max_length=12)
    # clocks, stored when the complaint is opened or re-classed
    customer_deadline: Optional[datetime] = _at(nullable=True)
    respond_by: Optional[datetime] = _at(nullable=True)
    forward_by: Optional[datetime] = _at(nullable=True)
    report_by: Optional[datetime] = _at(nullable=True)
    reply_by: Optional[datetime] = _at(nullable=True)
    complete_by: Optional[datetime] = _at(nullable=True, index=True)
    # Where complete_by came from: policy (the class's clock), customer (the deadline an
    # ordinary complaint's customer asked for), agreed (with the customer, 重大/尤其重大);
    # None while there is no complete_by.
    complete_by_source: Optional[str] = Field(default=None, max_length=10)
    # Still unfinished this long after intake: a recorded contact telling the customer
    # why and when is due by followup_by (policy complaint.followup_days).
    followup_by: Optional[datetime] = _at(nullable=True, index=True)
    followed_up_at: Optional[datetime] = _at(nullable=True)
    responded_at: Optional[datetime] = _at(nullable=True)
    forwarded_at: Optional[datetime] = _at(nullable=True)
    department_id: Optional[int] = Field(default=None, foreign_key="department.id", index=True)
    reported_at: Optional[datetime] = _at(nullable=True)
    replied_at: Optional[datetime] = _at(nullable=True)
    completed_at: Optional[datetime] = _at(nullable=True)
    result: str = _text()
    # registered|forwarded|in_progress|result_given|awaiting_visit|closed (deskapp/services/complaints.py)
    status: str = Field(default="registered", max_length=16, index=True)
    # Bumped by every change: a save that read an older version is refused, never a silent
    # overwrite by a second terminal (migration 0006).
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    signed_for_by: str = Field(default="", max_length=40)  # who in the department signed the form for
    close_by: Optional[datetime] = _at(nullable=True)  # same day (desk's own remit) or other_dept_days
    closed_at: Optional[datetime] = _at(nullable=True)
    # The next clock still running (respond, forward, report, ...) and its deadline: what the
    # board counts down to, stored at each change (deskapp/core/complaint_clocks.py).
    next_clock: str = Field(default="", max_length=12)
    next_due_by: Optional[datetime] = _at(nullable=True)
    # The first complaint about the same unhandled event: its complaints count as times raised.
    # No foreign-key constraint: SQLite cannot add one to an existing table (migration 0006).
    same_event_id: Optional[int] = Field(default=None, index=True)
    escalation_level: int = 0  # 三级负责制: 0 front desk, 1 CS supervisor, 2 (deputy) GM
    # The return visit whose unsatisfied customer (re)opened this complaint; the visit points
    # back (return_visit.raised_complaint_id). No constraint: added to an existing table (0005).
    from_visit_id: Optional[int] = Field(default=None, index=True)


class ComplaintStep(SQLModel, table=True):
    """One step of a complaint's timeline (registered, forwarded and signed for, a call to the
    customer, result given, closed, reopened...): who, when, what. Append-only (0006)."""

    __tablename__ = "complaint_step"
    id: Optional[int] = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    at: datetime = _at()
    staff_id: int = Field(foreign_key="staff.id")
    step: str = Field(max_length=20)
    note: str = _text()  # what the person wrote (the result, what the customer was told)
    detail: str = _text()  # JSON: the department and who signed, the class before and after ...


class DispatchSlip(SQLModel, table=True):
    """A repair dispatch slip (派工单 / 工程报修单, 一式三联).

    Once signed by the customer the database refuses any change but the steps
    that follow signing (fee collected, copies returned, print count), and no
    slip is ever deleted (migration 0008); corrections are appended as steps.
    """

    __tablename__ = "dispatch_slip"
    __table_args__ = (
        # the dispatch board and the open-matters board: open slips only (migration 0008)
        Index("ix_dispatch_slip_board", "department_id", "technician", "id",
              sqlite_where=text("status NOT IN ('closed', 'refused')"),
              postgresql_where=text("status NOT IN ('closed', 'refused')")),
        Index("ix_dispatch_slip_open_due", "due_by", "id",
              sqlite_where=text("status NOT IN ('closed', 'refused')"),
              postgresql_where=text("status NOT IN ('closed', 'refused')")),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    number: str = Field(max_length=24, unique=True)
    created_at: datetime = _at(index=True)
    call_id: Optional[int] = Field(default=None, foreign_key="call.id", index=True)
    complaint_id: Optional[int] = Field(default=None, foreign_key="complaint.id", index=True)
    customer_name: str = Field(default="", max_length=40)
    unit_code: str = Field(default="", max_length=40, index=True)
    phone: str = Field(default="", max_length=20)
    item: str = _text()
    appointment_at: Optional[datetime] = _at(nullable=True)
    photos: str = _text()  # file references, one per line
    chargeable: bool = False  # 有偿 / 无偿
    fee_item: str = Field(default="", max_length=80)
    fee_yuan: Decimal = Field(default=Decimal(0), sa_type=Numeric(10, 2))
    in_fee_schedule: bool = True
    under_warranty: bool = False
    department_id: Optional[int] = Field(default=None, foreign_key="department.id", index=True)
    technician: str = Field(default="", max_length=40)
    work_done: str = _text()
    work_fee_yuan: Optional[Decimal] = Field(default=None, sa_type=Numeric(10, 2))
    materials: str = _text()
    materials_check: str = Field(default="", max_length=10)  # pass|fail|poor
    remarks: str = _text()
    customer_signed: bool = False
    signed_at: Optional[datetime] = _at(nullable=True)
    owner_id: int = Field(foreign_key="staff.id", index=True)
    notify_by: Optional[datetime] = _at(nullable=True)
    notified_at: Optional[datetime] = _at(nullable=True)
    accepted_at: Optional[datetime] = _at(nullable=True)
    assess_by: Optional[datetime] = _at(nullable=True)
    # When the customer agreed the fee of an item outside the fee schedule: its
    # on-site clock starts here, not at acceptance.
    fee_agreed_at: Optional[datetime] = _at(nullable=True)
    on_site_by: Optional[datetime] = _at(nullable=True, index=True)
    arrived_at: Optional[datetime] = _at(nullable=True)
    completed_at: Optional[datetime] = _at(nullable=True)
    refused_reason: str = _text()  # customer refused work or fee: filed (立案), never dropped
    fee_collected: bool = False
    payment_method: str = Field(default="", max_length=10)  # cash|card
    printed_count: int = 0
    status: str = Field(default="open", max_length=16, index=True)  # deskapp.core.slip_codes.STATUSES
    # migration 0008
    assessed_at: Optional[datetime] = _at(nullable=True)
    refused_at: Optional[datetime] = _at(nullable=True)
    refused_by: str = Field(default="", max_length=40)  # the department supervisor who confirmed the refusal
    fee_collected_yuan: Optional[Decimal] = Field(default=None, sa_type=Numeric(10, 2))
    copies_returned_at: Optional[datetime] = _at(nullable=True)
    # The clock running now (notify|assess|on_site, "" = none) and its deadline, stored at each step.
    due_by: Optional[datetime] = _at(nullable=True)
    due_kind: str = Field(default="", max_length=10)


class SlipStep(SQLModel, table=True):
    """One step of a dispatch slip, its time, who recorded it and who did it; append-only (0008)."""

    __tablename__ = "slip_step"
    id: Optional[int] = Field(default=None, primary_key=True)
    slip_id: int = Field(foreign_key="dispatch_slip.id", index=True)
    step: str = Field(max_length=12)  # deskapp.core.slip_codes.STEPS
    at: datetime = _at()
    staff_id: int = Field(foreign_key="staff.id")  # who recorded it at the desk
    person: str = Field(default="", max_length=40)  # who did it: technician, department supervisor
    note: str = _text()
    amount_yuan: Optional[Decimal] = Field(default=None, sa_type=Numeric(10, 2))


class CompletedMatter(SQLModel, table=True):
    """A completed matter the visit rules weighed (回访来源): visited or not sampled.

    One row per completion (a complaint closed again is a new row), so the
    month-end analysis can set visits done against the share required (0005).
    """

    __tablename__ = "completed_matter"
    __table_args__ = (
        # the same completion is weighed once, whoever reports it twice
        Index("uq_completed_matter_source", "kind", "source_number", "stage", "completed_at", unique=True),
        Index("ix_completed_matter_completed_at", "completed_at"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=12)  # policy [return_visit] kind
    source_number: str = Field(max_length=40)  # the complaint's, slip's, activity's own number
    stage: str = Field(default="", max_length=4)  # special service: mid|end
    completed_at: datetime = _at()
    sampled: bool = True  # chosen for a visit (share_percent)
    visit_id: Optional[int] = Field(default=None, foreign_key="return_visit.id")


class ReturnVisit(SQLModel, table=True):
    """A return visit (回访) due within working days of completed work."""

    __tablename__ = "return_visit"
    __table_args__ = (
        # the queues: visits still due, by their due time (0005)
        Index("ix_return_visit_queue", "due_by", "id",
              sqlite_where=text("status = 'due'"), postgresql_where=text("status = 'due'")),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    number: str = Field(max_length=24, unique=True)
    # major|complaint|repair|special|activity|other (policy [return_visit]); followup: the
    # in-person follow-up of work still unfinished (docs/rules.md §2.4)
    kind: str = Field(max_length=12)
    complaint_id: Optional[int] = Field(default=None, foreign_key="complaint.id", index=True)
    slip_id: Optional[int] = Field(default=None, foreign_key="dispatch_slip.id", index=True)
    unit_code: str = Field(default="", max_length=40)
    phone: str = Field(default="", max_length=20)
    due_on: date = Field(index=True)
    assigned_to_id: Optional[int] = Field(default=None, foreign_key="staff.id", index=True)  # who is to visit
    # Tries to reach the customer, the successful one included; the next try is planned.
    attempts: int = 0
    last_attempt_at: Optional[datetime] = _at(nullable=True)
    next_attempt_at: Optional[datetime] = _at(nullable=True)
    visited_at: Optional[datetime] = _at(nullable=True)
    visitor_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    quality: str = Field(default="", max_length=200)
    effect: str = Field(default="", max_length=200)
    satisfaction: str = Field(default="", max_length=16)  # satisfied|basically|unsatisfied
    shortcomings: str = _text()
    suggestions: str = _text()
    customer_confirmed: bool = False
    supervisor_remark: str = _text()
    reviewed_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    status: str = Field(default="due", max_length=16, index=True)  # due|done|reviewed|void
    # 0005: what the queues and the visit form need
    source_number: str = Field(default="", max_length=40)  # the visited matter's own number
    customer_name: str = Field(default="", max_length=40)
    stage: str = Field(default="", max_length=4)  # special service: mid|end
    completed_at: Optional[datetime] = _at(nullable=True)  # the work done: the window opens here
    due_by: Optional[datetime] = _at(nullable=True)  # end of due_on in the site's zone (stored)
    # years the due date was counted without their official make-up days ("2027"; "" = none)
    due_warning: str = Field(default="", max_length=200)
    # who is to visit when no one is named: receptionist (front desk), supervisor, manager (GM too)
    assigned_role: str = Field(default="receptionist", max_length=20)
    method: str = Field(default="", max_length=10)  # phone|in_person
    score: Optional[int] = None  # satisfaction 1-5
    raised_complaint_id: Optional[int] = Field(default=None, index=True)  # reopened/raised (no FK, 0005)
    reviewed_at: Optional[datetime] = _at(nullable=True)


class Shift(SQLModel, table=True):
    """A duty shift; its duty log page (值班日志) is headed with its date."""

    __tablename__ = "shift"
    # One page per shift of the plan, however many terminals start it (schema 0007).
    __table_args__ = (Index("uq_shift_duty_date_kind", "duty_date", "kind", unique=True),)
    id: Optional[int] = Field(default=None, primary_key=True)
    number: str = Field(max_length=24, unique=True)
    kind: str = Field(max_length=8)  # day|night
    duty_date: date = Field(index=True)
    started_at: datetime = _at()
    ended_at: Optional[datetime] = _at(nullable=True)
    staff_id: int = Field(foreign_key="staff.id")


class DutyLogEntry(SQLModel, table=True):
    """One line of the duty log: time, what happened, what was done."""

    __tablename__ = "duty_log_entry"
    # the duty log screen, newest first across shifts (schema 0007)
    __table_args__ = (Index("ix_duty_log_entry_at_id", "at", "id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    shift_id: int = Field(foreign_key="shift.id", index=True)
    at: datetime = _at()
    what: str = _text()
    action: str = _text()
    major: bool = False
    staff_id: int = Field(foreign_key="staff.id")


class Handover(SQLModel, table=True):
    """Shift handover (交接班记录), written whole when the outgoing staff signs.

    A signed handover never changes (triggers refuse UPDATE and DELETE, schema
    0007): its lines are handover_item rows written with it, and what comes
    after (the incoming staff's acknowledgement and discrepancies, addenda, the
    supervisor's review) is appended as handover_entry rows. The received_* and
    reviewed_* columns of the first schema stay empty for that reason.
    """

    __tablename__ = "handover"
    id: Optional[int] = Field(default=None, primary_key=True)
    number: str = Field(max_length=24, unique=True)
    from_shift_id: int = Field(foreign_key="shift.id", index=True, unique=True)  # a shift hands over once
    to_shift_id: Optional[int] = Field(default=None, foreign_key="shift.id", index=True)
    unfinished: str = _text()
    handed_by_id: int = Field(foreign_key="staff.id")
    handed_at: datetime = _at()
    received_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    received_at: Optional[datetime] = _at(nullable=True)
    reviewed_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    reviewed_at: Optional[datetime] = _at(nullable=True)
    review_remark: str = _text()
    status: str = Field(default="handed", max_length=16)  # handed|received|reviewed


class HandoverItem(SQLModel, table=True):
    """One line of a signed handover, as compiled: an open matter, a missed clock, a count
    of calls, a duty log entry, an item in custody, a note (section says which)."""

    __tablename__ = "handover_item"
    id: Optional[int] = Field(default=None, primary_key=True)
    handover_id: int = Field(foreign_key="handover.id", index=True)
    kind: str = Field(max_length=12)  # what the line is about: call|category|log|parcel|key|cash|note...
    description: str = Field(default="", max_length=200)
    quantity: int = 1
    amount_yuan: Optional[Decimal] = Field(default=None, sa_type=Numeric(10, 2))
    checked: bool = False
    note: str = Field(default="", max_length=200)
    # schema 0007: where the line sits and what it points at
    section: str = Field(default="", max_length=20)
    position: int = 0
    ref: str = Field(default="", max_length=40)  # the record's number (来电-2026-000123), if any
    at: Optional[datetime] = _at(nullable=True)  # when it happened
    due_by: Optional[datetime] = _at(nullable=True)  # its deadline, for the countdown
    flagged: bool = False  # overdue, a major event, a loan outstanding: read first
    detail: str = _text()  # the whole text (description is its first 200 characters)


class HandoverEntry(SQLModel, table=True):
    """What is appended to a signed handover (schema 0007, append-only): the incoming
    staff's acknowledgement and each discrepancy, addenda, and the supervisor's review
    (marks on lines, remarks, the review itself)."""

    __tablename__ = "handover_entry"
    __table_args__ = (
        # Acknowledged once, reviewed once.
        Index("uq_handover_entry_once", "handover_id", "kind", unique=True,
              sqlite_where=text("kind IN ('acknowledge', 'review')"),
              postgresql_where=text("kind IN ('acknowledge', 'review')")),
        Index("ix_handover_entry_kind_at", "kind", "at"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    handover_id: int = Field(foreign_key="handover.id", index=True)
    at: datetime = _at()
    staff_id: int = Field(foreign_key="staff.id")
    kind: str = Field(max_length=12)  # acknowledge|discrepancy|addendum|mark|remark|review
    item_id: Optional[int] = Field(default=None, foreign_key="handover_item.id", index=True)
    shift_id: Optional[int] = Field(default=None, foreign_key="shift.id")  # the incoming shift (acknowledge)
    text: str = _text()


class CustodyItem(SQLModel, table=True):
    """An item the desk holds (寄存 / 钥匙托管): a parcel or mail for a resident, a key held
    in trust, a radio, the cash float (schema 0007). Released once, to a named person."""

    __tablename__ = "custody_item"
    __table_args__ = (Index("ix_custody_item_status_kind", "status", "kind"),
                      Index("ix_custody_item_received_at_id", "received_at", "id"))
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8)  # parcel|mail|key|radio|cash
    label: str = Field(default="", max_length=100)  # waybill, which key, radio number
    owner_name: str = Field(default="", max_length=40)
    phone: str = Field(default="", max_length=20, index=True)
    unit_code: str = Field(default="", max_length=40, index=True)
    quantity: int = 1
    amount_yuan: Optional[Decimal] = Field(default=None, sa_type=Numeric(10, 2))  # the cash float
    note: str = _text()
    received_at: datetime = _at()
    received_by_id: int = Field(foreign_key="staff.id")
    released_at: Optional[datetime] = _at(nullable=True)
    released_to: str = Field(default="", max_length=40)  # who collected it
    released_id_checked: bool = False
    released_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    status: str = Field(default="held", max_length=10)  # held|released


class CustodyLoan(SQLModel, table=True):
    """A key or radio lent out and (later) returned (schema 0007)."""

    __tablename__ = "custody_loan"
    __table_args__ = (
        # Out on one loan at a time.
        Index("uq_custody_loan_open", "item_id", unique=True,
              sqlite_where=text("returned_at IS NULL"), postgresql_where=text("returned_at IS NULL")),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="custody_item.id", index=True)
    lent_to: str = Field(max_length=40)
    id_checked: bool = False
    lent_at: datetime = _at()
    lent_by_id: int = Field(foreign_key="staff.id")
    returned_at: Optional[datetime] = _at(nullable=True)
    returned_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")


class Visitor(SQLModel, table=True):
    """The visitor register (访客登记), schema 0007."""

    __tablename__ = "visitor"
    __table_args__ = (Index("ix_visitor_at_id", "at", "id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = _at()
    visitor_name: str = Field(max_length=40)
    id_checked: bool = False
    phone: str = Field(default="", max_length=20, index=True)
    host_unit: str = Field(default="", max_length=40, index=True)
    host_name: str = Field(default="", max_length=40)
    appointment: bool = False
    host_called: bool = False
    allowed: bool = True
    message: str = _text()  # a message left for the host
    staff_id: int = Field(foreign_key="staff.id")


class IncidentReport(SQLModel, table=True):
    """Incident report (事故报告), numbered in one unbroken sequence."""

    __tablename__ = "incident_report"
    id: Optional[int] = Field(default=None, primary_key=True)
    number: str = Field(max_length=24, unique=True)
    reported_at: datetime = _at()
    occurred_at: datetime = _at()
    place: str = Field(default="", max_length=200)
    details: str = _text()
    action: str = _text()
    police_file: str = Field(default="", max_length=60)
    photos: str = _text()
    remarks: str = _text()
    problems: str = _text()
    major: bool = False
    report_by: Optional[datetime] = _at(nullable=True)  # a deadline: reported to the CS manager by then
    reported_by_id: int = Field(foreign_key="staff.id")  # a person
    # The complaint it was raised from, if any (no constraint: added to an existing table, 0006).
    complaint_id: Optional[int] = Field(default=None, index=True)
    delivered_at: Optional[datetime] = _at(nullable=True)  # reached the CS manager: its clock stops


# ------------------------------------------------------------ bookkeeping ---


class AuditEvent(SQLModel, table=True):
    """Who did what, when: written in the same transaction as the change.

    Append-only: database triggers refuse UPDATE and DELETE (schema 0002).
    """

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = _at(index=True)
    actor_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    action: str = Field(max_length=40)
    entity: str = Field(max_length=30)
    entity_id: Optional[int] = None
    detail: str = _text()  # JSON


class NumberSequence(SQLModel, table=True):
    """The last number issued per register and year: numbers never skip or repeat."""

    __tablename__ = "number_sequence"
    register_key: str = Field(max_length=20, primary_key=True)
    year: int = Field(primary_key=True)
    last: int = 0
