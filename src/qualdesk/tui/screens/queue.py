"""The queue view: what is coming for this rep, in the order the desk will offer it."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from qualdesk.core.hours import zone
from qualdesk.db.models import Rep
from qualdesk.services.calling.queue import Outlook, outlook
from qualdesk.services.desk import Desk
from qualdesk.tui.widgets.tables import fill

COLUMNS = ("#", "Name", "Company", "Why", "Callable", "Due (you)", "Their time", "Grade")
# On a narrow terminal (80 columns): who, why, whether callable and when, cut to fit.
NARROW_COLUMNS = ("#", "Name", "Why", "Callable", "Due (you)", "Grade")
NARROW_LIMITS = (None, 18, 20, None, None, None)
NARROW = 110


class QueueScreen(Screen[None]):
    """Upcoming leads: why each is there, when it is due, the lead's time, and its grade."""

    CSS_PATH = "queue.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back to the desk", id="queue.close"),
        Binding("r", "reload", "Refresh", id="queue.refresh"),
    ]

    def __init__(self, desk: Desk, rep: Rep) -> None:
        super().__init__()
        self.desk = desk
        self.rep = rep

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Looking at the queue…", id="queue-summary")
        table: DataTable[Text | str] = DataTable(
            id="queue-table", cursor_type="row", zebra_stripes=True
        )
        table.add_columns(*COLUMNS)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        found = outlook(self.desk, self.rep)
        self.app.call_from_thread(self._show, found)

    def _show(self, found: Outlook) -> None:
        mine = zone(self.rep.time_zone)
        now = self.desk.clock()
        summary = Text.assemble(("Queue: ", "bold"), found.explain(self.rep.time_zone))
        if found.ready > len(found.entries):
            summary.append(
                f"\nShowing the next {len(found.entries)} of {found.ready:,} in the queue, "
                "in the order the desk offers them.",
                style="dim",
            )
        if found.callbacks_later:
            summary.append("\nYour callbacks later today are listed last.", style="dim")
        self.query_one("#queue-summary", Static).update(summary)
        rows: list[tuple[Text | str, ...]] = []
        for entry in [*found.entries, *found.callbacks_later]:
            due = f"{entry.due_at.astimezone(mine):%a %H:%M}" if entry.due_at else ""
            theirs = (
                f"{now.astimezone(zone(entry.zones[0])):%a %H:%M}" if entry.zones else "unknown"
            )
            if entry.later and entry.due_at:
                state = Text(f"at {entry.due_at.astimezone(mine):%H:%M}", style="cyan")
            elif entry.callable_now:
                state = Text("yes", style="green")
            elif entry.callable_now is None:
                state = Text("confirm", style="yellow")
            elif entry.opens_at:
                state = Text(f"from {entry.opens_at.astimezone(mine):%a %H:%M}", style="red")
            else:
                state = Text("no", style="red")
            rows.append((str(entry.lead_id), Text(entry.name), Text(entry.company), entry.why,
                         state, due, theirs, entry.grade))  # fmt: skip
        table = self.query_one("#queue-table", DataTable)
        if (self.size.width or 120) < NARROW:
            kept = [(row[0], row[1], row[3], row[4], row[5], row[7]) for row in rows]
            fill(table, NARROW_COLUMNS, kept, limits=NARROW_LIMITS)
        else:
            fill(table, COLUMNS, rows)

    def action_close(self) -> None:
        self.dismiss(None)
