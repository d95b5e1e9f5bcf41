"""Desk administration: where the database is, its schema, rules and do-not-call."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import click

from qualdesk.cli.context import AppContext, pass_app
from qualdesk.cli.output import print_json, say, table

if TYPE_CHECKING:
    from qualdesk.core.rules import DeskRules


@click.command("locate")
@pass_app
def locate_command(app: AppContext) -> None:
    """Print the database this desk uses, and why that one."""
    from qualdesk.db.engine import shown_location

    location = app.location()
    say(shown_location(location.target))
    say(f"  chosen by: {location.origin}", err=True)
    if "://" not in location.target and not Path(location.target).expanduser().exists():
        if location.origin == "default":
            say("  (it does not exist yet; the first command that needs it creates it)", err=True)
        else:
            say(f"  (it does not exist: qualdesk db init {location.target} creates it)", err=True)
    config = app.config
    state = "" if config.exists else " (none yet)"
    say(f"  config file: {config.path}{state}", err=True)


@click.group("db")
def db_group() -> None:
    """The database schema."""


@db_group.command("init")
@click.argument("path", required=False, metavar="[PATH]")
@pass_app
def db_init(app: AppContext, path: str | None) -> None:
    """Create a new desk database with the default rules.

    At PATH (a file, or a PostgreSQL URL), else where --db, QUALDESK_DB or the
    config file point, else the default database. Nothing that exists is
    ever replaced.
    """
    from qualdesk.services.desk import create_desk

    location = app.location()
    target = path or location.target
    if path is None and location.origin == "default":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    desk = create_desk(target)
    try:
        version = desk.rules().version
    finally:
        desk.close()
    from qualdesk.db.engine import shown_location

    shown = shown_location(target)
    say(f"Created a desk at {shown} with the default rules (version {version}).")
    # The next commands reach this desk only if it is the one they would choose anyway.
    chosen = path is None and location.origin != "--db"
    qualdesk = "qualdesk" if chosen else f"qualdesk --db {shlex.quote(shown)}"
    say(f"Next: {qualdesk} reps add HANDLE --name NAME --role lead, then {qualdesk} import FILE.")


@db_group.command("upgrade")
@pass_app
def db_upgrade(app: AppContext) -> None:
    """Bring the database schema up to this version of qualdesk."""
    from qualdesk.services.desk import upgrade_schema

    before, after = upgrade_schema(app.existing().target)
    if before == after:
        say(f"Schema is up to date ({after}).")
    else:
        say(f"Upgraded schema {before or '(new database)'} -> {after}.")


@db_group.command("copy")
@click.option(
    "--to",
    "target",
    required=True,
    metavar="TARGET",
    help="The database to copy into: a SQLite file or a PostgreSQL URL; it must hold no desk yet.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def db_copy(ctx: click.Context, target: str, as_json: bool) -> None:
    """Copy the whole desk into another database, on either engine.

    SQLite to PostgreSQL to grow, PostgreSQL to SQLite for a copy to carry, or
    SQLite to SQLite. Every table is copied with its ids, from one snapshot of
    this desk (reps may keep working), in one transaction on TARGET: a failure
    leaves TARGET as it was. TARGET is created at this qualdesk's schema; a
    TARGET that already holds leads, reps or rules of its own is refused.
    This desk must be at this qualdesk's schema (`qualdesk db upgrade`).

    Afterwards the rows of every table are counted on both sides. Exit status:
    0 when every count agrees, 1 otherwise or when nothing was copied.
    """
    from qualdesk.cli.maintenance import EXIT_PROBLEM, TableProgress
    from qualdesk.services.upkeep.dbcopy import copy_desk

    app: AppContext = ctx.obj
    app.lead_only("copy the desk")
    progress = TableProgress()
    try:
        report = copy_desk(app.existing().target, target, progress=progress)
    finally:
        progress.close()
    if as_json:
        print_json(
            {
                "source": report.source,
                "target": report.target,
                "schema": report.schema,
                "ok": not report.differing,
                "tables": [
                    {"table": c.table, "source": c.source, "target": c.target}
                    for c in report.tables
                ],
            }
        )
    else:
        say(f"Copied {report.source} to {report.target} (schema {report.schema}).")
        table(
            ["table", "source rows", "target rows", ""],
            [
                (c.table, c.source, c.target, "" if c.source == c.target else "DIFFERS")
                for c in report.tables
            ],
        )
        if report.differing:
            names = ", ".join(c.table for c in report.differing)
            say(f"The counts differ in {names}: the copy is not whole; keep using the source.")
        else:
            say(f"Every table's rows agree ({report.rows:,} rows in all).")
            say(
                "To compare the figures: qualdesk --db SOURCE stats --period all --json, "
                "then the same with --db TARGET."
            )
    if report.differing:
        ctx.exit(EXIT_PROBLEM)


@click.group("rules")
def rules_group() -> None:
    """The desk rules: the lead definition and the desk's policy."""


@rules_group.command("load")
@click.argument("file", type=click.Path(path_type=Path))
@pass_app
def rules_load(app: AppContext, file: Path) -> None:
    """Validate FILE and make it the rules version every rep uses."""
    from qualdesk.cli.context import ask_password
    from qualdesk.core.errors import QualdeskError
    from qualdesk.services.rules import PasswordNeeded, load_rules

    desk = app.desk()
    actor = app.actor()
    try:
        current, stored = load_rules(desk, file, actor)
    except PasswordNeeded as needed:
        password = ask_password(actor.handle)
        if password is None:
            raise QualdeskError(f"{needed}; no terminal to ask for it on") from None
        current, stored = load_rules(desk, file, actor, password=password)
        say(
            "Sign-in by password is on. Passwords set while the desk asked for none could be "
            "set by anyone who could open it: have each rep change theirs (F2 at the desk).",
            err=True,
        )
    if stored:
        say(f"Loaded {file} as rules version {current.version}; it is now in force.")
    else:
        say(f"{file} is the same as rules version {current.version}, already in force.")


@rules_group.command("check")
@click.argument("file", type=click.Path(path_type=Path))
def rules_check(file: Path) -> None:
    """Validate FILE without storing it."""
    from qualdesk.services.rules import read_rules_file

    read_rules_file(file)
    say(f"{file}: valid")


@rules_group.command("show")
@click.option("--toml", "as_toml", is_flag=True, help="Print the TOML text as loaded.")
@pass_app
def rules_show(app: AppContext, as_toml: bool) -> None:
    """Print the rules in force."""
    from qualdesk.services.rules import rules_text

    current, text = rules_text(app.desk())
    if as_toml:
        say(text, nl=False)
        return
    say(
        f"Rules version {current.version}, loaded {current.loaded_at:%Y-%m-%d %H:%M} UTC "
        f"from {current.source}"
    )
    _describe(current.rules)


def _describe(rules: DeskRules) -> None:
    from qualdesk.core.durations import format_duration

    q = rules.qualification
    required = [c.label for c in rules.criteria if c.required]
    rule = f"at least {q.min_established} of {len(rules.criteria)} criteria"
    if required:
        rule += f", including {', '.join(required)}"
    if q.min_score:
        rule += f" {q.combine} a score of at least {q.min_score}"
    say(
        f"\n{rules.name}: default region {rules.default_region}, "
        f"speed to lead {rules.speed_to_lead.total_seconds() / 3600:g} h of calling hours "
        f"(met by a touch on {', '.join(rules.speed_to_lead_channels)})"
    )
    say(f"Qualified when: {rule}")
    say("Grades: " + ", ".join(f"{g} >= {points}" for g, points in rules.grades))
    say("\nCriteria (key on the call card):")
    for number, item in enumerate(rules.criteria, start=1):
        flag = "required" if item.required else ""
        say(f"  {number % 10}  {item.label:<18}{item.points:>3} pts  {flag:<8}  {item.prompt}")
    if rules.firmographic_points:
        say("\nPoints for facts from marketing:")
        for fact in rules.firmographic_points:
            test = (
                f"at least {fact.at_least}" if fact.at_least is not None
                else "contains " + " / ".join(fact.contains)
            )  # fmt: skip
            say(f"  {fact.field:<13}{fact.points:>3} pts  when {test}")
    say("\nDispositions:")
    for d in rules.dispositions:
        connect = "connect" if d.connect else ""
        say(f"  {d.hotkey}  {d.label:<20}{d.implies.value:<11}{connect}")
    c = rules.cadence
    say(
        f"\nCadence: retry after {', '.join(format_duration(w) for w in c.retry_after)}; "
        f"at most {c.max_attempts} attempts; at least {format_duration(c.min_gap)} between calls"
    )
    say("Nurture recycle: " + ", ".join(f"{g} {d} days" for g, d in rules.recycle_days.items()))
    h = rules.calling_hours
    say(f"Calling hours: {h.start:%H:%M}-{h.end:%H:%M} local time")
    for r in h.rules:
        days = (
            "every day"
            if len(r.days) == 7
            else ",".join(
                ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[d] for d in sorted(r.days)
            )
        )
        hours = "closed" if r.closed else f"{r.start:%H:%M}-{r.end:%H:%M}"
        say(f"  {r.where:<6} {days:<28}{hours}")
    if h.closed_dates:
        say("Closed dates (public holidays):")
        for closed in sorted(h.closed_dates, key=lambda c: (c.where, c.day)):
            say(f"  {closed.where:<6} {closed.day:%Y-%m-%d %a}  {closed.name}")
    if h.caps:
        say("Caps on calls to one number:")
        for cap in h.caps:
            say(f"  {cap.where:<6} at most {cap.calls} within {format_duration(cap.within)}")
    _show_agreement(rules)


def _show_agreement(rules: DeskRules) -> None:
    """Both sides of the agreement: the desk's follow-up, sales' time and words."""
    from qualdesk.core.words import counted
    from qualdesk.services.handoff.awaiting import day_names

    say("Follow-up owed per grade:")
    for grade, target in sorted(rules.follow_up.items()):
        say(f"  {grade}  {counted(target.touches, 'touch', 'touches')} on "
            f"{counted(target.channels, 'channel')} within {target.days} days")  # fmt: skip
    terms = rules.sales
    say(
        f"Sales give a verdict within {terms.verdict_days} working days "
        f"({day_names(terms.working_days)})"
    )
    for title, words in (("Sales' words for verdicts", terms.verdicts),
                         ("Sales' words for outcomes", terms.outcomes)):  # fmt: skip
        by_meaning: dict[str, int] = {}
        for meaning in words.values():
            by_meaning[meaning] = by_meaning.get(meaning, 0) + 1
        listed = ", ".join(f"{meaning} {n}" for meaning, n in by_meaning.items())
        say(f"{title}: {listed} (rules show --toml lists them)")


@click.group("dnc")
def dnc_group() -> None:
    """The do-not-call list."""


@dnc_group.command("add")
@click.argument("phone")
@click.option("--region", metavar="XX", help="Region for a number without +country.")
@click.option("--reason", default="", help="Why (kept with the number).")
@pass_app
def dnc_add(app: AppContext, phone: str, region: str | None, reason: str) -> None:
    """Put PHONE on the do-not-call list; its leads on the desk are stopped."""
    from qualdesk.services.intake.dnc import add_number

    desk = app.desk()
    by = app.actor().recorded_as
    e164, added, stopped = add_number(desk, phone, region=region, by=by, reason=reason)
    state = "Added" if added else "Already listed:"
    say(f"{state} {e164}; {stopped} lead(s) on the desk stopped.")


@dnc_group.command("remove")
@click.argument("phone")
@click.option("--region", metavar="XX", help="Region for a number without +country.")
@click.option("--reason", required=True, help="Why it may be called again (kept on record).")
@pass_app
def dnc_remove(app: AppContext, phone: str, region: str | None, reason: str) -> None:
    """Take PHONE off the do-not-call list (team leads; the leads it stopped stay out)."""
    from qualdesk.services.intake.dnc import remove_number

    desk = app.desk()
    e164 = remove_number(desk, phone, region=region, by=app.actor(), reason=reason)
    say(f"Removed {e164} from the do-not-call list; the leads it stopped stay out.")


@dnc_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--region", metavar="XX", help="Region for numbers without +country.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def dnc_import(app: AppContext, file: Path, region: str | None, as_json: bool) -> None:
    """Add every number in FILE (one per line, or a CSV with a phone column)."""
    from qualdesk.services.intake.dnc import import_numbers

    desk = app.desk()
    result = import_numbers(desk, file, region=region, by=app.actor().recorded_as)
    if as_json:
        print_json(
            {"added": result.added, "already": result.already, "repeated": result.repeated,
             "leads_stopped": result.leads_stopped,
             "invalid": [{"line": line, "reason": why} for line, why in result.invalid]}
        )  # fmt: skip
        return
    repeated = f", {result.repeated:,} repeated in the file" if result.repeated else ""
    say(
        f"Added {result.added:,} numbers ({result.already:,} were already listed{repeated}); "
        f"{result.leads_stopped:,} lead(s) on the desk stopped."
    )
    for line, why in result.invalid[:20]:
        say(f"  line {line}: skipped: {why}")
    if len(result.invalid) > 20:
        say(f"  ... and {len(result.invalid) - 20:,} more invalid numbers skipped")


@dnc_group.command("list")
@pass_app
def dnc_list(app: AppContext) -> None:
    """List the do-not-call numbers."""
    from qualdesk.services.intake.dnc import list_numbers

    numbers = list_numbers(app.desk())
    if not numbers:
        say("The do-not-call list is empty.")
        return
    table(
        ["number", "added (UTC)", "by", "reason"],
        [(n.phone_e164, f"{n.added_at:%Y-%m-%d %H:%M}", n.added_by, n.reason) for n in numbers],
    )


COMMANDS = [locate_command, db_group, rules_group, dnc_group]
