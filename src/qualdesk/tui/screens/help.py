"""Help: every key that works on the screen underneath, with its binding id."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import ClassVar

from rich.console import Console, ConsoleOptions, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

SECTIONS = ("The desk", "Log the call", "Checklist", "Anywhere", "This screen")


def _section(ident: str) -> str:
    if ident.startswith("desk.disposition."):
        return "Log the call"
    if ident.startswith("desk.criterion-"):
        return "Checklist"
    if ident.startswith("desk."):
        return "The desk"
    if ident.startswith("app."):
        return "Anywhere"
    return "This screen"


def _said(binding: Binding) -> str:
    """What a key does, in help: its tooltip if it has one (the footer keeps the short word)."""
    return binding.tooltip or binding.description or binding.action


class HelpScreen(ModalScreen[None]):
    """Lists the keys of the screen it was opened over; dim ones do not apply right now."""

    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,question_mark,q", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Text("Keys", style="bold"), id="help-title")
            yield Static(self._keys(), id="help-keys")
            yield Static(
                Text(
                    "Arrows and PgUp/PgDn move in lists; Tab moves between fields of a dialog.\n\n"
                    "Remap any key by its id in the config file, e.g.\n"
                    '  [keys]\n  "desk.next-lead" = "space"\n'
                    "(`qualdesk locate` shows where the config file lives).",
                    style="dim",
                ),
                id="help-remap",
            )

    def _keys(self) -> KeyTable:
        grouped: dict[str, tuple[list[str], Binding, bool]] = {}
        # A screen that hides keys that have no meaning now lists them all for help.
        listing = getattr(self.under, "every_key", contextlib.nullcontext)
        with listing():
            bindings = self.under.active_bindings
        for key, active in bindings.items():
            binding = active.binding
            if binding.system or not binding.id:
                continue
            keys, _, enabled = grouped.get(binding.id, ([], binding, active.enabled))
            keys.append(self.app.get_key_display(Binding(key, binding.action)))
            grouped[binding.id] = (keys, binding, enabled or active.enabled)
        sections: dict[str, list[Row]] = {}
        for ident, (keys, binding, enabled) in grouped.items():
            sections.setdefault(_section(ident), []).append(
                (" ".join(keys), _said(binding), ident, enabled)
            )
        return KeyTable([(title, sections[title]) for title in SECTIONS if title in sections])

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)


Row = tuple[str, str, str, bool]  # keys, what they do, the binding id, whether they apply now
IN_DIALOGS = (
    "Enter confirms, Esc cancels, Tab moves between fields. When a call ends, "
    "s u w o pick another route (with a reason)."
)


class KeyTable:
    """The keys by section: what each does wraps in its own column, the id beside it."""

    def __init__(self, sections: list[tuple[str, list[Row]]]) -> None:
        self.sections = sections

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterator[RenderableType]:
        for title, rows in self.sections:
            yield Text(title, style="bold underline")
            table = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False)
            table.add_column(justify="right", no_wrap=True, style="bold")
            table.add_column(ratio=1)
            table.add_column(no_wrap=True, style="dim")
            for keys, said, ident, enabled in rows:
                table.add_row(keys, said, ident, style="" if enabled else "dim")
            yield table
            yield Text()
        yield Text.assemble(("In dialogs: ", "bold"), IN_DIALOGS)

    def __str__(self) -> str:
        lines = []
        for title, rows in self.sections:
            lines.append(title)
            lines.extend(f"{keys:>10}  {said}  {ident}" for keys, said, ident, _ in rows)
            lines.append("")
        lines.append(f"In dialogs: {IN_DIALOGS}")
        return "\n".join(lines)
