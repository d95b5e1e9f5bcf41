"""`qualdesk import` and `qualdesk batches`: getting marketing's files in, and back out."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from qualdesk.cli.context import AppContext, pass_app, reading_zone
from qualdesk.cli.output import ProgressBar, print_json, say, table

if TYPE_CHECKING:
    from qualdesk.services.intake.importer import ImportSummary, IssueRow

SHOW_ROWS = 10


@click.command("import")
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--source", default="", help="Lead source for rows without one (e.g. webinar).")
@click.option("--campaign", default="", help="Campaign for rows without one.")
@click.option("--region", metavar="XX", help="Region for phones without +country (e.g. GB).")
@click.option(
    "--zone",
    metavar="ZONE",
    help="Zone of creation dates written without one (default: your rep's, else the team lead's).",
)
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@click.option("--force", is_flag=True, help="Import a file that was imported before.")
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(path_type=Path),
    help="Where to write rejected rows (default: FILE.rejects.csv beside the file).",
)
@click.option("--undo", "undo", type=int, metavar="BATCH", help="Undo an import batch.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
def import_command(
    app: AppContext,
    file: Path | None,
    source: str,
    campaign: str,
    region: str | None,
    zone: str | None,
    dry_run: bool,
    force: bool,
    rejects_path: Path | None,
    undo: int | None,
    as_json: bool,
) -> None:
    """Import a lead file from marketing (CSV; , ; TAB or | separated).

    Every row ends up imported, a duplicate, rejected (written with its line
    and reason to FILE.rejects.csv) or blank. Undo a batch with --undo BATCH.
    """
    if file is not None and undo is not None:
        raise click.UsageError("give a FILE to import or --undo BATCH, not both")
    if file is None and undo is None:
        raise click.UsageError("give a FILE to import, or --undo BATCH")
    if undo is not None:
        given = [
            flag
            for flag, value in (
                ("--source", source), ("--campaign", campaign), ("--region", region),
                ("--zone", zone),
                ("--dry-run", dry_run), ("--force", force), ("--rejects", rejects_path),
            )
            if value
        ]  # fmt: skip
        if given:
            raise click.UsageError(f"--undo takes no other options (got {', '.join(given)})")
        _undo(app, undo, as_json)
        return
    assert file is not None
    from qualdesk.services.intake.importer import ImportOptions, import_file

    desk = app.desk(dry_run=dry_run)
    options = ImportOptions(
        source=source,
        campaign=campaign,
        region=region,
        zone=reading_zone(app, desk, zone),
        dry_run=dry_run,
        force=force,
        rejects_path=rejects_path,
        imported_by=app.actor().recorded_as,
    )
    size = file.stat().st_size if file.is_file() else 0
    bar = ProgressBar(f"Importing {file.name}", size)
    try:
        summary = import_file(desk, file, options, progress=bar.update)
    finally:
        bar.close()
    if as_json:
        print_json(summary.as_json())
    else:
        _print_summary(summary)


def _undo(app: AppContext, batch_id: int, as_json: bool) -> None:
    from qualdesk.services.intake.batches import undo_batch

    desk = app.desk()
    result = undo_batch(desk, batch_id, by=app.actor())
    if as_json:
        print_json({"batch_id": batch_id, "removed": result.removed, "kept": result.kept})
        return
    kept = f"; kept {result.kept:,} that reps have already worked" if result.kept else ""
    say(f"Undid batch {batch_id}: removed {result.removed:,} leads{kept}.")


def _print_summary(summary: ImportSummary) -> None:
    for notice in summary.notices:
        say(f"note: {notice}", err=True)
    name = Path(summary.file).name
    if summary.dry_run:
        say(f"Dry run of {name}: nothing was written.")
    else:
        say(f"Imported {name} as batch {summary.batch_id}.")
    verb = "would import" if summary.dry_run else "imported"
    rows = [
        ("rows read", summary.rows_read, ""),
        (verb, summary.imported, _imported_note(summary)),
        ("duplicates", summary.duplicates, ""),
        (
            "rejected",
            summary.rejected,
            f"-> {summary.rejects_file}" if summary.rejects_file else "",
        ),
        ("blank", summary.blank, ""),
    ]
    width = len(f"{summary.rows_read:,}")
    for label, count, note in rows:
        say(f"  {label:<14}{count:>{width},}  {note}".rstrip())
    if summary.rejected:
        say("Rejected, by reason:")
        for reason, count in summary.reject_reasons.most_common(SHOW_ROWS):
            say(f"  {count:>{width},}  {reason}")
        _list_rows("Rejected rows", summary.rejected_rows)
    if summary.duplicates:
        _list_rows("Duplicates", summary.duplicate_rows)
    if summary.unknown_columns:
        say("Kept on each lead as extra columns: " + ", ".join(summary.unknown_columns))
    if summary.emails_invalid:
        say(
            f"{summary.emails_invalid:,} emails were not valid addresses; "
            "they are kept as extra columns, not as the lead's email."
        )
    if summary.batch_id is not None and max(summary.duplicates, summary.rejected) > SHOW_ROWS:
        say(f"Every duplicate and rejected row: qualdesk batches {summary.batch_id}")


def _list_rows(title: str, rows: list[IssueRow]) -> None:
    """The first rows of a kind, by line, and how many there are in all."""
    shown = rows[:SHOW_ROWS]
    more = f" (first {len(shown)} of {len(rows):,})" if len(rows) > len(shown) else ""
    say(f"{title}{more}:")
    for row in shown:
        say(f"  line {row.line}: {row.reason}")


def _imported_note(summary: ImportSummary) -> str:
    notes = []
    if summary.dnc:
        notes.append(f"{summary.dnc:,} on the do-not-call list, not queued")
    if summary.shared_phone:
        notes.append(f"{summary.shared_phone:,} share a phone number with another lead")
    return f"({'; '.join(notes)})" if notes else ""


@click.command("batches")
@click.argument("batch_id", required=False, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def batches_command(app: AppContext, batch_id: int | None, as_json: bool) -> None:
    """List import batches, or show one batch's duplicate and rejected rows."""
    from qualdesk.services.intake.batches import batch_detail, list_batches

    desk = app.desk()
    if batch_id is None:
        batches = list_batches(desk)
        if as_json:
            print_json([b.model_dump() for b in batches])
            return
        if not batches:
            say("No imports yet. Import a lead file with: qualdesk import FILE")
            return
        table(
            ["batch", "when (UTC)", "file", "by", "read", "imported", "dup", "rejected", "status"],
            [
                (b.id, f"{b.finished_at:%Y-%m-%d %H:%M}", b.file_name, b.imported_by,
                 b.rows_read, b.imported, b.duplicates, b.rejected, b.status)
                for b in batches
            ],
        )  # fmt: skip
        return
    batch, issues = batch_detail(desk, batch_id)
    if as_json:
        print_json({"batch": batch.model_dump(), "issues": [i.model_dump() for i in issues]})
        return
    say(
        f"Batch {batch.id}: {batch.file_name}, imported {batch.finished_at:%Y-%m-%d %H:%M} UTC "
        f"by {batch.imported_by} ({batch.status})"
    )
    say(
        f"  read {batch.rows_read:,}, imported {batch.imported:,}, duplicates "
        f"{batch.duplicates:,}, rejected {batch.rejected:,}, blank {batch.blank:,}, "
        f"do-not-call {batch.dnc:,}"
    )
    if batch.status == "undone":
        say(
            f"  undone {batch.undone_at:%Y-%m-%d %H:%M} UTC: removed {batch.undone_removed:,}, "
            f"kept {batch.undone_kept:,}"
        )
    for issue in issues:
        say(f"  line {issue.line}: {issue.kind}: {issue.reason}")


COMMANDS = [import_command, batches_command]
