"""Finding a lead by name, company, email or phone, to open its card."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static
from textual.worker import Worker, WorkerState

from qualdesk.services.calling.leads import LeadLine, search_leads
from qualdesk.services.desk import Desk
from qualdesk.tui.widgets.keys import KeyRow, legend
from qualdesk.tui.widgets.literal import LiteralInput
from qualdesk.tui.widgets.tables import fill

SHOWN = 50
COLUMNS = ("#", "Name", "Company", "Phone", "Stage")


class SearchScreen(ModalScreen[int | None]):
    """Type to search; Enter opens the first lead found, Down chooses another, Esc closes."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="search.close"),
        Binding("down", "results", "Results", show=False, id="search.results"),
    ]

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        # The text the listed results were found for, and text whose first
        # result is to open as soon as it is found (Enter typed before it came).
        self.shown_for = ""
        self.open_first: str | None = None
        # ↓ typed before the results for the text came: go to them once they do.
        self.to_results: str | None = None

    @property
    def holding_keys(self) -> bool:
        """Keys after Enter or ↓ wait for the results those keys act on (see keygate)."""
        return self.open_first is not None or self.to_results is not None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="search"):
            yield Static("Find a lead: name, company, email or phone", classes="dialog-title")
            yield LiteralInput(placeholder="type to search", id="search-text")
            yield Static(id="search-found", classes="dialog-keys")
            table: DataTable[Text | str] = DataTable(id="search-results", cursor_type="row")
            table.add_columns(*COLUMNS)
            yield table
            yield Static(self._keys(in_list=False), classes="dialog-keys", id="search-keys")

    @staticmethod
    def _keys(*, in_list: bool) -> KeyRow:
        if in_list:
            return legend(("Enter", "open"), ("↑↓", "choose"), ("Esc", "close"))
        return legend(("Enter", "open the first"), ("↓", "choose another"), ("Esc", "close"))

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        in_list = isinstance(event.widget, DataTable)
        self.query_one("#search-keys", Static).update(self._keys(in_list=in_list))

    def on_mount(self) -> None:
        self.query_one("#search-text", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.search(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the box opens the first lead found for what was typed."""
        if self.shown_for == event.value:
            self._open_first()
        else:
            self.open_first = event.value

    @work(thread=True, exclusive=True, exit_on_error=False)
    def search(self, text: str) -> None:
        found = search_leads(self.desk, text, limit=SHOWN)
        self.app.call_from_thread(self._show, text, found)

    def _show(self, text: str, found: list[LeadLine]) -> None:
        if text != self.query_one("#search-text", Input).value:
            return  # an earlier search, overtaken by more typing
        rows = [(str(line.id), Text(line.name), Text(line.company), line.phone,
                 line.stage.replace("_", " ")) for line in found]  # fmt: skip
        # Names, companies and (narrow) an extension cut to fit, so the stage
        # shows without scrolling sideways; the card shows them whole.
        narrow = (self.size.width or 120) < 116  # the dialog at its full width
        limits = (None, 14, 11, 18, None) if narrow else (None, 24, 20, None, None)
        fill(self.query_one("#search-results", DataTable), COLUMNS, rows,
             keys=[str(line.id) for line in found], limits=limits)  # fmt: skip
        self.shown_for = text
        if not text.strip():
            said = ""
        elif not found:
            said = "no lead matches"
        elif len(found) >= SHOWN:
            said = f"the newest {SHOWN} matches: type more to narrow them"
        else:
            said = f"{len(found)} found"
        self.query_one("#search-found", Static).update(said)
        if self.open_first == text:
            self.open_first = None
            self._open_first()
        elif self.to_results == text:
            self.to_results = None
            self.action_results()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A search that failed (the app says why in one line): keys stop waiting for it."""
        if event.state is WorkerState.ERROR:
            self.open_first = self.to_results = None

    def _open_first(self) -> None:
        table = self.query_one("#search-results", DataTable)
        if table.row_count:
            row_key, _ = table.coordinate_to_cell_key(Coordinate(0, 0))
            self.dismiss(int(str(row_key.value)))

    def action_results(self) -> None:
        typed = self.query_one("#search-text", Input).value
        if self.shown_for != typed and typed.strip():
            self.to_results = typed  # the results for what was typed are on their way
            return
        table = self.query_one("#search-results", DataTable)
        if table.row_count:
            # Enter already opens the first: ↓ goes on to the one after it.
            table.move_cursor(row=min(1, table.row_count - 1))
            table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(int(str(event.row_key.value)))

    def action_close(self) -> None:
        self.dismiss(None)
