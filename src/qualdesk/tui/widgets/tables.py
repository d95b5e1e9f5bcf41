"""Filling a DataTable with its columns sized from the cells, in one go."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from qualdesk.core.display import shown

Cell = Text | str


def fill(
    table: DataTable[Cell],
    columns: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    keys: Sequence[str] | None = None,
    limits: Sequence[int | None] | None = None,
) -> None:
    """Replace the table's rows, with each column as wide as its widest cell.

    `limits` caps a column's width (cells cut with an ellipsis), so a table
    of people's text fits a narrow terminal without scrolling sideways.

    Every cell is drawn literally: a string is never read as markup, and
    control, bidi and invisible characters show as marks (core.display).

    DataTable widens auto-sized columns only when it next goes idle, so a table
    filled the ordinary way is first drawn at header widths and jumps a moment
    later. Sized up front, it is drawn right the first time.
    """
    table.clear(columns=True)
    drawn = [[_literal(cell) for cell in row] for row in rows]
    if limits is not None:
        drawn = [[_cut(cell, cap) for cell, cap in zip(row, limits, strict=True)] for row in drawn]
    for index, label in enumerate(columns):
        width = max([cell_len(label), *(_width(row[index]) for row in drawn)])
        table.add_column(label, width=width)
    for number, row in enumerate(drawn):
        table.add_row(*row, key=keys[number] if keys is not None else None)


def _cut(cell: Text, limit: int | None) -> Text:
    if limit is None or cell.cell_len <= limit:
        return cell
    cut = cell.copy()
    cut.truncate(limit, overflow="ellipsis")
    return cut


def _literal(cell: Cell) -> Text:
    if isinstance(cell, Text):
        plain = cell.plain
        return cell if plain.isprintable() else Text(shown(plain), style=cell.style)
    return Text(shown(cell))


def _width(cell: Cell) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(cell)
