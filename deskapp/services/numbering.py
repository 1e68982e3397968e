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
    "INSERT INTO number_sequence (register_key, year, last) VALUES (:r, :y, :n) "
    "ON CONFLICT (register_key, year) DO UPDATE SET last = number_sequence.last + :n "
    "RETURNING last"
)


def format_number(register: str, year: int, seq: int) -> str:
    return f"{PREFIX[register]}-{year}-{seq:06d}"


def next_number(session: Session, register: str, year: int) -> tuple[str, int]:
    seq = _bump(session, register, year, 1)
    return format_number(register, year, seq), seq


def next_numbers(session: Session, register: str, year: int, count: int) -> list[str]:
    """`count` consecutive numbers in one step, for records written together in one transaction."""
    if count < 1:
        return []
    last = _bump(session, register, year, count)
    return [format_number(register, year, seq) for seq in range(last - count + 1, last + 1)]


def _bump(session: Session, register: str, year: int, count: int) -> int:
    """Move the counter on by `count` and return where it now stands."""
    if register not in PREFIX:
        raise ValueError(f"unknown register {register!r}")
    return session.connection().execute(_BUMP, {"r": register, "y": year, "n": count}).scalar_one()
