"""`qualdesk doctor` and `backup`: looking after the database file itself.

Neither opens the desk (which would create or upgrade the database): both
read the file as it is.
"""

from __future__ import annotations

from pathlib import Path

import click

from qualdesk.cli.context import AppContext, pass_app
from qualdesk.cli.output import ProgressBar, Working, print_json, say
from qualdesk.core.words import counted

LABELS = {
    "integrity": "integrity",
    "schema": "schema version",
    "journal_mode": "journal mode",
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
    mode, the rules in force, leases past their expiry and leads on the desk
    with no usable time zone. Never creates or upgrades the database; --fix
    only releases expired leases, in one transaction.

    Exit status: 0 when no check found a problem (warnings are worth a look
    but the desk copes with them), 1 when one did or the file is missing.
    """
    from qualdesk.services.health import check_database
    from qualdesk.services.sqlitefile import database_file

    app: AppContext = ctx.obj
    path = database_file(app.existing().target)
    if not as_json:
        say(f"Checking {path}")
    with Working("checking the file's integrity") as working:
        checkup = check_database(path, fix=fix, progress=working.tick)
    if as_json:
        print_json(
            {"database": str(path), "ok": checkup.ok,
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
    """
    from qualdesk.services.backup import back_up

    bar = ProgressBar("Backing up", 0, minimum=32 << 20)
    try:
        report = back_up(app.existing().target, file, force=force, progress=bar.update)
    finally:
        bar.close()
    if as_json:
        print_json(
            {"source": str(report.source), "file": str(report.path), "bytes": report.size,
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


def _size(size: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:,.1f} {unit}"
    return f"{size:,} bytes"


COMMANDS = [doctor_command, backup_command]
