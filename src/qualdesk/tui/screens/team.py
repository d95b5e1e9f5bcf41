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
from qualdesk.core.words import amount, counted
from qualdesk.db.models import Rep
from qualdesk.services.desk import Desk
from qualdesk.services.figures.team import (
    DeskFigures,
    GroupFigures,
    RepFigures,
    TeamFigures,
    team_figures,
)
from qualdesk.tui.screens.export import ExportDialog
from qualdesk.tui.screens.forms import AskDialog
from qualdesk.tui.screens.review import ReviewScreen
from qualdesk.tui.widgets.tables import fill

REPS = ("Rep", "Touches", "Calls", "Connects", "Rate", "Other channels", "Qualified",
        "Nurtured", "Out", "Att/lead", "Variety", "Talk")  # fmt: skip
CAMPAIGNS = ("Campaign", "Leads", "Qualified", "Rate", "Handed off", "Accepted", "Acceptance",
             "Opps", "Won", "Won amount", "Reviewed", "Valid")  # fmt: skip
QUALIFIED_BY = ("Qualified by", "Handed off", "Accepted", "Acceptance", "Opps", "Won", "Lost",
                "Win rate", "Won amount")  # fmt: skip
WAITING = ("Waiting for sales", "Leads", "Overdue", "Oldest (working days)")
# On a narrow terminal (80 columns), the main figures only: no sideways scrolling.
NARROW_REPS = ("Rep", "Touches", "Calls", "Connects", "Rate", "Other", "Qualified",
               "Nurtured", "Out")  # fmt: skip
NARROW_CAMPAIGNS = ("Campaign", "Leads", "Qualified", "Rate", "Handed off", "Acceptance", "Won")
NARROW_QUALIFIED_BY = ("Qualified by", "Handed off", "Accepted", "Opps", "Won", "Won amount")
NARROW = 110
# The table under the desk's figures shows one of these; `t` goes to the next.
TABLES = ("campaigns", "sources", "qualified by", "follow-up", "waiting for sales")
FOLLOW_UP = ("Follow-up by rep", "On target", "Under target", "Behind", "Closed under")


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


def money(cents: int) -> Text:
    """An amount sales reported, in their currency's units, right-aligned."""
    return num(amount(cents))


def _ratio(part: int, whole: int) -> Text:
    return pct(part / whole if whole else None)


def _campaign_row(g: GroupFigures, narrow: bool) -> tuple[Text | str, ...]:
    """A campaign's line: volume, qualified, acceptance, wins; outcomes and reviews with room."""
    head = (g.name, num(g.leads), num(g.qualified), pct(g.qualified_rate), num(g.handed_off))
    # Nothing decided yet is no rate at all, not 0%.
    acceptance = pct(g.acceptance_rate if g.accepted + g.rejected else None)
    if narrow:
        return (*head, acceptance, num(g.won))
    return (*head, num(g.accepted), acceptance, num(g.opportunities), num(g.won),
            money(g.won_cents), num(g.reviewed), pct(g.valid_share))  # fmt: skip


def _qualified_by_row(r: RepFigures, narrow: bool) -> tuple[Text | str, ...]:
    """What became of the leads a rep qualified: sales' verdicts and the outcomes."""
    if narrow:
        return (r.rep, num(r.handed_off), num(r.accepted), num(r.opportunities), num(r.won),
                money(r.won_cents))  # fmt: skip
    return (r.rep, num(r.handed_off), num(r.accepted), _ratio(r.accepted, r.handed_off),
            num(r.opportunities), num(r.won), num(r.lost), _ratio(r.won, r.won + r.lost),
            money(r.won_cents))  # fmt: skip


def _line(text: Text, label: str, *parts: str | tuple[str, str]) -> None:
    text.append(f"{label}  ", style="bold")
    text.append_text(Text.assemble(*parts))
    text.append("\n")


def _desk_lines(d: DeskFigures, narrow: bool) -> Text:
    """The desk's figures, a line each; at 80 columns, each line's short form."""
    text = Text()
    late = (f"{d.sla_breaches:,} breaches", "red" if d.sla_breaches else "green")
    decided = _decided(d.accepted, d.rejected)
    waiting = d.awaiting
    overdue = (
        (f"{waiting.overdue:,} past {waiting.verdict_days} working days",
         "red" if waiting.overdue else "green")
        if waiting else ("", "")
    )  # fmt: skip
    if narrow:
        _line(
            text,
            "Queue",
            f"{d.due_now:,} due · {d.callable_now:,} callable · "
            f"{d.waiting_for_hours:,} wait for hours · "
            f"{counted(d.callbacks_later, 'callback')} later",
        )
        _line(text, "Speed to lead", late, f" of {d.new_leads:,} new ({d.speed_to_lead_hours} h)")
        f = d.follow_up
        _line(
            text,
            "Follow-up",
            f"{f.on_target:,} on target · {f.under_target:,} under "
            f"({f.behind:,} behind) · {f.closed_under_target:,} closed under",
        )
        _line(
            text,
            "Conversion",
            f"{d.new_leads:,} → {d.qualified:,} qualified ({pct(d.conversion)}) · "
            f"{d.accepted:,} accepted, {d.rejected:,} rejected, {d.awaiting_verdict:,} waiting",
        )
        _line(
            text,
            "Outcomes",
            f"{counted(d.opportunities, 'opp')} → {d.won:,} won, "
            f"{d.lost:,} lost · amount won {money(d.won_cents)}",
        )
        if waiting is not None:
            _line(text, "Sales", f"{waiting.waiting:,} waiting · ", overdue)
        _line(
            text,
            "To do",
            f"{counted(d.to_review, 'rejection')} to review (v) · "
            f"{counted(d.waiting_for_export, 'lead')} to export (x)",
        )
    else:
        _line(
            text,
            "Queue now",
            f"{d.due_now:,} due · {d.callable_now:,} callable now · "
            f"{d.waiting_for_hours:,} waiting for calling hours · {d.unknown_zone:,} unknown "
            f"zone · {counted(d.callbacks_later, 'callback')} later · {d.in_calls:,} in calls",
        )
        _line(
            text,
            "Speed to lead",
            late,
            f" of {d.new_leads:,} new leads "
            f"({d.speed_to_lead_hours} h of calling hours: {d.touched_late:,} touched late, "
            f"{d.untouched_overdue:,} still untouched)",
        )
        f = d.follow_up
        _line(
            text,
            "Follow-up",
            f"{f.on_target:,} on target · {f.under_target:,} under target ({f.behind:,} behind) · "
            f"{f.closed_under_target:,} closed under target · {f.not_owed:,} owed none",
        )
        acceptance = (
            f"acceptance {pct(d.acceptance_rate)} of handed off{decided}"
            if d.accepted + d.rejected
            else "acceptance: none decided yet"
        )
        _line(
            text,
            "Conversion",
            f"{d.new_leads:,} arrived → {d.qualified:,} of them qualified "
            f"({pct(d.conversion)}) · {d.handed_off:,} handed off → {d.accepted:,} accepted, "
            f"{d.rejected:,} rejected, {d.awaiting_verdict:,} awaiting · {acceptance}",
        )
        _line(
            text,
            "Outcomes",
            f"{d.accepted:,} accepted → "
            f"{counted(d.opportunities, 'opportunity', 'opportunities')} "
            f"({_ratio(d.opportunities, d.accepted)}) → {d.won:,} won, {d.lost:,} lost · "
            f"win rate {_ratio(d.won, d.won + d.lost)} · amount won {money(d.won_cents)}",
        )
        if waiting is not None:
            bands = [(band, n) for band, n in waiting.by_age.items() if band != "overdue"]
            ages = " · ".join(f"{band} d {n:,}" for band, n in bands)
            _line(
                text,
                "Sales' verdicts",
                f"{waiting.waiting:,} waiting ({ages}) · ",
                overdue,
                " (t: by batch)" if waiting.overdue else "",
            )
        _line(
            text,
            "Reviews",
            f"{d.reviewed:,} reviewed, "
            f"{counted(d.rejections_valid, 'rejection')} found valid ({pct(d.valid_share)}) · "
            f"{d.to_review:,} to review (v) · "
            f"{d.waiting_for_export:,} qualified waiting for export (x)",
        )
    touches = [t for _, t, _ in d.trend]
    qualified = [q for _, _, q in d.trend]
    text.append(f"Last {len(d.trend)} days  ", style="bold")
    text.append("touches ")
    text.append(sparkline(touches), style="cyan")
    text.append(f" {sum(touches):,}   qualified ")
    text.append(sparkline(qualified), style="green")
    text.append(f" {sum(qualified):,}")
    return text


class TeamScreen(Screen[None]):
    """Per-rep and desk figures for today, this week, this month, all time or chosen days."""

    CSS_PATH = "team.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "period('today')", "Today", id="team.today"),
        Binding("w", "period('week')", "Week", id="team.week"),
        Binding("m", "period('month')", "Month", id="team.month"),
        Binding("a", "period('all')", "All", id="team.all", tooltip="All time"),
        Binding("r", "dates", "Dates", id="team.dates", tooltip="Figures for days you type"),
        Binding("x", "export", "Export", id="team.export", tooltip="Export to sales or to nurture"),
        Binding("v", "review", "Review", id="team.review", tooltip="Review sales' rejections"),
        Binding(
            "t",
            "next_table",
            "Table",
            id="team.table",
            tooltip="Campaigns, sources, outcomes by who qualified, leads waiting for sales",
        ),
        Binding("escape", "close", "Desk", id="team.close", tooltip="Back to the desk"),
    ]

    def __init__(self, desk: Desk, rep: Rep) -> None:
        super().__init__()
        self.desk = desk
        self.rep = rep
        self.period = named_period("today", desk.clock(), rep.time_zone)
        self.figures: TeamFigures | None = None
        self.table = TABLES[0]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="team-summary")
        yield DataTable(id="team-reps", cursor_type="row", zebra_stripes=True)
        yield Static(id="team-desk")
        yield Static(id="team-table-title")
        yield DataTable(id="team-campaigns", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.count()
        # The queue and today's counts move while the view is open.
        self.set_interval(REFRESH_EVERY, self._refresh)

    def on_resize(self) -> None:
        self.set_class(self.size.height < 32, "-short")
        if self.figures is not None:
            self._show(self.figures)

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
        text = _desk_lines(d, narrow)
        self.query_one("#team-desk", Static).update(text)
        self._show_table(figures, narrow)

    def _show_table(self, figures: TeamFigures, narrow: bool) -> None:
        """The table under the desk's figures: the one `t` last chose."""
        d = figures.desk
        rows: list[tuple[Text | str, ...]]
        columns: tuple[str, ...]
        if self.table in ("campaigns", "sources"):
            groups = d.by_campaign if self.table == "campaigns" else d.by_source
            rows = [_campaign_row(g, narrow) for g in groups]
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
            rows = [_qualified_by_row(r, narrow) for r in figures.reps if r.handed_off]
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
