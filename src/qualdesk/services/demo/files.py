"""The demo's own files beside its database: marketing's lead files, and those with sales."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from qualdesk.core.headers import choose_delimiter, map_header
from qualdesk.core.records import RecordReader, split_line
from qualdesk.db.engine import Session
from qualdesk.db.models import DeskSetting
from qualdesk.services.demo.timetable import ARRIVALS
from qualdesk.services.desk import Desk
from qualdesk.services.intake.textfile import TextStream, inspect_file

# Marks a database as a demo, which a rebuild may replace.
DEMO_KEY = "demo"
# The names of the hand-off and verdict files the demo wrote, one a line: a rebuild
# removes these and leaves anything else in their folder alone.
SALES_FILES_KEY = "demo.sales-files"


def leads_folder(path: Path) -> Path:
    """Where the demo keeps marketing's lead files: a folder beside its database."""
    return path.with_name(f"{path.stem}-leads")


def sales_folder(path: Path) -> Path:
    """Where the demo keeps its hand-off files and sales' verdict files, beside its database."""
    return path.with_name(f"{path.stem}-sales")


def lead_file_names() -> list[str]:
    """The names of the lead files the demo writes, and of their rejects files."""
    return [f"{stem}{suffix}" for stem, _, _ in ARRIVALS for suffix in (".csv", ".rejects.csv")]


def batch_files(sample: Path, folder: Path) -> dict[str, Path]:
    """Cut the sample into one file per arrival, every record written as it stands.

    Args:
        sample: the sample leads file.
        folder: where the files go (created if need be).

    Returns:
        Each arrival's file, by its name in ARRIVALS.
    """
    source = inspect_file(sample)
    with TextStream(source) as stream:
        lines = list(stream.text)
    delimiter = choose_delimiter(lines[0])
    header = map_header(split_line(lines[0], delimiter))
    column = header.fields.get("source")
    by_source: dict[str, list[str]] = {}
    for record in RecordReader(lines[1:], delimiter, header.width):
        cells = record.cells or []
        name = cells[column].strip() if column is not None and column < len(cells) else ""
        raw = record.raw if record.raw.endswith("\n") else record.raw + "\n"
        by_source.setdefault(name, []).append(raw)
    stems = {source: [s for s, src, _ in ARRIVALS if src == source] for _, source, _ in ARRIVALS}
    first = ARRIVALS[0][1]
    for name in [name for name in by_source if name not in stems]:
        by_source.setdefault(first, []).extend(by_source.pop(name))
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for source_name, parts in stems.items():
        rows = by_source.get(source_name, [])
        for index, stem in enumerate(parts):
            part = rows[index * len(rows) // len(parts) : (index + 1) * len(rows) // len(parts)]
            files[stem] = folder / f"{stem}.csv"
            with files[stem].open("w", encoding=source.encoding, newline="") as handle:
                handle.writelines([lines[0], *part])
    return files


def remember_sales_file(desk: Desk, name: str) -> None:
    """Note a file the demo wrote in its sales folder, as soon as it is there."""
    with desk.db.writing() as session:
        setting = session.get(DeskSetting, SALES_FILES_KEY) or DeskSetting(key=SALES_FILES_KEY)
        setting.value = "\n".join([*sales_file_names(session), name])
        session.add(setting)


def sales_file_names(session: Session) -> list[str]:
    """The names of the files the demo wrote in its sales folder."""
    setting = session.get(DeskSetting, SALES_FILES_KEY)
    return setting.value.split("\n") if setting is not None and setting.value else []


def remove_files(folder: Path, names: Iterable[str]) -> None:
    """Remove the demo's own files from a folder, and the folder if nothing else is left.

    Args:
        folder: the demo's folder.
        names: the names of its files there; any other file stays.
    """
    for name in names:
        # A bare name only: nothing outside the folder is ever removed.
        bare = Path(name).name
        if bare not in ("", ".", ".."):
            (folder / bare).unlink(missing_ok=True)
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
