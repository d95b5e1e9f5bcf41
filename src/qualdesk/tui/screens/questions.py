"""The yes-or-no questions the desk asks, worded once: Enter says the first, Esc the other."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from qualdesk.core.display import shown
from qualdesk.tui.screens.forms import ConfirmDialog
from qualdesk.tui.widgets.keys import legend


def take_back(name: str, lead_id: int, until: datetime) -> ConfirmDialog:
    """The rep's first claim found a lead a desk of theirs still holds (`until` in their zone)."""
    question = Text.assemble(
        (f"{shown(name)} (#{lead_id}) is still yours. ", "bold yellow"),
        "It is open in another qualdesk of yours, or your desk closed mid-call; any notes "
        "you typed on it are kept. Enter takes it here (another window that has it open "
        f"loses it). Esc leaves it where it is: it stays yours until {until:%H:%M}, then "
        "goes back to the queue.",
    )
    return ConfirmDialog(question, "take it here", "leave it")


class CalledIn(ModalScreen[str]):
    """A lead found by search that may not be called now: did they call the desk?

    Answers "inbound" (they called in: the conversation is logged as their
    call), "read" (open the card to read, fix or touch, no call) or "close".
    """

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "answer('inbound')", "They called in", id="called-in.yes", priority=True),
        Binding("o", "answer('read')", "Open to read", id="called-in.read"),
        Binding("escape", "answer('close')", "Close it", id="called-in.close"),
    ]

    def __init__(self, reason: str, opens: str) -> None:
        super().__init__()
        self.reason = reason
        self.opens = opens

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="called-in"):
            yield Static(
                Text.assemble(
                    (f"Not to be called now: {shown(self.reason)}.", "bold yellow"),
                    self.opens,
                    "\n\nDid they call you? The rules on calling are for the calls the desk "
                    "makes; a conversation they started is logged as their call.",
                )
            )
            yield Static(
                legend(
                    ("Enter", "they called in"),
                    ("o", "open to read, fix or touch"),
                    ("Esc", "close it"),
                ),
                classes="dialog-keys",
            )

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)


def unknown_zone() -> ConfirmDialog:
    """A lead whose local time cannot be told: call it anyway?"""
    question = Text.assemble(
        ("Their local time is unknown. ", "bold yellow"),
        "The number has no time zone the desk can tell; call only if you know it is a "
        "sensible time for them.",
    )
    return ConfirmDialog(question, "call anyway", "skip it for now")


def leave_call(outcome: str, who: str) -> ConfirmDialog:
    """Opening another lead while this call has an outcome logged but is not ended."""
    question = Text.assemble(
        (f"{outcome} is logged on {shown(who)} but the call is not ended. ", "bold"),
        "Open the other lead anyway? This call's outcome is not saved; the lead goes "
        "back to the queue with your notes kept as a draft. (Esc stays; e ends the call.)",
    )
    return ConfirmDialog(question, "open the other lead", "stay")


def team_view_with_card(who: str) -> ConfirmDialog:
    """A team lead opening the team view with a card open: put it back first?"""
    question = Text.assemble(
        ("Open the team view? ", "bold"),
        f"{shown(who)} goes back to the queue as it was (no call logged; your notes are kept "
        "as a draft).",
    )
    return ConfirmDialog(question, "put it back and open the team view", "stay on the call")


def quit_with_card(who: str) -> ConfirmDialog:
    """Quitting with a card open."""
    question = Text.assemble(
        ("Quit with a card open? ", "bold yellow"),
        f"{shown(who)} goes back to the queue; this call's outcome is not saved (your "
        "notes are kept as a draft for when you open the lead again).",
    )
    return ConfirmDialog(question, "quit", "stay")
