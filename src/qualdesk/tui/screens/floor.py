"""The live floor in the team view: every rep at a desk or holding a lead, read every few seconds.

The floor is read in a worker, so its refresh never holds a key, and the
highlighted rep stays highlighted across refreshes. From here a team lead
releases the lead a rep holds (asked first; their notes stay their draft)
and hands a rep's callbacks to another active rep, picked from a list.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from qualdesk.core.display import shown
from qualdesk.core.errors import QualdeskError
from qualdesk.core.floor import CALL, CARD, ROUTING, TEAM, WAITING, elapsed
from qualdesk.core.hours import zone
from qualdesk.core.words import counted
from qualdesk.db.models import Rep
from qualdesk.services.access import as_rep
from qualdesk.services.desk import Desk
from qualdesk.services.floor import Floor, FloorRow, floor, hand_callbacks, release_lead
from qualdesk.services.problems import unexpected_line
from qualdesk.services.reps import list_reps
from qualdesk.tui.screens.forms import ConfirmDialog
from qualdesk.tui.widgets.keys import legend
from qualdesk.tui.widgets.tables import fill

# The floor moves by the second; reading it costs two small index walks.
READ_EVERY = 5.0
COLUMNS = ("", "Rep", "Desk", "Lead", "Doing", "For", "Idle", "Today", "Callbacks")
NARROW_COLUMNS = ("", "Rep", "Lead", "Doing", "For", "Idle", "Today", "Cb")
# The widest each column may be; the lead's column (None here) takes what the others leave.
WIDE_LIMITS = (None, 10, 18, None, 22, None, None, None, None)
NARROW_LIMITS = (None, 8, None, 12, None, None, None, None)
# The least the lead's column gets, cutting others' text before it gets less.
LEAD_AT_LEAST = 20
# What a rep is doing, in a narrow column.
SHORT = {WAITING: "waiting", CARD: "on the card", CALL: "on a call", ROUTING: "routing",
         TEAM: "team view"}  # fmt: skip


def _lead(row: FloorRow, now: datetime) -> str:
    """The lead held: its id, how long the rep has had it on their card, who it is."""
    if row.lead is None:
        return ""
    held = f"({elapsed(_seconds(row.lead.since, now))}) " if row.lead.since else ""
    return f"#{row.lead.id} {held}{row.lead.who}"


def _desk(row: FloorRow) -> str:
    if not row.source:
        return "no desk open"
    where = row.place if row.source == "terminal" else f"browser {row.place}"
    return where + (f" (+{row.desks - 1})" if row.desks > 1 else "")


def floor_cells(row: FloorRow, now: datetime, narrow: bool) -> tuple[Text | str, ...]:
    """A rep's line on the floor: live or gone, the lead held, what they do and for how long."""
    mark = Text("●", style="green") if row.live else Text("○", style="red")
    rep = row.handle + (" (lead)" if row.role == "lead" and not narrow else "")
    if row.live:
        doing = Text(SHORT.get(row.state, row.state) if narrow else row.state_words)
        span = elapsed(_seconds(row.state_since, now))
        idle = elapsed(row.idle_seconds)
    else:
        doing = Text("gone", style="bold red" if row.lead else "red")
        if row.state and not narrow:
            doing.append(f" (was {SHORT.get(row.state, row.state)})", style="dim")
        span = elapsed(_seconds(row.seen_at, now)) if row.seen_at else "-"
        idle = "-"
    right = [Text(value, justify="right") for value in (span, idle)]
    counts = [Text(f"{n:,}", justify="right") for n in (row.touches_today, row.callbacks)]
    if narrow:
        return (mark, rep, _lead(row, now), doing, *right, *counts)
    return (mark, rep, _desk(row), _lead(row, now), doing, *right, *counts)


def _cell_width(cell: Text | str) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(shown(cell))


def _seconds(then: datetime | None, now: datetime) -> int | None:
    return None if then is None else max(0, int((now - then).total_seconds()))


class FloorView(Vertical):
    """The live floor: a title line saying who is there, and a row per rep."""

    DEFAULT_CSS = """
    FloorView {
        height: 1fr;
    }
    FloorView #floor-title {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    FloorView #floor-reps {
        height: 1fr;
    }
    """

    class Read(Message):
        """The floor as just read (or why it could not be)."""

        def __init__(self, floor: Floor | None, problem: str = "") -> None:
            super().__init__()
            self.floor = floor
            self.problem = problem

    def __init__(self, desk: Desk, rep: Rep, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.desk = desk
        self.rep = rep
        self.floor: Floor | None = None
        self.narrow = False

    def compose(self) -> ComposeResult:
        yield Static(Text("Live floor: reading…", style="bold"), id="floor-title")
        yield DataTable(id="floor-reps", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.set_interval(READ_EVERY, self._tick)

    def _tick(self) -> None:
        if self.display and self.screen.is_active:
            self.read()

    @work(thread=True, exclusive=True, group="floor", exit_on_error=False)
    def read(self) -> None:
        """Read the floor now (in a worker); the table follows when it arrives."""
        try:
            seen = floor(self.desk, self.rep.time_zone, by=as_rep(self.rep))
        except QualdeskError as exc:
            self.post_message(self.Read(None, str(exc)))
        except Exception as exc:  # shown once in the title, logged
            self.post_message(self.Read(None, unexpected_line(exc)))
        else:
            self.post_message(self.Read(seen))

    @on(Read)
    def _read(self, message: Read) -> None:
        if message.floor is None:
            self.query_one("#floor-title", Static).update(
                Text.assemble(("Live floor: ", "bold"), (shown(message.problem), "red"))
            )
            return
        self.show(message.floor)

    def show(self, seen: Floor | None = None, *, narrow: bool | None = None) -> None:
        """Draw the floor (the last one read, unless given), keeping the highlighted rep."""
        if narrow is not None:
            self.narrow = narrow
        if seen is not None:
            self.floor = seen
        if self.floor is None:
            return
        table = self.query_one("#floor-reps", DataTable)
        keep = self.selected()
        rows = self.floor.rows
        now = self.floor.now
        columns = NARROW_COLUMNS if self.narrow else COLUMNS
        cells = [floor_cells(row, now, self.narrow) for row in rows]
        fill(
            table, columns, cells, keys=[row.handle for row in rows],
            limits=self._limits(columns, cells, self.screen.size.width or 80),
        )  # fmt: skip
        handles = [row.handle for row in rows]
        if keep is not None and keep.handle in handles:
            table.move_cursor(row=handles.index(keep.handle), animate=False)
        self.query_one("#floor-title", Static).update(self._title(self.floor))

    def _limits(
        self, columns: tuple[str, ...], cells: list[tuple[Text | str, ...]], width: int
    ) -> list[int | None]:
        """Each column's widest, the lead's being what the others leave of the table's width."""
        limits = list(NARROW_LIMITS if self.narrow else WIDE_LIMITS)
        lead = columns.index("Lead")
        others = 0
        for index, label in enumerate(columns):
            if index == lead:
                continue
            widest = max([cell_len(label), *(_cell_width(row[index]) for row in cells)])
            cap = limits[index]
            others += min(widest, cap) if cap is not None else widest
        # Each column's padding (one each side), and the scrollbar's room.
        left = width - others - 2 * len(columns) - 2
        limits[lead] = max(LEAD_AT_LEAST, left)
        return limits

    def _title(self, seen: Floor) -> Text:
        live = sum(1 for row in seen.rows if row.live)
        gone = len(seen.rows) - live
        held = sum(1 for row in seen.rows if row.lead is not None)
        at = seen.now.astimezone(zone(self.rep.time_zone))
        title = Text("Live floor  ", style="bold")
        if not seen.rows:
            title.append("nobody is at a desk and no lead is held")
        else:
            title.append(f"{live:,} at a desk")
            if gone:
                title.append(" · ")
                title.append(f"{gone:,} gone", style="red")
            title.append(f" · {counted(held, 'lead')} held")
        title.append(f"   as of {at:%H:%M:%S}", style="dim")
        return title

    def selected(self) -> FloorRow | None:
        """The highlighted rep's row, if the floor has any."""
        if self.floor is None or not self.floor.rows:
            return None
        table = self.query_one("#floor-reps", DataTable)
        if table.row_count == 0:
            return None
        handle = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.floor.row(str(handle))

    def focus_table(self) -> None:
        self.query_one("#floor-reps", DataTable).focus()

    # -- the team lead's remedies ------------------------------------------------

    def release_selected(self) -> None:
        """Ask, then release the lead the highlighted rep holds."""
        row = self.selected()
        if row is None or row.lead is None:
            who = f"{row.handle} holds no lead" if row else "Nobody is on the floor"
            self.notify(f"{who}: nothing to release.", severity="warning")
            return
        lead_id = row.lead.id

        def answered(yes: bool | None) -> None:
            if yes:
                self._release(lead_id, row.handle)

        self.app.push_screen(ConfirmDialog(_release_question(row), "release", "keep"), answered)

    @work(thread=True, group="floor-change", exit_on_error=False)
    def _release(self, lead_id: int, handle: str) -> None:
        try:
            holder = release_lead(self.desk, as_rep(self.rep), lead_id, holder=handle)
        except QualdeskError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=8)
            return
        self.app.call_from_thread(
            self.notify,
            f"Released lead #{lead_id} from {holder}: it is back in the queue; "
            f"{holder}'s notes stay as their draft.",
            timeout=6,
        )
        self.read()

    def hand_selected(self) -> None:
        """Pick another active rep, then hand them the highlighted rep's callbacks."""
        row = self.selected()
        if row is None:
            self.notify("Nobody is on the floor.", severity="warning")
            return
        if row.callbacks == 0:
            self.notify(f"{row.handle} owns no callbacks to hand over.", severity="warning")
            return
        self._pick_taker(row.handle, row.callbacks)

    @work(thread=True, group="floor-change", exit_on_error=False)
    def _pick_taker(self, giver: str, count: int) -> None:
        try:
            takers = [r for r in list_reps(self.desk, active_only=True) if r.handle != giver]
        except QualdeskError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=8)
            return

        def picked(taker: str | None) -> None:
            if taker:
                self._hand(giver, taker)

        if not takers:
            self.app.call_from_thread(
                self.notify, "No other active rep to take them.", severity="warning"
            )
            return
        title = f"Hand {giver}'s {counted(count, 'callback')} to"
        live = {row.handle for row in self.floor.rows if row.live} if self.floor else set()
        self.app.call_from_thread(self.app.push_screen, RepPicker(title, takers, live), picked)

    @work(thread=True, group="floor-change", exit_on_error=False)
    def _hand(self, giver: str, taker: str) -> None:
        try:
            moved = hand_callbacks(self.desk, as_rep(self.rep), giver, taker)
        except QualdeskError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=8)
            return
        self.app.call_from_thread(
            self.notify, f"Handed {counted(moved, 'callback')} from {giver} to {taker}.", timeout=6
        )
        self.read()


def _release_question(row: FloorRow) -> Text:
    """What releasing the lead does, for the team lead to confirm."""
    assert row.lead is not None
    who = shown(row.lead.who)
    text = Text.assemble(
        ("Release ", "bold"), (f"#{row.lead.id} {who}", "bold"), " held by ",
        (row.handle, "bold"), f" ({shown(row.name)})?\n\n",
    )  # fmt: skip
    if row.live:
        text.append(
            f"{row.handle}'s desk is live ({row.state_words}): their card closes and "
            "anything they log on it now is refused.\n",
            style="yellow",
        )
    else:
        text.append(f"{row.handle}'s desk has gone.\n")
    text.append(
        f"The lead goes back to the queue at once; the notes {row.handle} typed stay as "
        "their draft, and come back when they open it again."
    )
    return text


class RepPicker(ModalScreen[str | None]):
    """Choose an active rep from a list: ↑↓ choose, Enter picks, Esc cancels."""

    CSS_PATH = "dialogs.tcss"
    # The same ids as any one-answer question, so a remapped Enter or Esc works here too.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "confirm", "Pick", id="ask.confirm", priority=True),
        Binding("escape", "cancel", "Cancel", id="ask.cancel"),
    ]

    def __init__(self, title: str, reps: list[Rep], live: set[str] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.reps = reps
        # Handles at a desk now, marked in the list.
        self.live = live or set()

    def compose(self) -> ComposeResult:
        wide = max(len(r.handle) for r in self.reps)
        with Vertical(classes="dialog", id="pick"):
            yield Static(Text(self.title_text, style="bold"), classes="dialog-title")
            yield OptionList(*(self._option(r, wide) for r in self.reps), id="pick-reps")
            yield Static(
                legend(("↑↓", "choose"), ("Enter", "hand over"), ("Esc", "cancel"),
                       ("●", "at a desk now")),
                classes="dialog-keys",
            )  # fmt: skip

    def _option(self, rep: Rep, wide: int) -> Option:
        mark = ("● ", "green") if rep.handle in self.live else "  "
        role = " (team lead)" if rep.role == "lead" else ""
        return Option(Text.assemble(mark, f"{rep.handle:<{wide}}  ", shown(rep.name), role),
                      id=rep.handle)  # fmt: skip

    def on_mount(self) -> None:
        options = self.query_one("#pick-reps", OptionList)
        options.highlighted = 0
        options.focus()

    def action_confirm(self) -> None:
        options = self.query_one("#pick-reps", OptionList)
        if options.highlighted is None:
            return
        self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected)
    def _chosen(self, message: OptionList.OptionSelected) -> None:
        self.dismiss(message.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
