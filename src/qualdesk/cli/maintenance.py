"""`qualdesk doctor` and `backup`: looking after the database itself.

Neither opens the desk (which would create or upgrade the database): both
read the database as it is.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from qualdesk.cli.context import AppContext, pass_app
from qualdesk.cli.output import ProgressBar, Working, print_json, say
from qualdesk.core.words import counted

if TYPE_CHECKING:
    from qualdesk.services.upkeep.dbcopy import CopyStep

LABELS = {
    "server": "server",
    "integrity": "integrity",
    "schema": "schema version",
    "journal_mode": "journal mode",
    "access": "access",
    "rules": "rules",
    "leases": "leases",
    "time_zones": "time zones",
}
EXIT_PROBLEM = 1


@click.command("doctor")
@click.option("--fix", is_flag=True, help="Release leases past their expiry now (nothing else).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def doctor_command(ctx: click.Context, fix: bool, as_json: bool) -> None:
    """Check the database and say what to do about each finding.

    Checks the file's integrity (PRAGMA quick_check), its schema version, WAL
    mode, who besides its owner may write it, the rules in force, leases past
    their expiry and leads on the desk with no usable time zone. On
    PostgreSQL: the server and its version, what the role qualdesk connects
    as may do, then the same checks but those of a SQLite file. Never creates or upgrades the
    database; --fix only releases expired leases, in one transaction.

    Exit status: 0 when no check found a problem (warnings are worth a look
    but the desk copes with them), 1 when one did or the file is missing.
    """
    from qualdesk.services.upkeep.health import check_desk, desk_to_check

    app: AppContext = ctx.obj
    if fix:
        app.lead_only("repair the desk (doctor --fix)")
    desk = desk_to_check(app.existing().target)
    if not as_json:
        say(f"Checking {desk.shown}")
    with Working("checking the database") as working:
        checkup = check_desk(desk, fix=fix, progress=working.tick)
    if as_json:
        print_json(
            {"database": checkup.database, "ok": checkup.ok,
             "checks": [f.as_dict() for f in checkup.findings], "fixed": list(checkup.fixed)}
        )  # fmt: skip
    else:
        width = max(len(label) for label in LABELS.values())
        for finding in checkup.findings:
            label = LABELS.get(finding.name, finding.name)
            say(f"  {finding.status:<8} {label:<{width}}  {finding.detail}")
            if finding.advice and finding.status != "ok":
                say(f"  {'':<8} {'':<{width}}  -> {finding.advice}")
        for done in checkup.fixed:
            say(f"Fixed: {done}.")
        problems, warnings = checkup.count("problem"), checkup.count("warning")
        if problems:
            say(f"{counted(problems, 'problem')} to act on (see above).")
        elif warnings:
            say(f"No problems; {counted(warnings, 'warning')} worth a look.")
        elif checkup.count("skipped"):
            say(f"All checks ok ({counted(checkup.count('skipped'), 'check')} skipped).")
        else:
            say("All checks ok.")
    if not checkup.ok:
        ctx.exit(EXIT_PROBLEM)


@click.command("backup")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it is already there.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
def backup_command(app: AppContext, file: Path, force: bool, as_json: bool) -> None:
    """Copy the database to FILE while reps keep working.

    The copy is consistent (the database as it stood when the copy began),
    checked with PRAGMA integrity_check, and self-contained: it opens as a
    desk on its own (`qualdesk --db FILE doctor`). It is written beside FILE
    under a temporary name and renamed into place; an existing FILE is never
    replaced without --force.

    A desk on PostgreSQL is copied into FILE as a SQLite desk (as `qualdesk db
    copy` would); pg_dump remains the server's own backup.
    """
    from qualdesk.services.upkeep.backup import PG_DUMP, back_up

    app.lead_only("back up the desk")
    bar = ProgressBar("Backing up", 0, minimum=32 << 20)
    tables = TableProgress()
    try:
        report = back_up(
            app.existing().target, file, force=force, progress=bar.update, tables=tables
        )
    finally:
        bar.close()
        tables.close()
    if as_json:
        print_json(
            {"source": report.source, "file": str(report.path), "bytes": report.size,
             "schema": report.schema, "leads": report.leads, "touches": report.touches,
             "integrity": "ok"}
        )  # fmt: skip
        return
    held = ", ".join(
        counted(n, noun, plural)
        for n, noun, plural in ((report.leads, "lead", None), (report.touches, "touch", "touches"))
        if n is not None
    )
    say(
        f"Backed up {report.source} to {report.path}: {_size(report.size)}"
        + (f", {held}" if held else "")
        + " (integrity checked)."
    )
    if report.from_server:
        say(PG_DUMP)


# A desk of fewer rows copies in a moment: no progress lines for it.
PROGRESS_FROM_ROWS = 50_000


class TableProgress:
    """A line per table on stderr as a large desk is copied (rows done / total).

    On a terminal the line is updated in place; elsewhere each table gets one
    plain line once its rows are written.
    """

    def __init__(self, minimum: int | None = None) -> None:
        self._minimum = PROGRESS_FROM_ROWS if minimum is None else minimum
        self._terminal = sys.stderr.isatty()
        self._open = False

    def __call__(self, step: CopyStep) -> None:
        if step.desk_rows < self._minimum:
            return
        line = f"  {step.table:<20} {step.done:>12,} / {step.total:,} rows"
        finished = step.done >= step.total
        if self._terminal:
            sys.stderr.write(f"\r\033[K{line}" + ("\n" if finished else ""))
            sys.stderr.flush()
            self._open = not finished
        elif finished:
            say(line, err=True)

    def close(self) -> None:
        if self._open:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self._open = False


def _size(size: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:,.1f} {unit}"
    return f"{size:,} bytes"


COMMANDS = [doctor_command, backup_command]
