"""The slip's reference data in data/: the fee schedule and the builder's warranty periods.

docs/rules.md §2.3. Both are site files a supervisor edits like the policy:

- ``fee_schedule.toml`` (维修项目收费标准): one ``[[item]]`` per chargeable repair,
  with its ``name``, ``price_yuan`` (unit price) and ``department``;
- ``warranty.toml`` (维保期): one ``[[period]]`` per warranty, with the
  ``contractor`` (维保单位) that does the work, the last day ``until``, and
  optionally the ``buildings`` and fee ``items`` it covers (none listed: all).

Pure: loading reads the files and validates them; a mistake is a PolicyError
naming the file, the key and what is wrong (like policy.toml). Routing a slip
(`warranty_for`) is a function of its building, fee item and day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from deskapp.core.policy import Phrase, PolicyError, RuleViolation, _problems, read_toml

FEE_FILE = "fee_schedule.toml"
WARRANTY_FILE = "warranty.toml"

# The highest unit price a schedule may hold, and the default ceiling of any
# fee typed at the desk (policy slip.max_fee_yuan): a repair at a property desk
# never comes near it, so more is a typing slip.
PRICE_CAP = Decimal(1_000_000)

Name = Annotated[str, Field(min_length=1, max_length=80)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class FeeItem(_Model):
    """One line of the fee schedule: what is repaired, its unit price, which department does it."""

    name: Name
    price_yuan: Decimal
    department: Annotated[str, Field(min_length=1, max_length=40)]

    @field_validator("price_yuan", mode="before")
    @classmethod
    def _price(cls, v):
        # TOML gives 30 or 30.5 (or "30.50"); money is kept exact, in fen.
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            raise RuleViolation("slipdata.price")
        try:
            amount = Decimal(str(v))
        except ArithmeticError:
            raise RuleViolation("slipdata.price") from None
        if not amount.is_finite() or amount < 0 or amount > PRICE_CAP or amount != amount.quantize(Decimal("0.01")):
            raise RuleViolation("slipdata.price")
        return amount.quantize(Decimal("0.01"))


def _as_tuple(v):
    # TOML arrays arrive as lists; the models are frozen (strict mode takes no list for a tuple).
    return tuple(v) if isinstance(v, list) else v


class FeeSchedule(_Model):
    item: tuple[FeeItem, ...] = ()

    _items = field_validator("item", mode="before")(_as_tuple)

    @model_validator(mode="after")
    def _unique(self) -> FeeSchedule:
        seen: set[str] = set()
        for entry in self.item:
            if entry.name in seen:
                raise RuleViolation("slipdata.duplicate_item", name=entry.name)
            seen.add(entry.name)
        return self

    def find(self, name: str) -> FeeItem | None:
        return next((entry for entry in self.item if entry.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(entry.name for entry in self.item)


class WarrantyPeriod(_Model):
    contractor: Annotated[str, Field(min_length=1, max_length=40)]
    until: date
    buildings: tuple[Annotated[str, Field(min_length=1, max_length=10)], ...] = ()
    items: tuple[Name, ...] = ()

    @field_validator("until", mode="before")
    @classmethod
    def _day(cls, v):
        if isinstance(v, str):
            try:
                return date.fromisoformat(v)
            except ValueError:
                raise RuleViolation("slipdata.date", value=v) from None
        if type(v) is not date:  # a TOML datetime is not a day
            raise RuleViolation("slipdata.date", value=str(v))
        return v

    @field_validator("buildings", mode="before")
    @classmethod
    def _buildings(cls, v):
        # "3" or 3: a building is written as the number before 栋
        if isinstance(v, list):
            return tuple(str(b) if isinstance(b, int) and not isinstance(b, bool) else b for b in v)
        return v

    @field_validator("items", mode="before")
    @classmethod
    def _items(cls, v):
        return tuple(v) if isinstance(v, list) else v

    def covers(self, *, building: str, fee_item: str, day: date) -> bool:
        if day > self.until:
            return False
        if self.buildings and building not in self.buildings:
            return False
        if self.items and fee_item not in self.items:
            return False
        return True


class WarrantyPeriods(_Model):
    # Who does the work for a unit whose own warranty date (unit list) has not passed.
    default_contractor: Annotated[str, Field(max_length=40)] = ""
    period: tuple[WarrantyPeriod, ...] = ()

    _periods = field_validator("period", mode="before")(_as_tuple)


@dataclass(frozen=True)
class SlipData:
    """The fee schedule and warranty periods of a site, validated together."""

    fees: FeeSchedule
    warranty: WarrantyPeriods

    def contractor_for(self, *, building: str, fee_item: str, day: date,
                       unit_warranty_until: date | None = None) -> str | None:
        """The warranty contractor that does this repair, or None (docs/rules.md §2.3).

        The first period in the file that covers the building, item and day;
        else, when the unit's own warranty date has not passed, the file's
        default contractor.
        """
        for period in self.warranty.period:
            if period.covers(building=building, fee_item=fee_item, day=day):
                return period.contractor
        if unit_warranty_until is not None and day <= unit_warranty_until and self.warranty.default_contractor:
            return self.warranty.default_contractor
        return None


def _load(path: Path, model: type[BaseModel]):
    data = read_toml(path)
    if data is None:
        return model()
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(path, _problems(exc, model)) from None


def load_slip_data(data_dir: Path) -> SlipData:
    """Read and check both files; a missing file is an empty schedule / no warranty."""
    data_dir = Path(data_dir)
    fees = _load(data_dir / FEE_FILE, FeeSchedule)
    warranty = _load(data_dir / WARRANTY_FILE, WarrantyPeriods)
    known = set(fees.names)
    problems = []
    for i, period in enumerate(warranty.period):
        for name in period.items:
            if name not in known:
                problems.append((f"period[{i}].items", Phrase("slipdata.unknown_item", name=name, file=FEE_FILE)))
    if problems:
        raise PolicyError(data_dir / WARRANTY_FILE, problems)
    return SlipData(fees, warranty)
