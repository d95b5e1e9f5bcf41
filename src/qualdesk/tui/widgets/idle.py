"""The desk with no card open: what to press, why the queue is empty, what became of a card."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from qualdesk.core.display import shown
from qualdesk.services.calling.queue import Outlook


def _key(text: Text, key: str) -> None:
    text.append(f" {key} ", style="reverse")


class IdlePanel(Static):
    """No card open: the next step, or why there is nothing to call, or what became of a card."""

    DEFAULT_CSS = """
    IdlePanel {
        height: 1fr;
        content-align: center middle;
        text-align: center;
        color: $text-muted;
        padding: 0 2;
    }
    """

    def show_idle(self, team_lead: bool) -> None:
        """Nothing open: how to start."""
        text = Text()
        text.append("No lead open.\n\n", style="bold")
        text.append("Press ")
        _key(text, "n")
        text.append(" for the next lead, ")
        _key(text, "/")
        text.append(" to find one, ")
        _key(text, "q")
        text.append(" to see the queue, ")
        _key(text, "?")
        text.append(" for every key.")
        if team_lead:
            text.append("\nTeam lead: ")
            _key(text, "Ctrl+T")
            text.append(" opens the team view (figures, export to sales, reviews).")
        self.update(text)

    def show_loading(self) -> None:
        """A lead is on its way."""
        self.update(Text("Getting the next lead…", style="dim"))

    def show_outlook(self, outlook: Outlook, rep_zone: str) -> None:
        """The queue had nothing to call now: say why, and when that changes."""
        text = Text()
        text.append("Nothing to call right now.\n\n", style="bold")
        text.append(outlook.explain(rep_zone))
        text.append("\n\nPress ")
        _key(text, "n")
        text.append(" to look again, ")
        _key(text, "q")
        text.append(" for the queue.")
        self.update(text)

    def show_lost(self, who: str, lead_id: int, why: str, notes: str) -> None:
        """A card closed under the rep (its hold ran out, it left the desk): why, and the notes."""
        text = Text()
        text.append(f"The card of {shown(who)} (#{lead_id}) was closed: ", style="bold red")
        text.append(f"{shown(why)}.\n\n")
        if notes:
            text.append(
                "Your notes from that card, not saved with a call (copy them if needed; the "
                "draft kept as you typed comes back when you open the lead again):\n",
                style="bold",
            )
            text.append(shown(notes, lines=True))
            text.append("\n\n")
        text.append("Press ")
        _key(text, "n")
        text.append(" for the next lead.")
        self.update(text)
