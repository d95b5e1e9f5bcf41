"""The rep's bar: who is signed in, their time, and their counts for today."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from qualdesk.core.display import shown
from qualdesk.core.hours import zone
from qualdesk.db.models import Rep
from qualdesk.services.figures.stats import DayCounts


class RepBar(Static):
    """One line: the rep, their clock, and today's touches, connects, qualified, nurtured."""

    DEFAULT_CSS = """
    RepBar {
        height: auto;
        max-height: 2;
        padding: 0 1;
        background: $boost;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown: tuple[Rep, datetime, DayCounts] | None = None

    def show(self, rep: Rep, now: datetime, counts: DayCounts) -> None:
        self.shown = (rep, now, counts)
        self.update(self._line(rep, now, counts, self.size.width or 120))

    def on_resize(self) -> None:
        if self.shown is not None:
            self.update(self._line(*self.shown, self.size.width))

    @staticmethod
    def _line(rep: Rep, now: datetime, counts: DayCounts, width: int) -> Text:
        """The bar; on a narrow terminal the handle, zone and clock give way to the counts."""
        local = now.astimezone(zone(rep.time_zone))
        room = width - 2  # the padding
        figures = (
            ("touches", counts.touches),
            ("calls", counts.calls),
            ("connects", counts.connects),
            ("qualified", counts.qualified),
            ("nurtured", counts.nurtured),
        )
        clocks = (
            f" ({rep.handle})  {local:%a %H:%M} {rep.time_zone}   today: ",
            f"  {local:%H:%M}  ",
            "  ",
        )
        line = Text()
        for clock in clocks:
            for gap in (" · ", "  "):
                line = Text()
                line.append(shown(rep.name), style="bold")
                line.append(clock, style="dim")
                for index, (label, count) in enumerate(figures):
                    if index:
                        line.append(gap, style="dim")
                    line.append(f"{label} ")
                    line.append(f"{count}", style="bold")
                if line.cell_len <= room:
                    return line
        return line  # a long name: the bar takes its second line
