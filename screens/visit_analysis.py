"""The month-end analysis of return visits (回访月度分析), F10 on the visit queue.

←/→ step a month back or on; Esc closes. The same lines as
`deskapp visits analysis`, read in a worker.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from deskapp.i18n import t
from deskapp.widgets.safe_text import literal
from deskapp.widgets.service_call import call_service


class VisitAnalysisScreen(ModalScreen):
    DEFAULT_CSS = """
    VisitAnalysisScreen { align: center middle; }
    VisitAnalysisScreen > Vertical { width: 100%; max-width: 110; height: 100%; border: round $primary;
                                     background: $panel; padding: 0 1; }
    VisitAnalysisScreen #analysis-keys { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "close", t("key.close"), id="analysis_close"),
        Binding("left", "month(-1)", show=False),
        Binding("right", "month(1)", show=False),
    ]

    def __init__(self, month: date):
        super().__init__()
        self.month = month.replace(day=1)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(t("analysis.keys"), id="analysis-keys")
            with VerticalScroll(id="analysis-scroll"):
                yield Static(t("form.saving"), id="analysis-body")

    def on_mount(self) -> None:
        self._load()
        self.query_one("#analysis-scroll").focus()

    def _load(self) -> None:
        from deskapp.services.visit_analysis import month_end, report_lines

        desk, app, month = self.app.desk, self.app, f"{self.month:%Y-%m}"
        call_service(self, lambda: report_lines(month_end(desk, month, now=app.clock.now())),
                     done=self._show, group="analysis")

    def _show(self, lines: list[str]) -> None:
        text = Text()
        for i, line in enumerate(lines):
            text.append_text(literal(line, one_line=True) if i else Text(line, style="bold"))
            text.append("\n")
        self.query_one("#analysis-body", Static).update(text)

    def action_month(self, step: int) -> None:
        index = self.month.year * 12 + self.month.month - 1 + step
        self.month = date(index // 12, index % 12 + 1, 1)
        self._load()

    def action_close(self) -> None:
        self.dismiss(None)
