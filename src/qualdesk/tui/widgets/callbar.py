"""The call bar under the card: where the call stands, and the disposition keys."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from qualdesk.core.display import shown
from qualdesk.core.rules import Disposition
from qualdesk.tui.widgets.keys import KeyRow


class CallBar(Vertical):
    """One line on the call's state, then one key per disposition (the chosen one lit)."""

    DEFAULT_CSS = """
    CallBar {
        height: auto;
    }
    CallBar #call-state {
        height: auto;
        max-height: 3;
        padding: 0 1;
        background: $primary-background;
    }
    CallBar #call-keys {
        height: auto;
        padding: 0 1;
    }
    CallBar.-read-only #call-state {
        background: $warning-muted;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="call-state")
        yield Static(id="call-keys")

    def show(
        self,
        outcome: Disposition | None,
        dispositions: tuple[Disposition, ...],
        not_a_call: str = "",
        *,
        inbound: bool = False,
    ) -> None:
        """Paint the bar: the outcome logged so far, or why no call may be logged on this card."""
        state = Text()
        if not_a_call:
            state.append("Not a call now: ", style="bold")
            state.append(shown(not_a_call))
            state.append(" t touch, f fix, Esc close.")
        elif outcome is None:
            state.append("They called in. " if inbound else "On the call. ", style="bold")
            state.append("Log how it went with one key; 1-0 tick the checklist.")
        else:
            state.append(f"{outcome.label}. ", style="bold green")
            state.append("Work the checklist, then ")
            state.append(" e ", style="reverse")
            state.append(" to end the call and route the lead.")
        self.set_class(bool(not_a_call), "-read-only")
        self.query_one("#call-state", Static).update(state)
        # No call may be logged: the keys for one are not offered (the state says what is).
        keys = self.query_one("#call-keys", Static)
        keys.display = not not_a_call
        pairs = []
        for item in dispositions:
            chosen = outcome is not None and item.key == outcome.key
            pair = Text(f" {item.hotkey} ", style="reverse bold" if chosen else "reverse")
            pair.append(f" {shown(item.label)}", style="bold" if chosen else "")
            pairs.append(pair)
        keys.update(KeyRow(pairs, gap="  "))
