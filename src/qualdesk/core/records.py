"""Splitting a lead file's lines into CSV records, strictly.

A quoted cell may span lines, but an unterminated quote must never swallow
the rows after it: it rejects its own line and reading resumes on the next.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# A quoted cell may run over this many lines (long notes) before the record is
# taken to be an unterminated quote.
MAX_RECORD_LINES = 1000
MAX_RECORD_CHARS = 200_000


def split_line(raw: str, delimiter: str) -> list[str]:
    """Cells of a line as best they can be split, however broken its quoting."""
    line = raw.rstrip("\r\n")
    try:
        return next(csv.reader([line], delimiter=delimiter, strict=False), [line])
    except csv.Error:
        return [line]


@dataclass(slots=True)
class Record:
    """One logical CSV record: its first line number, its cells or why it has none."""

    line: int
    cells: list[str] | None
    raw: str
    problem: str | None = None


class RecordReader:
    """Splits physical lines into CSV records, strictly.

    A quoted cell may span lines, but only up to MAX_RECORD_LINES lines and
    only if the record then has the header's width: an unterminated quote
    rejects its own line and reading resumes on the next line, so one bad
    quote never swallows the rows after it.
    """

    def __init__(self, lines: Iterable[str], delimiter: str, width: int, first_line: int = 2):
        self._source = enumerate(lines, start=first_line)
        self._pending: deque[tuple[int, str]] = deque()
        self.delimiter = delimiter
        self.width = width
        if csv.field_size_limit() < MAX_RECORD_CHARS:
            csv.field_size_limit(MAX_RECORD_CHARS)

    def _pull(self) -> tuple[int, str] | None:
        if self._pending:
            return self._pending.popleft()
        return next(self._source, None)

    def _cells(self, text: str) -> list[str] | str:
        try:
            return next(csv.reader([text], delimiter=self.delimiter, strict=True), [])
        except csv.Error as exc:
            return str(exc)

    def __iter__(self) -> Iterator[Record]:
        delimiter, pending, source = self.delimiter, self._pending, self._source
        while True:
            item = pending.popleft() if pending else next(source, None)
            if item is None:
                return
            line, text = item
            if '"' not in text:
                # Without quotes a CSV line is exactly its text split on the delimiter.
                stripped = text.rstrip("\r\n")
                yield Record(line, stripped.split(delimiter) if stripped else [], text)
                continue
            cells = self._cells(text)
            if isinstance(cells, list):
                yield Record(line, cells, text)
            elif text.count('"') % 2 == 0:
                yield Record(line, None, text, f"bad quoting ({cells})")
            else:
                yield self._continued(line, text)

    def _continued(self, line: int, text: str) -> Record:
        taken = [(line, text)]
        odd, size = True, len(text)
        while odd and len(taken) < MAX_RECORD_LINES and size < MAX_RECORD_CHARS:
            item = self._pull()
            if item is None:
                break
            taken.append(item)
            odd ^= item[1].count('"') % 2 == 1
            size += len(item[1])
        if not odd:
            joined = "".join(part for _, part in taken)
            cells = self._cells(joined)
            if isinstance(cells, list) and len(cells) == self.width:
                return Record(line, cells, joined)
        self._pending.extendleft(reversed(taken[1:]))
        return Record(line, None, text, 'unterminated quote (a " that never closes)')
