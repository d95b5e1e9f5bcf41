"""Fixing the lead on the card: name, title, company, email, numbers; a bad value is one line."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from qualdesk.core.display import shown
from qualdesk.core.edits import FIELDS, LABELS, LeadDetails
from qualdesk.tui.widgets.keys import KeyRow, legend
from qualdesk.tui.widgets.literal import LiteralInput

HINTS = {
    "email": "empty clears it",
    "phone": "read in the lead's country unless +code",
    "ext": "digits; empty clears it",
    "alt_phone": "the number to call instead; empty clears it",
}
Save = Callable[[dict[str, str], str], None]


class LeadDialog(ModalScreen[bool]):
    """The lead's details in a form; Enter saves what changed, with a reason; Esc closes.

    Saving is the desk's (it holds the lead): the dialog stays up until the
    change is saved, and a value the desk refuses is shown here in one line,
    with nothing changed.
    """

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "confirm", "Save", id="lead.confirm", priority=True),
        Binding("escape", "cancel", "Close without saving", id="lead.cancel"),
        Binding("down", "app.focus_next", "Next field", show=False, id="lead.next-field"),
        Binding("up", "app.focus_previous", "Previous field", show=False, id="lead.previous-field"),
    ]

    def __init__(self, details: LeadDetails, save: Save) -> None:
        super().__init__()
        self.details = details
        self.save = save
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="lead"):
            yield Static("Fix the lead's details", classes="dialog-title")
            with Grid(id="lead-fields"):
                for field in FIELDS:
                    yield Label(LABELS[field].capitalize(), classes="lead-label")
                    yield LiteralInput(
                        value=self.details.shown(field),
                        placeholder=HINTS.get(field, ""),
                        id=f"lead-{field.replace('_', '-')}",
                    )
                yield Label("Reason", classes="lead-label")
                yield LiteralInput(
                    placeholder="why (optional; kept with the change)", id="lead-reason"
                )
            yield Static(id="lead-problem", classes="dialog-problem")
            yield Static(self._keys(), id="lead-keys", classes="dialog-keys")

    def _keys(self) -> KeyRow:
        return legend(("Enter", "save"), ("Tab ↑↓", "another field"), ("Esc", "close"))

    def _box(self, field: str) -> Input:
        return self.query_one(f"#lead-{field.replace('_', '-')}", Input)

    def asked(self) -> dict[str, str]:
        """The fields whose text was changed, with their new text."""
        return {
            field: self._box(field).value
            for field in FIELDS
            if self._box(field).value.strip() != shown(self.details.shown(field)).strip()
        }

    def action_confirm(self) -> None:
        if self.saving:
            return
        asked = self.asked()
        if not asked:
            self.dismiss(False)
            return
        self.saving = True
        self.query_one("#lead-problem", Static).update("")
        self.query_one("#lead-keys", Static).update(Text("Saving…", style="dim"))
        self.save(asked, self.query_one("#lead-reason", Input).value)

    def failed(self, message: str, field: str = "") -> None:
        """The desk refused a value: say which, keep everything typed, go back to it."""
        self.saving = False
        self.query_one("#lead-problem", Static).update(Text(shown(message)))
        self.query_one("#lead-keys", Static).update(self._keys())
        if field in FIELDS:
            self._box(field).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """A value typed again: the line about the refused one has had its say."""
        if not self.saving:
            self.query_one("#lead-problem", Static).update("")

    def action_cancel(self) -> None:
        if not self.saving:
            self.dismiss(False)
