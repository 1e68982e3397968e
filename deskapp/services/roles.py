"""Who may do what: the role comes from the staff record, never from the screen."""

from __future__ import annotations

from dataclasses import dataclass

from deskapp.errors import NotAllowed
from deskapp.i18n import label

ROLES = ("receptionist", "concierge", "supervisor", "manager", "gm")
RANK = {"receptionist": 0, "concierge": 0, "supervisor": 1, "manager": 2, "gm": 3}


@dataclass(frozen=True)
class Actor:
    """The staff member at the keyboard, as signed in."""

    id: int
    name: str
    role: str

    @property
    def role_label(self) -> str:
        return label("role", self.role)


def require(actor: Actor, action: str, at_least: str) -> None:
    if RANK.get(actor.role, -1) < RANK[at_least]:
        raise NotAllowed("err.not_allowed", role=actor.role_label, action=action)
