"""The yes-or-no questions the desk asks, worded once: Enter says the first, Esc the other."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from qualdesk.core.display import shown
from qualdesk.tui.screens.forms import ConfirmDialog


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


def not_now(reason: str, opens: str) -> ConfirmDialog:
    """A lead found by search that may not be called now: open it to read, fix or touch?"""
    question = Text.assemble(
        (f"Not to be called now: {shown(reason)}. ", "bold yellow"),
        f"Open the card to read it, fix it or log another kind of touch?{opens}",
    )
    return ConfirmDialog(question, "open it", "close it")


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


def quit_with_card(who: str) -> ConfirmDialog:
    """Quitting with a card open."""
    question = Text.assemble(
        ("Quit with a card open? ", "bold yellow"),
        f"{shown(who)} goes back to the queue; this call's outcome is not saved (your "
        "notes are kept as a draft for when you open the lead again).",
    )
    return ConfirmDialog(question, "quit", "stay")
