"""`qualdesk stats`, `export` and `feedback`: the team's figures and the hand-off to sales."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from qualdesk.cli.context import AppContext, pass_app, reading_zone
from qualdesk.cli.output import ProgressBar, print_json, say, table
from qualdesk.core.errors import QualdeskError
from qualdesk.core.words import amount, counted

if TYPE_CHECKING:
    from qualdesk.services.desk import Desk
    from qualdesk.services.figures.team import TeamFigures
    from qualdesk.services.handoff.export import ExportResult


@click.command("stats")
@click.option("--since", metavar="DATE", help="First day counted (2026-11-01, nov 1, monday…).")
@click.option("--until", metavar="DATE", help="Last day counted (default: today).")
@click.option("--period", type=click.Choice(["today", "week", "month", "all"]),
              help="A named period instead of --since/--until (default: today).")  # fmt: skip
@click.option("--rep", "rep", metavar="HANDLE", help="Only this rep.")
@click.option("--zone", metavar="ZONE", help="Time zone days are counted in.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
def stats_command(
    app: AppContext,
    since: str | None,
    until: str | None,
    period: str | None,
    rep: str | None,
    zone: str | None,
    as_json: bool,
) -> None:
    """Per-rep touches, calls, connects and routes, and the desk's queue, SLA and conversion.

    Days are whole days in the team lead's zone (--zone, else the config's
    rep, else the first team lead). Without dates: today.
    """
    from qualdesk.core.periods import PeriodProblem, named_period, typed_period
    from qualdesk.services.figures.team import team_figures
    from qualdesk.services.reps import find_rep

    if period and (since or until):
        raise click.UsageError("give --period or --since/--until, not both")
    desk = app.desk()
    where = reading_zone(app, desk, zone)
    if rep is not None:
        find_rep(desk, rep)  # an unknown handle is refused with its own line
    now = desk.clock()
    try:
        span = (
            typed_period(since, until, now, where)
            if since or until
            else named_period(period or "today", now, where)
        )
    except PeriodProblem as exc:
        raise QualdeskError(str(exc)) from None
    figures = team_figures(desk, span, where, rep)
    if as_json:
        print_json(figures.as_json())
    else:
        _print_figures(figures)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _hours(seconds: int) -> str:
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}"


def _print_figures(figures: TeamFigures) -> None:
    from qualdesk.core.sparkline import sparkline

    period, d = figures.period, figures.desk
    say(f"Team figures for {period.label} ({figures.zone})")
    channels = sorted({c for r in figures.reps for c in r.by_channel} - {"phone"})
    table(
        ["rep", "touches", "calls", "connects", "rate", *channels, "qualified", "nurtured",
         "out", "att/lead", "variety", "talk", "on target", "under", "closed under"],
        [
            (r.rep, r.touches, r.calls, r.connects, _pct(r.connect_rate),
             *(r.by_channel.get(c, 0) for c in channels), r.qualified, r.nurtured,
             r.disqualified, _ratio(r.attempts_per_lead), _ratio(r.channel_variety),
             _hours(r.talk_seconds), r.follow_up.on_target, r.follow_up.under_target,
             r.follow_up.closed_under_target)
            for r in figures.reps
        ],
    )  # fmt: skip
    say("")
    say(
        f"Queue now: {d.due_now:,} due, {d.callable_now:,} callable now, "
        f"{d.waiting_for_hours:,} waiting for calling hours, {d.unknown_zone:,} of unknown zone, "
        f"{counted(d.callbacks_later, 'callback')} later, {d.in_calls:,} in calls, "
        f"{d.waiting_for_export:,} waiting for export"
    )
    say(
        f"Speed to lead ({d.speed_to_lead_hours} h of calling hours to a first touch by "
        f"{' or '.join(d.speed_to_lead_channels)}): {d.sla_breaches:,} of {d.new_leads:,} new "
        f"leads breached ({d.touched_late:,} touched late, {d.untouched_overdue:,} still untouched)"
    )
    follow = d.follow_up
    say(
        f"Follow-up: {follow.on_target:,} of {d.new_leads:,} new leads on target, "
        f"{follow.under_target:,} under target ({follow.behind:,} past their window), "
        f"{follow.closed_under_target:,} closed under target, {follow.not_owed:,} owed none "
        "(out without a conversation: do-not-call, a wrong number)"
    )
    say(
        f"Conversion: {d.new_leads:,} arrived -> {d.qualified:,} of them qualified "
        f"({_pct(d.conversion)}); "
        f"{d.handed_off:,} handed off -> {d.accepted:,} accepted, {d.rejected:,} rejected, "
        + (
            f"{d.awaiting_verdict:,} awaiting (acceptance {_pct(d.acceptance_rate)} of handed off, "
            f"{d.accepted / (d.accepted + d.rejected):.0%} of those decided)"
            if d.accepted + d.rejected
            else f"{d.awaiting_verdict:,} awaiting (acceptance: none decided yet)"
        )
    )
    say(
        f"Outcomes: {d.accepted:,} accepted -> "
        f"{counted(d.opportunities, 'opportunity', 'opportunities')} "
        f"({_pct(d.opportunities / d.accepted if d.accepted else None)}) -> {d.won:,} won, "
        f"{d.lost:,} lost (win rate {_pct(d.won / (d.won + d.lost) if d.won + d.lost else None)}); "
        f"won amount {amount(d.won_cents)}"
    )
    if d.awaiting is not None:
        a = d.awaiting
        ages = ", ".join(f"{band} days: {n:,}" for band, n in a.by_age.items() if band != "overdue")
        say(
            f"Sales' verdicts ({a.verdict_days} working days, {a.working_days}): "
            f"{a.waiting:,} waiting now ({ages}); {a.overdue:,} overdue"
            + (" (qualdesk export --overdue lists them)" if a.overdue else "")
        )
    say(
        f"Reviews: {counted(d.reviewed, 'rejection')} reviewed, {d.rejections_valid:,} found valid "
        f"({_pct(d.valid_share)}); {d.to_review:,} waiting for review"
    )
    touches = [t for _, t, _ in d.trend]
    qualified = [q for _, _, q in d.trend]
    say(
        f"Last {len(d.trend)} days: touches {sparkline(touches)} ({sum(touches):,}), "
        f"qualified {sparkline(qualified)} ({sum(qualified):,})"
    )
    for title, groups in (("source", d.by_source), ("campaign", d.by_campaign)):
        say("")
        table(
            [title, "leads", "qualified", "rate", "handed off", "accepted", "acceptance",
             "opps", "won", "lost", "won amount", "reviewed", "valid"],
            [
                (g.name, g.leads, g.qualified, _pct(g.qualified_rate), g.handed_off, g.accepted,
                 _pct(g.acceptance_rate if g.accepted + g.rejected else None), g.opportunities,
                 g.won, g.lost, amount(g.won_cents), g.reviewed, _pct(g.valid_share))
                for g in groups
            ],
        )  # fmt: skip
    if any(r.handed_off for r in figures.reps):
        say("")
        table(
            ["qualified by", "handed off", "accepted", "opps", "won", "lost", "won amount"],
            [
                (r.rep, r.handed_off, r.accepted, r.opportunities, r.won, r.lost,
                 amount(r.won_cents))
                for r in figures.reps
                if r.handed_off
            ],
        )  # fmt: skip
    if d.awaiting is not None and d.awaiting.waiting:
        for title, waiting in (("export batch", d.awaiting.by_batch),
                               ("campaign", d.awaiting.by_campaign)):  # fmt: skip
            say("")
            table(
                [title, "waiting for sales", "overdue", "oldest (working days)"],
                [(g.name, g.waiting, g.overdue, g.oldest) for g in waiting],
            )


@click.command("export")
@click.option("--out", type=click.Path(path_type=Path), help="File (or folder) to write.")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv",
              show_default=True, help="File format.")  # fmt: skip
@click.option("--profile", type=click.Choice(["plain", "salesforce", "hubspot"]),
              default="plain", show_default=True,
              help="Column layout for the receiving CRM.")  # fmt: skip
@click.option("--to", "to", type=click.Choice(["sales", "nurture"]), default="sales",
              show_default=True, help="Qualified leads to sales, or nurtured ones back to "
              "marketing.")  # fmt: skip
@click.option("--include-out", is_flag=True,
              help="With --to nurture: disqualified leads too, do-not-call marked.")  # fmt: skip
@click.option("--batch", "batch_id", type=int, metavar="ID",
              help="Write a past batch again, byte for byte.")  # fmt: skip
@click.option("--overdue", is_flag=True,
              help="List leads past sales' time for a verdict, for sales to act on.")  # fmt: skip
@click.option(
    "--zone", metavar="ZONE", help="With --overdue: the zone working days are counted in."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
def export_command(
    app: AppContext,
    out: Path | None,
    fmt: str,
    profile: str,
    to: str,
    include_out: bool,
    batch_id: int | None,
    overdue: bool,
    zone: str | None,
    as_json: bool,
) -> None:
    """Hand qualified leads to sales, or nurtured ones back to marketing, with their profiles.

    To sales: every qualified lead not yet handed off, marked handed off, as
    one batch, only once the file is completely written. --to nurture hands
    marketing every lead routed to nurture since its last hand-back, with
    the profile so far, why, and when it comes back to the desk; the leads
    stay on the desk as they are. --include-out adds the disqualified ones,
    those on the do-not-call list marked so. --batch ID writes a past batch
    (either) again as it was. --overdue writes the handed-off leads past
    sales' time for a verdict ([sales] verdict_days) and hands nothing off.
    """
    from qualdesk.services.handoff.export import export_again, export_leads

    _check_export_flags(overdue, batch_id, zone)
    desk = app.desk()
    if overdue:
        _export_overdue(app, desk, out, fmt, zone, as_json)
        return
    bar = ProgressBar("Exporting", 0, minimum=10_000)
    try:
        if batch_id is not None:
            from click.core import ParameterSource

            source = click.get_current_context().get_parameter_source
            flags = {"fmt": "--format", "profile": "--profile", "to": "--to",
                     "include_out": "--include-out"}  # fmt: skip
            chosen = [
                flag
                for name, flag in flags.items()
                if source(name) not in (None, ParameterSource.DEFAULT)
            ]
            if chosen:
                raise click.UsageError(
                    f"--batch writes the batch as it was first written; drop {chosen[0]}"
                )
            result = export_again(desk, batch_id, by=app.actor(), out=out, progress=bar.update)
        else:
            if include_out and to != "nurture":
                raise click.UsageError("--include-out goes with --to nurture")
            result = export_leads(desk, out=out, fmt=fmt, profile=profile, by=app.actor(),
                                  progress=bar.update, to=to, include_out=include_out)  # fmt: skip
    finally:
        bar.close()
    if as_json:
        print_json(result.as_json())
    elif result.destination == "nurture" and not result.again:
        _say_nurture(result, include_out)
    elif result.exported == 0 and result.file is None:
        say("No qualified leads are waiting to be handed off; nothing written.")
    elif result.again:
        say(f"Wrote batch {result.batch_id} again: {result.exported:,} leads -> {result.file}")
    else:
        say(
            f"Handed off {counted(result.exported, 'lead')} to sales as batch {result.batch_id} "
            f"({result.profile} {result.format}) -> {result.file}"
        )


def _check_export_flags(overdue: bool, batch_id: int | None, zone: str | None) -> None:
    from click.core import ParameterSource

    source = click.get_current_context().get_parameter_source
    if overdue:
        other = {"batch_id": "--batch", "profile": "--profile", "to": "--to",
                 "include_out": "--include-out"}  # fmt: skip
        chosen = [flag for name, flag in other.items()
                  if source(name) not in (None, ParameterSource.DEFAULT)]  # fmt: skip
        if chosen:
            raise click.UsageError(f"--overdue lists leads waiting for sales; drop {chosen[0]}")
    elif zone is not None:
        raise click.UsageError("--zone goes with --overdue")


def _export_overdue(
    app: AppContext, desk: Desk, out: Path | None, fmt: str, zone: str | None, as_json: bool
) -> None:
    from qualdesk.services.handoff.awaiting import export_overdue

    listed = export_overdue(desk, reading_zone(app, desk, zone), by=app.actor(), out=out, fmt=fmt)
    if as_json:
        print_json(listed.as_json())
    elif listed.file is None:
        say(f"No lead is past sales' {listed.verdict_days} working days for a verdict; "
            "nothing written.")  # fmt: skip
    else:
        oldest = max(lead.age for lead in listed.leads)
        say(
            f"{counted(len(listed.leads), 'lead')} past sales' {listed.verdict_days} working "
            f"days for a verdict (oldest {oldest} working days) -> {listed.file}"
        )


def _say_nurture(result: ExportResult, include_out: bool) -> None:
    if result.file is None:
        which = "nurtured or disqualified leads are" if include_out else "nurtured leads are"
        say(f"No {which} waiting to go back to marketing; nothing written.")
        return
    say(
        f"Handed {counted(result.exported, 'lead')} back to marketing's nurture as batch "
        f"{result.batch_id} ({result.profile} {result.format}) -> {result.file}"
    )
    if result.out:
        say(
            f"  {result.out:,} of them out (disqualified), {result.do_not_call:,} on the "
            "do-not-call list (marked: keep them off every call list)"
        )


@click.command("feedback")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--zone", metavar="ZONE", help="Time zone for dates without one.")
@click.option("--rejects", "rejects_path", type=click.Path(path_type=Path),
              help="Where refused rows go (default: FILE.rejects.csv beside it).")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
def feedback_command(
    app: AppContext,
    file: Path,
    zone: str | None,
    rejects_path: Path | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Read sales' verdicts and outcomes, in their CRM's words.

    A Salesforce lead or opportunity report, a HubSpot contacts or deals
    export, or a sheet: the lead (Qualdesk Lead ID, or Email), its status
    (Closed - Converted, salesqualifiedlead, accepted...), a reason, a date;
    an opportunity's stage, amount and close date. Words are read with the
    rules' [sales.verdicts] and [sales.outcomes]. A lead still open in
    sales' system is counted as pending. Rows that cannot be applied go,
    with their line and reason, to a rejects file; the rest are applied all
    together or not at all. A file already read that would change nothing
    writes nothing. Exits 1 when every row is refused.
    """
    from qualdesk.services.handoff.feedback import read_feedback

    desk = app.desk(dry_run=dry_run)
    summary = read_feedback(
        desk, file, by=app.actor(), zone_name=reading_zone(app, desk, zone), rejects=rejects_path,
        dry_run=dry_run,
    )  # fmt: skip
    if summary.every_row_refused:
        if as_json:
            print_json(summary.as_json())
        if not summary.refused:
            raise QualdeskError(
                f"{file.name}: no row names a lead with sales "
                f"({counted(summary.not_on_desk, 'row')} by an email no lead has, "
                f"{summary.handed_back:,} handed back to marketing); "
                "nothing applied: is it the right file?"
            )
        first = summary.issues[0] if summary.issues else (0, "")
        where = (
            f"; the rows and reasons are in {summary.rejects_file}" if summary.rejects_file else ""
        )
        raise QualdeskError(
            f"{file.name}: every row was refused ({counted(summary.refused, 'row')}; "
            f"line {first[0]}: {first[1]}); nothing applied{where}"
        )
    if as_json:
        print_json(summary.as_json())
        return
    if summary.notice:
        say(f"note: {summary.notice}", err=True)
    if summary.already:
        say(f"{file.name}: {summary.already}")
    elif summary.batch_id is None and not dry_run:
        return
    else:
        head = "Dry run of" if dry_run else f"Read as feedback batch {summary.batch_id}:"
        say(f"{head} {file.name}")
    rows = [
        ("rows read", summary.rows_read, ""),
        ("accepted", summary.accepted, ""),
        ("rejected", summary.rejected, "(team leads review them: Ctrl+T, then v)"
         if summary.rejected and not dry_run else ""),
        ("pending", summary.pending, "(still open in sales' system)"),
        ("unchanged", summary.unchanged, "(verdicts the desk already had)"),
        ("outcomes", summary.outcomes, "(opportunities, wins and losses recorded)"),
        ("refused", summary.refused,
         f"-> {summary.rejects_file}" if summary.rejects_file else ""),
        ("skipped", summary.not_on_desk,
         "(emails no lead on the desk has: contacts the desk never had)"),
        ("skipped", summary.handed_back,
         "(leads the desk handed back to marketing: not sales' to judge)"),
        ("blank", summary.blank,
         f"(and {counted(summary.footer, 'footer line')} under the data, ignored)"
         if summary.footer else ""),
    ]  # fmt: skip
    width = len(f"{summary.rows_read:,}")
    for label, count, note in rows:
        if count or label != "skipped":
            say(f"  {label:<11}{count:>{width},}  {note}".rstrip())
    for line, reason in summary.issues:
        say(f"  line {line}: {reason}")
    if summary.refused > len(summary.issues):
        more = "(a dry run writes no rejects file)" if dry_run else "in the rejects file"
        say(f"  … and {summary.refused - len(summary.issues):,} more {more}")


COMMANDS = [stats_command, export_command, feedback_command]
