"""`qualdesk leads`: find a lead as the desk's search does, read its story, fix its details."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from qualdesk.cli.context import AppContext, pass_app, reading_zone
from qualdesk.cli.output import print_json, say, table
from qualdesk.core.errors import QualdeskError

if TYPE_CHECKING:
    from qualdesk.services.calling.leads import LeadStory


@click.group("leads")
def leads_group() -> None:
    """One lead at a time: find it, read its story, fix its details."""


@leads_group.command("find")
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@pass_app
def leads_find(app: AppContext, text: str, as_json: bool) -> None:
    """Leads whose name, company or email holds TEXT, or whose number has its digits.

    As the desk's search: "0958" finds a number ending so; national and
    international prefixes (020…, 0044…) are understood. Newest first, 50 at most.
    """
    from qualdesk.services.calling.leads import search_leads

    found = search_leads(app.desk(), text)
    if as_json:
        print_json(
            [
                {
                    "id": line.id,
                    "name": line.name,
                    "company": line.company,
                    "phone": line.phone,
                    "stage": line.stage,
                    "grade": line.grade,
                    "source": line.source,
                    "created_at": line.created_at,
                }
                for line in found
            ]
        )
        return
    if not found:
        say(f"No lead matches {text!r}.", err=True)
        return
    rows = [
        (line.id, line.name, line.company, line.phone, line.stage, line.grade) for line in found
    ]
    table(("#", "Name", "Company", "Number to call", "Stage", "Grade"), rows)


@leads_group.command("show")
@click.argument("lead_id", metavar="ID", type=int)
@click.option("--zone", metavar="ZONE", help="Show times in this zone (else the config's rep's).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
def leads_show(app: AppContext, lead_id: int, zone: str | None, as_json: bool) -> None:
    """The lead ID with its touches, answers, routing decisions, changes and sales' side.

    Everything oldest first. --json prints {"lead", "touches", "answers",
    "decisions", "changes", "handoffs", "verdicts", "outcomes", "reviews",
    "nurture_handoffs"}, each change with its field, old, new, by and at.
    """
    from qualdesk.services.calling.leads import lead_story

    desk = app.desk()
    story = lead_story(desk, lead_id)
    if as_json:
        print_json(story.as_json())
        return
    when = _clock(reading_zone(app, desk, zone))
    lead = story.lead
    say(f"#{lead['id']} {lead['name'] or lead['company']}")
    for label, value in _details(lead, when):
        if value:
            say(f"  {label + ':':<18} {value}")
    touches = [
        (when(t["at"]), t["rep"], t["channel"], t["disposition"] or "", t["notes"])
        for t in story.touches
    ]
    _section("Touches", touches, ("When", "Rep", "Channel", "Outcome", "Notes"))
    answers = [
        (when(a["at"]), a["rep"], a["criterion"], "yes" if a["established"] else "no", a["note"])
        for a in story.answers
    ]
    _section("Checklist answers", answers, ("When", "Rep", "Criterion", "Established", "Answer"))
    decisions = [
        (when(d["at"]), d["rep"], d["route"], "yes" if d["overridden"] else "", d["reason"])
        for d in story.decisions
    ]
    _section("Routing decisions", decisions, ("When", "Rep", "Route", "Overridden", "Reason"))
    changes = [
        (when(c["at"]), c["by"], c["field"], c["old"], c["new"], c["reason"]) for c in story.changes
    ]
    _section("Changes", changes, ("When", "By", "Field", "Old", "New", "Reason"))
    _section("With sales and marketing", _loop(story, when), ("When", "What", "Detail"))


def _loop(story: LeadStory, when: Any) -> list[tuple[str, str, str]]:
    """Hand-offs, sales' verdicts and outcomes, rulings and hand-backs, oldest first."""
    events: list[tuple[Any, str, str]] = []
    for h in story.handoffs:
        events.append((h["at"], "handed off to sales", f"batch {h['batch_id']}, "
                       f"score {h['score']} (grade {h['grade']})"))  # fmt: skip
    for v in story.verdicts:
        events.append((v["received_at"], f"sales {v['verdict']}",
                       f"decided {when(v['decided_at'])}" + (f": {v['reason']}" if v["reason"]
                       else "")))  # fmt: skip
    for o in story.outcomes:
        detail = ", ".join(
            part for part in (
                o["word"], "" if o["amount"] is None else f"amount {o['amount']:,.2f}",
                f"close date {o['closed_on']}" if o["closed_on"] else "",
            ) if part
        )  # fmt: skip
        events.append((o["received_at"], f"sales: {o['outcome']}", detail))
    for r in story.reviews:
        ruling = "rejection valid" if r["valid"] else "rejection invalid"
        events.append((r["at"], f"{ruling} ({r['by']})", r["note"]))
    for n in story.nurture_handoffs:
        events.append((n["at"], "back to marketing", f"nurture batch {n['batch_id']} "
                       f"({n['stage'].replace('_', ' ')})"))  # fmt: skip
    events.sort(key=lambda event: event[0])
    return [(when(at), what, detail) for at, what, detail in events]


def _details(lead: dict[str, Any], when: Any) -> list[tuple[str, str]]:
    """The lead's details, labelled, for people to read."""
    stage = lead["stage"].replace("_", " ")
    zones = " ".join(lead["time_zones"]) or "unknown zone"
    return [
        ("title", lead["title"]),
        ("company", lead["company"] if lead["name"] else ""),
        ("email", lead["email"] or ""),
        ("phone", _number(lead["phone"], lead["phone_ext"])),
        ("alternate number", _number(lead["alt_phone"], lead["alt_phone_ext"])),
        ("calling hours in", f"{zones} ({lead['jurisdiction'] or '?'})"),
        ("source", lead["source"]),
        ("campaign", lead["campaign"]),
        ("stage", f"{stage}: {lead['stage_reason']}" if lead["stage_reason"] else stage),
        ("score", f"{lead['score']} (grade {lead['grade']}), attempts {lead['attempts']}"),
        ("with sales", _outcome(lead)),
        ("arrived", when(lead["created_at"])),
        ("created (their file)", when(lead["arrived_at"]) if lead["arrived_at"] else ""),
        ("held by", lead["held_by"] or ""),
    ]


def _outcome(lead: dict[str, Any]) -> str:
    """What sales made of the lead, as they last said: won, 81,000.00, closing 2026-12-01."""
    if not lead["outcome"]:
        return ""
    amount = "" if lead["outcome_amount"] is None else f", {lead['outcome_amount']:,.2f}"
    closing = f", close date {lead['outcome_on']}" if lead["outcome_on"] else ""
    return f"{lead['outcome']}{amount}{closing}"


def _number(e164: str | None, ext: str | None) -> str:
    from qualdesk.core.phones import international

    return international(e164, ext) if e164 else ""


def _clock(zone_name: str) -> Any:
    from qualdesk.core.hours import zone

    here = zone(zone_name)

    def when(moment: datetime | None) -> str:
        return f"{moment.astimezone(here):%Y-%m-%d %H:%M}" if moment else ""

    return when


def _section(title: str, rows: list[tuple[Any, ...]], headers: tuple[str, ...]) -> None:
    say("")
    if not rows:
        say(f"{title}: none")
        return
    say(f"{title}:")
    table(headers, rows)


@leads_group.command("edit")
@click.argument("lead_id", metavar="ID", type=int)
@click.option("--name", help="The person's full name.")
@click.option("--title", help="Their job title.")
@click.option("--company", help="The company.")
@click.option("--email", help='Their email ("" clears it).')
@click.option("--phone", help="The main number (read in the lead's country).")
@click.option("--ext", help='The main number\'s extension ("" clears it).')
@click.option(
    "--alt-phone", "alt_phone", help='A number to call instead, e.g. a direct line ("" clears it).'
)
@click.option("--reason", required=True, help="Why: kept with each change.")
@pass_app
def leads_edit(
    app: AppContext,
    /,
    lead_id: int,
    reason: str,
    **fields: str | None,
) -> None:
    """Fix the details of lead ID; every change is recorded with who, when, old and new.

    A changed number is normalised, checked against the do-not-call list (a
    number on it stops the lead) and given its time zones again, in the same
    transaction. The alternate number, once set, is the number the desk calls.
    A bad value is one line and changes nothing.
    """
    from qualdesk.core.edits import LABELS
    from qualdesk.services.calling.leads import edit_lead

    asked = {name: value for name, value in fields.items() if value is not None}
    if not asked:
        raise click.UsageError(
            "give at least one of --name, --title, --company, --email, --phone, --ext, --alt-phone"
        )
    if not reason.strip():
        raise QualdeskError("--reason: say why (it is kept with each change)")
    desk = app.desk()
    edited = edit_lead(desk, lead_id, asked, by=app.actor(), reason=reason)
    if not edited.changes:
        say(f"Lead #{lead_id}: nothing to change (it has those values already).")
        return
    for change in edited.changes:
        label = LABELS.get(change.field, change.field)
        say(f"Lead #{lead_id}: {label}: {change.old or '-'} -> {change.new or '-'}")
    if edited.stopped:
        say(f"Lead #{lead_id} is stopped: a number it has is on the do-not-call list.")


COMMANDS = [leads_group]
