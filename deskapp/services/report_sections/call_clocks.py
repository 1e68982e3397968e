"""The call log's clocks in the month: a repair call's slip, a complaint call's forwarded complaint."""

from __future__ import annotations

from deskapp.services.report import ReportSection
from deskapp.services.report_sections.calls import build_call_clocks

SECTION = ReportSection("call_clocks", 20, build_call_clocks)
