"""Keys and what they do, in a row: the hint line ("Enter book   Esc cancel")."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from rich.console import Console, ConsoleOptions
from rich.text import Text


class KeyRow:
    """Key-and-meaning pairs in a row, lines breaking between pairs, never inside one."""

    def __init__(self, pairs: Sequence[Text], gap: str = "   ") -> None:
        self.pairs = pairs
        self.gap = gap

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        width = options.max_width
        lines: list[Text] = []
        for pair in self.pairs:
            if lines and lines[-1].cell_len + len(self.gap) + pair.cell_len <= width:
                lines[-1].append(self.gap)
                lines[-1].append_text(pair)
            else:
                lines.append(pair.copy())
        yield Text("\n").join(lines)

    def __str__(self) -> str:
        return self.gap.join(pair.plain for pair in self.pairs)


def legend(*pairs: tuple[str, str]) -> KeyRow:
    """Keys in bold, each followed by what it does."""
    return KeyRow([Text.assemble((key, "bold"), f" {meaning}") for key, meaning in pairs])
