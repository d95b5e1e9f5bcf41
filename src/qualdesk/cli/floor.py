"""`qualdesk floor`: who is at the desk now; a team lead releases a lead, hands over callbacks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from qualdesk.cli.context import AppContext, pass_app, reading_zone
from qualdesk.cli.output import print_json, say, table

if TYPE_CHECKING:
    from qualdesk.services.floor import Floor


@click.group("floor", invoke_without_command=True)
@click.option("--zone", metavar="ZONE", help="Time zone today's touches are counted in.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def floor_group(ctx: click.Context, zone: str | None, as_json: bool) -> None:
    """Every rep at a desk or holding a lead: live or gone, the lead, what they do, idle time.

    Today's touches are counted in the team lead's day (--zone, else the
    config's rep, else the first team lead), as `qualdesk stats` counts them.
    A desk not heard from for 20 seconds is gone. JSON times are ISO 8601
    in UTC, spans in seconds.
    """
    if ctx.invoked_subcommand is not None:
        return
    from qualdesk.services.floor import floor

    app: AppContext = ctx.obj
    desk = app.desk()
    seen = floor(desk, reading_zone(app, desk, zone), by=app.actor())
    if as_json:
        print_json(seen.as_json())
    else:
        _print_floor(seen)


def _print_floor(seen: Floor) -> None:
    from qualdesk.core.floor import elapsed, seconds_since

    if not seen.rows:
        say("Nobody is at a desk, and no lead is held.")
        return
    now = seen.now
    rows = []
    for row in seen.rows:
        lead = f"#{row.lead.id} {row.lead.who}" if row.lead else ""
        where = f"{row.source} {row.place}".strip() or "no desk open"
        if row.live:
            doing, span = row.state_words, elapsed(seconds_since(row.state_since, now))
            idle = elapsed(row.idle_seconds)
        else:
            doing = f"gone (was {row.state_words})" if row.state else "gone"
            span, idle = elapsed(seconds_since(row.seen_at, now)), "-"
        rows.append(
            (row.handle, "live" if row.live else "gone", where, lead, doing, span, idle,
             row.touches_today, row.callbacks)
        )  # fmt: skip
    table(["rep", "", "desk", "lead", "doing", "for", "idle", "today", "callbacks"], rows)


@floor_group.command("release")
@click.argument("lead_id", type=int)
@click.option("--reason", default="", help="Why (kept with the change).")
@pass_app
def floor_release(app: AppContext, lead_id: int, reason: str) -> None:
    """Release lead LEAD_ID from the rep who holds it: back in the queue at once.

    Team leads only. The notes the rep typed stay as their draft; a desk of
    theirs still running closes the card at its next write, saying who released it.
    """
    from qualdesk.services.floor import release_lead

    desk = app.desk()
    holder = release_lead(desk, app.actor(), lead_id, reason)
    say(f"Released lead #{lead_id} from {holder}: it is back in the queue; "
        f"{holder}'s notes stay as their draft.")  # fmt: skip


@floor_group.command("callbacks")
@click.argument("from_handle", metavar="FROM_HANDLE")
@click.option("--to", "to_handle", required=True, metavar="HANDLE", help="The rep who takes them.")
@click.option("--reason", default="", help="Why (kept with each change).")
@pass_app
def floor_callbacks(app: AppContext, from_handle: str, to_handle: str, reason: str) -> None:
    """Hand every callback FROM_HANDLE owns to another active rep (--to).

    Team leads only. Each callback keeps its time; the change of owner is
    recorded on each lead with who made it.
    """
    from qualdesk.core.words import counted
    from qualdesk.services.floor import hand_callbacks

    desk = app.desk()
    moved = hand_callbacks(desk, app.actor(), from_handle, to_handle, reason)
    say(f"Handed {counted(moved, 'callback')} from {from_handle} to {to_handle}.")


COMMANDS = [floor_group]
