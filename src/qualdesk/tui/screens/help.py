"""Help: every key that works on the screen underneath, with its binding id."""

from __future__ import annotations

import contextlib
from typing import ClassVar

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

    def _keys(self) -> Text:
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
        sections: dict[str, list[tuple[str, list[str], Binding, bool]]] = {}
        for ident, (keys, binding, enabled) in grouped.items():
            sections.setdefault(_section(ident), []).append((ident, keys, binding, enabled))
        described = [len(_said(b)) for _, b, _ in grouped.values()]
        width = min(max(described, default=20), 44)
        text = Text()
        for title in SECTIONS:
            rows = sections.get(title)
            if not rows:
                continue
            text.append(f"{title}\n", style="bold underline")
            for ident, keys, binding, enabled in rows:
                style = "" if enabled else "dim"
                text.append(f"{' '.join(keys):>10}  ", style="bold " + style)
                text.append(f"{_said(binding):<{width}}  ", style=style)
                text.append(f"{ident}\n", style="dim")
            text.append("\n")
        text.append("In dialogs: ", style="bold")
        text.append(
            "Enter confirms, Esc cancels, Tab moves between fields. When a call ends, "
            "s u w o pick another route (with a reason)."
        )
        return text

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
