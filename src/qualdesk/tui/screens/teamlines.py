"""The team view's figures as table rows and text lines, at full width or at 80 columns."""

from __future__ import annotations

from rich.text import Text

from qualdesk.core.sparkline import sparkline
from qualdesk.core.words import amount, counted
from qualdesk.services.figures.team import DeskFigures, GroupFigures, RepFigures

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
FOLLOW_UP = ("Follow-up by rep", "On target", "Under target", "Behind", "Closed under")


def _decided(accepted: int, rejected: int) -> str:
    decided = accepted + rejected
    return f" ({accepted / decided:.0%} of those decided)" if decided else ""


def pct(value: float | None) -> Text:
    return num("-" if value is None else f"{value:.0%}")


def num(value: int | str) -> Text:
    """A figure, right-aligned in its column."""
    return Text(f"{value:,}" if isinstance(value, int) else value, justify="right")


def rep_row(r: RepFigures, narrow: bool) -> tuple[Text | str, ...]:
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


def ratio(part: int, whole: int) -> Text:
    return pct(part / whole if whole else None)


def campaign_row(g: GroupFigures, narrow: bool) -> tuple[Text | str, ...]:
    """A campaign's line: volume, qualified, acceptance, wins; outcomes and reviews with room."""
    head = (g.name, num(g.leads), num(g.qualified), pct(g.qualified_rate), num(g.handed_off))
    # Nothing decided yet is no rate at all, not 0%.
    acceptance = pct(g.acceptance_rate if g.accepted + g.rejected else None)
    if narrow:
        return (*head, acceptance, num(g.won))
    return (*head, num(g.accepted), acceptance, num(g.opportunities), num(g.won),
            money(g.won_cents), num(g.reviewed), pct(g.valid_share))  # fmt: skip


def qualified_by_row(r: RepFigures, narrow: bool) -> tuple[Text | str, ...]:
    """What became of the leads a rep qualified: sales' verdicts and the outcomes."""
    if narrow:
        return (r.rep, num(r.handed_off), num(r.accepted), num(r.opportunities), num(r.won),
                money(r.won_cents))  # fmt: skip
    return (r.rep, num(r.handed_off), num(r.accepted), ratio(r.accepted, r.handed_off),
            num(r.opportunities), num(r.won), num(r.lost), ratio(r.won, r.won + r.lost),
            money(r.won_cents))  # fmt: skip


def _line(text: Text, label: str, *parts: str | tuple[str, str]) -> None:
    text.append(f"{label}  ", style="bold")
    text.append_text(Text.assemble(*parts))
    text.append("\n")


def desk_lines(d: DeskFigures, narrow: bool) -> Text:
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
            f"({ratio(d.opportunities, d.accepted)}) → {d.won:,} won, {d.lost:,} lost · "
            f"win rate {ratio(d.won, d.won + d.lost)} · amount won {money(d.won_cents)}",
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
