"""Register numbers per year without gaps or duplicates (e.g. 来电-2026-000123).

The counter is bumped inside the caller's write transaction, so a rolled-back
record gives its number back and two terminals can never draw the same one
(SQLite: BEGIN IMMEDIATE serialises writers; PostgreSQL: the row lock of the
upsert does).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

PREFIX = {
    "call": "来电",
    "complaint": "投诉",
    "slip": "派工",
    "visit": "回访",
    "shift": "班次",
    "handover": "交接",
    "incident": "事故",
}

_BUMP = text(
    "INSERT INTO number_sequence (register_key, year, last) VALUES (:r, :y, 1) "
    "ON CONFLICT (register_key, year) DO UPDATE SET last = number_sequence.last + 1 "
    "RETURNING last"
)


def format_number(register: str, year: int, seq: int) -> str:
    return f"{PREFIX[register]}-{year}-{seq:06d}"


def next_number(session: Session, register: str, year: int) -> tuple[str, int]:
    if register not in PREFIX:
        raise ValueError(f"unknown register {register!r}")
    seq = session.execute(_BUMP, {"r": register, "y": year}).scalar_one()
    return format_number(register, year, seq), seq
