"""What the prospect said for a criterion ("Retail, SIC 5411"); ↑↓ for another criterion."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from qualdesk.core.display import shown
from qualdesk.services.calling.calls import CriterionState
from qualdesk.tui.widgets.keys import legend
from qualdesk.tui.widgets.literal import LiteralInput


class AnswerDialog(ModalScreen[dict[int, str] | None]):
    """The answer to one criterion at a time; Enter saves every answer changed, Esc none.

    Writing an answer does not tick or untick the criterion: a rep may note
    what was said of one not established ("no budget until Q3").
    """

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "confirm", "Save the answers", id="answer.confirm", priority=True),
        Binding("escape", "cancel", "Close without saving", id="answer.cancel"),
        Binding("up", "move(-1)", "Criterion above", id="answer.previous"),
        Binding("down", "move(1)", "Criterion below", id="answer.next"),
    ]

    def __init__(self, checklist: list[CriterionState], start: int) -> None:
        super().__init__()
        self.checklist = checklist
        self.at = max(0, min(start, len(checklist) - 1))
        # What the box holds for each criterion visited, by its place in the checklist.
        self.typed: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="answer"):
            yield Static(id="answer-title", classes="dialog-title")
            yield Static(id="answer-prompt")
            yield LiteralInput(placeholder="what they said", id="answer-text")
            yield Static(
                legend(("Enter", "save"), ("↑↓", "another criterion"), ("Esc", "close")),
                classes="dialog-keys",
            )

    def on_mount(self) -> None:
        self._show()
        self.query_one("#answer-text", Input).focus()

    def _show(self) -> None:
        item = self.checklist[self.at]
        title = Text()
        title.append(f" {item.key_label} ", style="reverse")
        if item.established:
            title.append(" ✔ ", style="green")
        else:
            title.append(" · ", style="dim")
        title.append(item.label, style="bold")
        title.append("" if item.established else "  (not established)", style="dim")
        self.query_one("#answer-title", Static).update(title)
        self.query_one("#answer-prompt", Static).update(Text(item.prompt, style="dim"))
        box = self.query_one("#answer-text", Input)
        box.value = shown(self.typed.get(self.at, item.note))
        box.cursor_position = len(box.value)

    def _keep(self) -> None:
        self.typed[self.at] = self.query_one("#answer-text", Input).value

    def action_move(self, step: int) -> None:
        self._keep()
        self.at = (self.at + step) % len(self.checklist)
        self._show()

    def action_confirm(self) -> None:
        self._keep()
        changed = {
            index: text.strip()
            for index, text in self.typed.items()
            if text.strip() != shown(self.checklist[index].note).strip()
        }
        self.dismiss(changed)

    def action_cancel(self) -> None:
        self.dismiss(None)
