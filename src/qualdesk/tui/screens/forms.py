"""Small dialogs of the desk: a follow-up touch, a confirmation, one line asked for."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, RadioSet, Static

from qualdesk.core.display import shown
from qualdesk.tui.widgets.choice import Choice
from qualdesk.tui.widgets.keys import legend
from qualdesk.tui.widgets.literal import LiteralInput


class TouchDialog(ModalScreen[tuple[str, str] | None]):
    """Log a touch on another channel (email, LinkedIn, SMS) without ending the card."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "confirm", "Log the touch", id="touch.confirm", priority=True),
        Binding("escape", "cancel", "Cancel", id="touch.cancel"),
    ]

    def __init__(self, channels: list[str]) -> None:
        super().__init__()
        self.channels = channels

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="touch"):
            yield Static("Log a follow-up touch", classes="dialog-title")
            with RadioSet(id="touch-channel"):
                for index, channel in enumerate(self.channels):
                    yield Choice(channel, value=index == 0, id=f"touch-{channel}")
            yield LiteralInput(placeholder="what was sent or said", id="touch-note")
            yield Static(
                legend(("Enter", "log"), ("Tab then ↑↓ Space", "channel"), ("Esc", "cancel")),
                classes="dialog-keys",
            )

    def on_mount(self) -> None:
        self.query_one("#touch-note", Input).focus()

    def action_confirm(self) -> None:
        self._confirm()

    def _confirm(self) -> None:
        chosen = self.query_one("#touch-channel", RadioSet).pressed_button
        channel = str(chosen.label) if chosen is not None else self.channels[0]
        self.dismiss((channel, self.query_one("#touch-note", Input).value))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A yes-or-no question: Enter says yes, Esc says no."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "answer(True)", "Yes", id="confirm.yes", priority=True),
        Binding("escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: Text, yes: str, no: str) -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm"):
            yield Static(self.question)
            yield Static(
                legend(("Enter", self.yes), ("Esc", self.no)),
                classes="dialog-keys",
            )

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class AskDialog(ModalScreen[str | None]):
    """One line of text asked for: Enter answers, Esc cancels.

    With `check`, an answer it finds a problem with keeps the dialog open with
    the problem shown, so nothing typed after Enter lands on the screen behind.
    """

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "confirm", "Answer", id="ask.confirm", priority=True),
        Binding("escape", "cancel", "Cancel", id="ask.cancel"),
    ]

    def __init__(
        self, title: str, prompt: str, placeholder: str = "", value: str = "",
        check: Callable[[str], str | None] | None = None,
    ) -> None:  # fmt: skip
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.placeholder = placeholder
        self.value = value
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="ask"):
            yield Static(Text(self.title_text, style="bold"), classes="dialog-title")
            yield Static(Text(self.prompt, style="dim"))
            yield LiteralInput(value=self.value, placeholder=self.placeholder, id="ask-text")
            yield Static(id="ask-problem", classes="dialog-problem")
            yield Static(legend(("Enter", "ok"), ("Esc", "cancel")), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#ask-text", Input).focus()

    def action_confirm(self) -> None:
        self._confirm()

    def _confirm(self) -> None:
        answer = self.query_one("#ask-text", Input).value.strip()
        problem = self.check(answer) if self.check is not None else None
        if problem:
            self.query_one("#ask-problem", Static).update(Text(shown(problem)))
            return
        self.dismiss(answer)

    def action_cancel(self) -> None:
        self.dismiss(None)
