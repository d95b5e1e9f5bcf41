"""The team view, for team leads: per-rep figures, the desk's queue, SLA and conversion.

Figures are counted in a worker, so switching periods never blocks a key;
the screen says what it is counting until the figures arrive. From here a
team lead exports qualified leads to sales, reviews sales' rejections, and
watches the live floor (`f`): who is at the desk now, doing what.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from qualdesk.core.periods import Period, PeriodProblem, named_period, typed_period
from qualdesk.db.models import Rep
from qualdesk.services.desk import Desk
from qualdesk.services.figures.team import TeamFigures, team_figures
from qualdesk.tui.screens.export import ExportDialog
from qualdesk.tui.screens.floor import FloorView
from qualdesk.tui.screens.forms import AskDialog
from qualdesk.tui.screens.review import ReviewScreen
from qualdesk.tui.screens.teamlines import (
    CAMPAIGNS,
    FOLLOW_UP,
    NARROW,
    NARROW_CAMPAIGNS,
    NARROW_QUALIFIED_BY,
    NARROW_REPS,
    QUALIFIED_BY,
    REPS,
    WAITING,
    campaign_row,
    desk_lines,
    num,
    qualified_by_row,
    rep_row,
)
from qualdesk.tui.widgets.tables import fill

# The table under the desk's figures shows one of these; `t` goes to the next.
TABLES = ("campaigns", "sources", "qualified by", "follow-up", "waiting for sales")
REFRESH_EVERY = 60.0
# Keys that work on the figures only, and on the live floor only.
FIGURES_ONLY = frozenset({"period", "dates", "next_table", "floor"})
FLOOR_ONLY = frozenset({"figures", "release", "hand_callbacks"})


class TeamScreen(Screen[None]):
    """Per-rep and desk figures for today, this week, this month, all time or chosen days;
    and the live floor."""

    CSS_PATH = "team.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "period('today')", "Today", id="team.today"),
        Binding("w", "period('week')", "Week", id="team.week"),
        Binding("m", "period('month')", "Month", id="team.month"),
        Binding("a", "period('all')", "All", id="team.all", tooltip="All time"),
        Binding("r", "dates", "Dates", id="team.dates", tooltip="Figures for days you type"),
        Binding(
            "t",
            "next_table",
            "Table",
            id="team.table",
            tooltip="Campaigns, sources, outcomes by who qualified, leads waiting for sales",
        ),
        Binding(
            "f",
            "floor",
            "Floor",
            id="team.floor",
            tooltip="The live floor: who is at a desk now, the lead they hold, what they do",
        ),
        Binding("f", "figures", "Figures", id="team.figures", tooltip="Back to the figures"),
        Binding(
            "r",
            "release",
            "Release lead",
            id="team.release",
            tooltip="On the floor: release the highlighted rep's lead (asks first; "
            "their notes stay their draft)",
        ),
        Binding(
            "c",
            "hand_callbacks",
            "Hand callbacks",
            id="team.hand-callbacks",
            tooltip="On the floor: hand the highlighted rep's callbacks to another rep",
        ),
        Binding("x", "export", "Export", id="team.export", tooltip="Export to sales or to nurture"),
        Binding("v", "review", "Review", id="team.review", tooltip="Review sales' rejections"),
        Binding("escape", "close", "Desk", id="team.close", tooltip="Back to the desk"),
    ]

    def __init__(self, desk: Desk, rep: Rep) -> None:
        super().__init__()
        self.desk = desk
        self.rep = rep
        self.period = named_period("today", desk.clock(), rep.time_zone)
        self.figures: TeamFigures | None = None
        self.table = TABLES[0]
        # The live floor shows instead of the figures (`f` switches).
        self.on_floor = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="team-summary")
        yield DataTable(id="team-reps", cursor_type="row", zebra_stripes=True)
        yield Static(id="team-desk")
        yield Static(id="team-table-title")
        yield DataTable(id="team-campaigns", cursor_type="row", zebra_stripes=True)
        yield FloorView(self.desk, self.rep, id="team-floor")
        yield Footer()

    def on_mount(self) -> None:
        self.count()
        # The queue and today's counts move while the view is open.
        self.set_interval(REFRESH_EVERY, self._refresh)

    def on_resize(self) -> None:
        self.set_class(self.size.height < 32, "-short")
        if self.figures is not None:
            self._show(self.figures)
        self.query_one(FloorView).show(narrow=(self.size.width or 120) < NARROW)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The period and table keys belong to the figures, release and hand-over to the floor."""
        if action in FIGURES_ONLY:
            return not self.on_floor
        if action in FLOOR_ONLY:
            return self.on_floor
        return True

    def _refresh(self) -> None:
        if self.is_active and not self.on_floor:
            self._count(self.period)

    def action_floor(self) -> None:
        """Show the live floor in place of the figures, read at once and every few seconds."""
        self._switch(True)
        floor = self.query_one(FloorView)
        floor.read()
        floor.focus_table()

    def action_figures(self) -> None:
        self._switch(False)
        self.query_one("#team-reps", DataTable).focus()
        self.count()

    def _switch(self, on_floor: bool) -> None:
        self.on_floor = on_floor
        self.set_class(on_floor, "-floor")
        self.refresh_bindings()

    def action_release(self) -> None:
        self.query_one(FloorView).release_selected()

    def action_hand_callbacks(self) -> None:
        self.query_one(FloorView).hand_selected()

    def action_period(self, name: str) -> None:
        self.period = named_period(name, self.desk.clock(), self.rep.time_zone)
        self.count()

    def action_dates(self) -> None:
        self.app.push_screen(
            AskDialog(
                "Count which days?",
                "From and to, both included, in your zone: 'nov 1 to nov 15', "
                "'2026-11-01', 'monday to today'.",
                placeholder="nov 1 to today",
                check=lambda typed: self._read_dates(typed)[1],
            ),
            self._dates,
        )

    def _read_dates(self, typed: str) -> tuple[Period | None, str | None]:
        """The period typed, or what is wrong with it."""
        if not typed:
            return None, "Type the days: 'nov 1 to today', or a single day."
        since, _, until = typed.partition(" to ")
        try:
            period = typed_period(
                since.strip() or None, until.strip() or None, self.desk.clock(),
                self.rep.time_zone, names=("from", "to"),
            )  # fmt: skip
        except PeriodProblem as exc:
            return None, str(exc)
        return period, None

    def _dates(self, typed: str | None) -> None:
        period, _ = self._read_dates(typed or "")
        if period is not None:
            self.period = period
            self.count()

    def count(self) -> None:
        self.query_one("#team-summary", Static).update(
            Text.assemble(("Team figures ", "bold"), f"for {self.period.label}: counting…")
        )
        self._count(self.period)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _count(self, period: Period) -> None:
        figures = team_figures(self.desk, period, self.rep.time_zone)
        self.app.call_from_thread(self._show, figures)

    def _show(self, figures: TeamFigures) -> None:
        if figures.period != self.period:
            return  # overtaken by another period chosen meanwhile
        self.figures = figures
        d = figures.desk
        narrow = (self.size.width or 120) < NARROW
        summary = Text.assemble(("Team figures ", "bold"), f"for {figures.period.label}")
        if not narrow:
            summary.append(f" ({figures.zone})")
        self.query_one("#team-summary", Static).update(summary)
        rows = [rep_row(r, narrow) for r in figures.reps]
        columns: tuple[str, ...] = NARROW_REPS if narrow else REPS
        fill(self.query_one("#team-reps", DataTable), columns, rows)
        text = desk_lines(d, narrow)
        self.query_one("#team-desk", Static).update(text)
        self._show_table(figures, narrow)

    def _show_table(self, figures: TeamFigures, narrow: bool) -> None:
        """The table under the desk's figures: the one `t` last chose."""
        d = figures.desk
        rows: list[tuple[Text | str, ...]]
        columns: tuple[str, ...]
        if self.table in ("campaigns", "sources"):
            groups = d.by_campaign if self.table == "campaigns" else d.by_source
            rows = [campaign_row(g, narrow) for g in groups]
            columns = NARROW_CAMPAIGNS if narrow else CAMPAIGNS
            columns = (self.table[:-1].capitalize(), *columns[1:])
        elif self.table == "follow-up":
            rows = [
                (r.rep, num(r.follow_up.on_target), num(r.follow_up.under_target),
                 num(r.follow_up.behind), num(r.follow_up.closed_under_target))
                for r in figures.reps
            ]  # fmt: skip
            columns = FOLLOW_UP
        elif self.table == "qualified by":
            rows = [qualified_by_row(r, narrow) for r in figures.reps if r.handed_off]
            columns = NARROW_QUALIFIED_BY if narrow else QUALIFIED_BY
        else:
            waiting = d.awaiting
            named = [
                *((g.name, g) for g in (waiting.by_batch if waiting else ())),
                *((f"campaign {g.name}", g) for g in (waiting.by_campaign if waiting else ())),
            ]
            rows = [(name, num(g.waiting), num(g.overdue), num(g.oldest)) for name, g in named]
            columns = WAITING
        # At 80 columns, names are cut to leave the figures in view.
        first = 32 if self.table == "waiting for sales" else 24
        limits = [first, *([None] * (len(columns) - 1))] if narrow else None
        fill(self.query_one("#team-campaigns", DataTable), columns, rows, limits=limits)
        others = ", ".join(name for name in TABLES if name != self.table)
        title = Text.assemble((self.table.capitalize(), "bold"), f"   t: {others}")
        if not rows:
            title.append("   (none)")
        self.query_one("#team-table-title", Static).update(title)

    def action_next_table(self) -> None:
        self.table = TABLES[(TABLES.index(self.table) + 1) % len(TABLES)]
        if self.figures is not None:
            self._show_table(self.figures, (self.size.width or 120) < NARROW)

    def action_export(self) -> None:
        self.app.push_screen(ExportDialog(self.desk, self.rep), lambda _: self.count())

    def action_review(self) -> None:
        self.app.push_screen(ReviewScreen(self.desk, self.rep), lambda _: self.count())

    def action_close(self) -> None:
        self.dismiss(None)
