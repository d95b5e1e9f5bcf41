"""The rejects file: every row an import refused, as marketing can fix and re-import it."""

from __future__ import annotations

import contextlib
import csv
import os
from pathlib import Path
from typing import IO, Any

from qualdesk.core.errors import FileRefused
from qualdesk.core.headers import REJECT_COLUMNS, HeaderMap
from qualdesk.core.records import Record, split_line
from qualdesk.services.intake.partfiles import open_partial


def rejects_path(path: Path) -> Path:
    """Where the rejects of an import go by default: beside the input."""
    return path.with_name(f"{path.stem}.rejects.csv")


def free_name(path: Path) -> Path:
    """The path, or if a file is there already (perhaps edited by hand), the next free one."""
    candidate, number = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
        number += 1
    return candidate


def record_cells(record: Record, delimiter: str) -> list[str]:
    """The cells of a record, or of an unreadable one as best they can be split."""
    return record.cells if record.cells is not None else split_line(record.raw, delimiter)


class RejectsFile:
    """ "Reject Line" and "Reject Reason", then the original columns of every refused row.

    Rows are written to a partial file while the import reads, and the file
    is put in place only once the import is committed, so a failed import
    leaves no misleading rejects behind. The importer ignores the two
    reject columns, so marketing can fix the rows and import the file as it
    is, as many rounds as it takes.
    """

    def __init__(self, path: Path, source: Path, enabled: bool = True) -> None:
        self.path = path.absolute()
        self.enabled = enabled
        self.count = 0
        self._partial: Path | None = None
        self._handle: IO[str] | None = None
        self._writer: Any = None
        self._kept: tuple[int, ...] = ()
        self._given: dict[str, str] = {}
        self._columns: list[str] = []
        self._delimiter = ","
        if enabled:
            _check_target(self.path, source)

    def start(self, header: HeaderMap, delimiter: str, given: dict[str, str] | None = None) -> None:
        """Get ready to write: the partial file is opened at the first refused row.

        `given` holds values the import supplied for columns the file lacks
        (--source, --campaign): they are written on every row, so the fixed
        rows keep them when imported again. A file with nothing to refuse
        never needs the folder to be writable.
        """
        self._kept = header.kept
        self._given = dict(given or {})
        self._columns = [header.columns[i] for i in self._kept]
        self._delimiter = delimiter

    def _open(self) -> None:
        """Open the partial file beside the target and write the header.

        The partial file of an import that was killed is swept away by the
        next one (see partfiles).
        """
        try:
            handle, partial = open_partial(self.path)
        except OSError as exc:
            raise FileRefused(
                f"cannot write the rejects file {self.path} ({exc.strerror or exc}); "
                "choose another place with --rejects FILE"
            ) from None
        self._partial = partial
        self._handle = os.fdopen(handle, "w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._handle, delimiter=self._delimiter)
        self._writer.writerow([*REJECT_COLUMNS, *self._columns, *self._given])

    def add(self, cells: list[str], line: int, reason: str) -> None:
        """Write one rejected row with its line number and reason."""
        self.count += 1
        if not self.enabled:
            return
        if self._writer is None:
            self._open()
        kept = [cells[i] if i < len(cells) else "" for i in self._kept]
        extra = cells[max(self._kept, default=-1) + 1 :]
        self._writer.writerow([line, reason, *kept, *self._given.values(), *extra])

    def commit(self) -> str | None:
        """Put the file in place; returns its path, or None if nothing was rejected.

        Raises:
            OSError: the file could not be put in place (the import itself stands).
        """
        partial, handle = self._partial, self._handle
        self._partial = self._handle = None
        if partial is None or handle is None:
            return None
        handle.close()
        if self.count == 0:
            partial.unlink(missing_ok=True)
            return None
        # Never over a file already there: marketing may be fixing it by hand.
        self.path = free_name(self.path)
        try:
            os.replace(partial, self.path)
        except OSError:
            partial.unlink(missing_ok=True)
            raise
        return str(self.path)

    def discard(self) -> None:
        """Throw the partial file away (the import failed or was a dry run)."""
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
        if self._partial is not None:
            self._partial.unlink(missing_ok=True)
        self._partial = self._handle = None


def _check_target(target: Path, source: Path) -> None:
    """Refuse, before anything is read, a rejects file that would do harm or cannot be."""
    if target.is_dir():
        raise FileRefused(f"--rejects {target}: is a folder; give a file name")
    if not target.parent.is_dir():
        raise FileRefused(f"--rejects {target}: the folder {target.parent} does not exist")
    with contextlib.suppress(OSError):
        if target.exists() and target.samefile(source):
            raise FileRefused(f"--rejects {target}: that is the file being imported")
