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
) -> None:
    """Replace the table's rows, with each column as wide as its widest cell.

    Every cell is drawn literally: a string is never read as markup, and
    control, bidi and invisible characters show as marks (core.display).

    DataTable widens auto-sized columns only when it next goes idle, so a table
    filled the ordinary way is first drawn at header widths and jumps a moment
    later. Sized up front, it is drawn right the first time.
    """
    table.clear(columns=True)
    rows = [[_literal(cell) for cell in row] for row in rows]
    for index, label in enumerate(columns):
        width = max([cell_len(label), *(_width(row[index]) for row in rows)])
        table.add_column(label, width=width)
    for number, row in enumerate(rows):
        table.add_row(*row, key=keys[number] if keys is not None else None)


def _literal(cell: Cell) -> Text:
    if isinstance(cell, Text):
        plain = cell.plain
        return cell if plain.isprintable() else Text(shown(plain), style=cell.style)
    return Text(shown(cell))


def _width(cell: Cell) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(cell)
