"""The work screens, declared once: the app's modes, their F-keys, the help
screen and the command palette all read this list. Adding a screen is one entry.

Import-free (apart from the catalogue), so the shell can build its bindings
before the first paint; a screen's module is imported only when the screen is
first shown, which keeps every screen off the start-up path.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class ScreenEntry:
    name: str  # the mode name, also the binding id suffix: go_<name>
    key: str  # its function key; "" for a screen reached by the palette only
    title: str  # catalogue key of its title ("screen.calls")
    key_label: str  # catalogue key of its short key label in the footer ("key.calls")
    module: str  # where its Screen class lives, imported on first use
    cls: str
    args: tuple = ()
    # catalogue keys of what the palette also finds it by (登记, 投诉, 派工 ...)
    palette: tuple[str, ...] = field(default=())

    def factory(self) -> Callable[[], object]:
        def make():
            screen_class = getattr(importlib.import_module(self.module), self.cls)
            return screen_class(*self.args)

        return make


SCREENS: tuple[ScreenEntry, ...] = (
    ScreenEntry("calls", "f2", "screen.calls", "key.calls", "screens.call_log", "CallLogScreen",
                palette=("palette.calls",)),
    ScreenEntry("complaints", "f3", "screen.complaints", "key.complaints", "screens.complaint_list", "ComplaintsScreen",
                palette=("palette.complaints",)),
    ScreenEntry("slips", "f4", "screen.slips", "key.slips", "screens.slip_board", "SlipBoardScreen",
                palette=("palette.slips",)),
    ScreenEntry("visits", "f5", "screen.visits", "key.visits", "screens.visit_queue", "VisitQueueScreen",
                palette=("palette.visits",)),
    ScreenEntry("handover", "f6", "screen.handover", "key.handover", "screens.handover", "HandoverScreen",
                palette=("palette.handover",)),
    # The desk's small registers (docs/rules.md §2.5, §2.7): found by name in the palette (Ctrl+P).
    ScreenEntry("duty_log", "", "screen.duty_log", "key.duty_log", "screens.duty_log", "DutyLogScreen",
                palette=("palette.duty_log",)),
    ScreenEntry("custody", "", "screen.custody", "key.custody", "screens.custody", "CustodyScreen",
                palette=("palette.custody",)),
    ScreenEntry("visitors", "", "screen.visitors", "key.visitors", "screens.visitors", "VisitorsScreen",
                palette=("palette.visitors",)),
)

HOME = "calls"

# What follows a call up (Ctrl+T 办理 on the call log and the call record), by the
# call's category: the module and class of the form that takes it on. The form is
# built with the call's row and dismissed with what it recorded (or None); its
# module's `followed_up(screen, result)` tells the desk what happened.
FOLLOW_UP: dict[str, tuple[str, str]] = {
    "repair": ("screens.slip_form", "SlipFormScreen"),
    "complaint": ("screens.complaint_form", "ComplaintFormScreen"),
}


def follow_up_form(category: str) -> Callable[[object], object] | None:
    """The form that follows up a call of this category, built from its row; None when nothing follows."""
    found = FOLLOW_UP.get(category)
    if found is None:
        return None
    module, cls = found
    return lambda row: getattr(importlib.import_module(module), cls)(row)


def entry(name: str) -> ScreenEntry:
    return next(e for e in SCREENS if e.name == name)
