"""The team view, for team leads: per-rep figures, the desk's queue, SLA and conversion.

Figures are counted in a worker, so switching periods never blocks a key;
the screen says what it is counting until the figures arrive. From here a
team lead exports qualified leads to sales and reviews sales' rejections.
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
from qualdesk.core.sparkline import sparkline
from qualdesk.core.words import counted
from qualdesk.db.models import Rep
from qualdesk.services.desk import Desk
from qualdesk.services.team import GroupFigures, RepFigures, TeamFigures, team_figures
from qualdesk.tui.screens.export import ExportDialog
from qualdesk.tui.screens.forms import AskDialog
from qualdesk.tui.screens.review import ReviewScreen
from qualdesk.tui.widgets.tables import fill

REPS = ("Rep", "Touches", "Calls", "Connects", "Rate", "Other channels", "Qualified",
        "Nurtured", "Out", "Att/lead", "Variety", "Talk")  # fmt: skip
CAMPAIGNS = ("Campaign", "Leads", "Qualified", "Rate", "Handed off", "Accepted", "Acceptance",
             "Reviewed", "Valid")  # fmt: skip
# On a narrow terminal (80 columns), the main figures only: no sideways scrolling.
NARROW_REPS = ("Rep", "Touches", "Calls", "Connects", "Rate", "Other", "Qualified",
               "Nurtured", "Out")  # fmt: skip
NARROW_CAMPAIGNS = ("Campaign", "Leads", "Qualified", "Rate", "Handed off", "Acceptance")
NARROW = 110


REFRESH_EVERY = 60.0


def _decided(accepted: int, rejected: int) -> str:
    decided = accepted + rejected
    return f" ({accepted / decided:.0%} of those decided)" if decided else ""


def pct(value: float | None) -> Text:
    return num("-" if value is None else f"{value:.0%}")


def num(value: int | str) -> Text:
    """A figure, right-aligned in its column."""
    return Text(f"{value:,}" if isinstance(value, int) else value, justify="right")


def _rep_row(r: RepFigures, narrow: bool) -> tuple[Text | str, ...]:
    """A rep's line: the main figures; when there is room, by channel and per lead too."""
    others = {channel: n for channel, n in sorted(r.by_channel.items()) if channel != "phone"}
    head = (r.rep, num(r.touches), num(r.calls), num(r.connects), pct(r.connect_rate))
    routed = (num(r.qualified), num(r.nurtured), num(r.disqualified))
    if narrow:
        return (*head, num(sum(others.values())), *routed)
    per_lead = (
        num(f"{r.attempts_per_lead:.1f}" if r.attempts_per_lead is not None else "-"),
        num(f"{r.channel_variety:.1f}" if r.channel_variety is not None else "-"),
        num(f"{r.talk_seconds // 3600}h{r.talk_seconds % 3600 // 60:02d}"),
    )
    by_channel = ", ".join(f"{c} {n:,}" for c, n in others.items())
    return (*head, by_channel, *routed, *per_lead)


def _campaign_row(g: GroupFigures, narrow: bool) -> tuple[Text | str, ...]:
    """A campaign's line: volume, qualified and acceptance; reviews too when there is room."""
    head = (g.name, num(g.leads), num(g.qualified), pct(g.qualified_rate), num(g.handed_off))
    # Nothing decided yet is no rate at all, not 0%.
    acceptance = pct(g.acceptance_rate if g.accepted + g.rejected else None)
    if narrow:
        return (*head, acceptance)
    return (*head, num(g.accepted), acceptance, num(g.reviewed), pct(g.valid_share))


class TeamScreen(Screen[None]):
    """Per-rep and desk figures for today, this week, this month, all time or chosen days."""

    CSS_PATH = "team.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "period('today')", "Today", id="team.today"),
        Binding("w", "period('week')", "Week", id="team.week"),
        Binding("m", "period('month')", "Month", id="team.month"),
        Binding("a", "period('all')", "All", id="team.all", tooltip="All time"),
        Binding("r", "dates", "Dates", id="team.dates", tooltip="Figures for days you type"),
        Binding(
            "x", "export", "Export", id="team.export", tooltip="Export qualified leads to sales"
        ),
        Binding("v", "review", "Review", id="team.review", tooltip="Review sales' rejections"),
        Binding("escape", "close", "Desk", id="team.close", tooltip="Back to the desk"),
    ]

    def __init__(self, desk: Desk, rep: Rep) -> None:
        super().__init__()
        self.desk = desk
        self.rep = rep
        self.period = named_period("today", desk.clock(), rep.time_zone)
        self.figures: TeamFigures | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="team-summary")
        yield DataTable(id="team-reps", cursor_type="row", zebra_stripes=True)
        yield Static(id="team-desk")
        yield DataTable(id="team-campaigns", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.count()

    def on_resize(self) -> None:
        self.set_class(self.size.height < 32, "-short")
        if self.figures is not None:
            self._show(self.figures)
        # The queue and today's counts move while the view is open.
        self.set_interval(REFRESH_EVERY, self._refresh)

    def _refresh(self) -> None:
        if self.is_active:
            self._count(self.period)

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
        rows = [_rep_row(r, narrow) for r in figures.reps]
        columns: tuple[str, ...] = NARROW_REPS if narrow else REPS
        fill(self.query_one("#team-reps", DataTable), columns, rows)
        touches = [t for _, t, _ in d.trend]
        qualified = [q for _, _, q in d.trend]
        text = Text()
        text.append("Queue now  ", style="bold")
        text.append(
            f"{d.due_now:,} due · {d.callable_now:,} callable now · {d.waiting_for_hours:,} "
            f"waiting for calling hours · {d.unknown_zone:,} unknown zone · "
            f"{counted(d.callbacks_later, 'callback')} later · {d.in_calls:,} in calls\n"
        )
        text.append("Speed to lead  ", style="bold")
        breach_style = "red" if d.sla_breaches else "green"
        text.append(f"{d.sla_breaches:,} breaches", style=breach_style)
        text.append(
            f" of {d.new_leads:,} new leads ({d.speed_to_lead_hours} h: {d.touched_late:,} "
            f"touched late, {d.untouched_overdue:,} still untouched)\n"
        )
        text.append("Conversion  ", style="bold")
        acceptance = (
            f"acceptance {pct(d.acceptance_rate)} of handed off{_decided(d.accepted, d.rejected)}"
            if d.accepted + d.rejected
            else "acceptance: none decided yet"
        )
        text.append(
            f"{d.new_leads:,} arrived → {d.qualified:,} of them qualified ({pct(d.conversion)}) · "
            f"{d.handed_off:,} handed off → {d.accepted:,} accepted, {d.rejected:,} rejected, "
            f"{d.awaiting_verdict:,} awaiting · {acceptance}\n"
        )
        text.append("Reviews  ", style="bold")
        text.append(
            f"{d.reviewed:,} reviewed, {counted(d.rejections_valid, 'rejection')} found valid "
            f"({pct(d.valid_share)}) · {d.to_review:,} to review (v) · "
            f"{d.waiting_for_export:,} qualified waiting for export (x)\n"
        )
        text.append(f"Last {len(d.trend)} days  ", style="bold")
        text.append("touches ")
        text.append(sparkline(touches), style="cyan")
        text.append(f" {sum(touches):,}   qualified ")
        text.append(sparkline(qualified), style="green")
        text.append(f" {sum(qualified):,}")
        self.query_one("#team-desk", Static).update(text)
        groups = [_campaign_row(g, narrow) for g in d.by_campaign]
        columns = NARROW_CAMPAIGNS if narrow else CAMPAIGNS
        limits = [24, *([None] * (len(columns) - 1))] if narrow else None
        fill(self.query_one("#team-campaigns", DataTable), columns, groups, limits=limits)

    def action_export(self) -> None:
        self.app.push_screen(ExportDialog(self.desk, self.rep), lambda _: self.count())

    def action_review(self) -> None:
        self.app.push_screen(ReviewScreen(self.desk, self.rep), lambda _: self.count())

    def action_close(self) -> None:
        self.dismiss(None)
