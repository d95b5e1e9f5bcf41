"""The callback dialog: a time as the rep types it, shown back in both zones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, RadioSet, Static

from qualdesk.core.callbacks import CallbackPlan
from qualdesk.core.display import shown
from qualdesk.core.errors import QualdeskError
from qualdesk.core.hours import REP_DAY
from qualdesk.tui.widgets.choice import Choice
from qualdesk.tui.widgets.keys import legend
from qualdesk.tui.widgets.literal import LiteralInput


@dataclass(frozen=True)
class CallbackChoice:
    """When to call back, and whether only this rep may."""

    plan: CallbackPlan
    owner_only: bool


def _said(plan: CallbackPlan) -> str:
    """A callback time in both zones, as the dialog says it."""
    theirs = f" · {plan.lead_local:%a %H:%M} theirs" if plan.lead_local is not None else ""
    return f"{plan.rep_local:%a %d %b %H:%M} yours{theirs}"


class CallbackDialog(ModalScreen[CallbackChoice | None]):
    """Type a time ("14:30", "tomorrow 10am", "tue 9", "+2d"); Enter books it."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "confirm", "Book the callback", id="callback.confirm", priority=True),
        Binding("escape", "cancel", "Cancel", id="callback.cancel"),
    ]

    def __init__(
        self,
        plan: Callable[[str], CallbackPlan],
        lead_name: str,
        hours: str = "",
        suggested: CallbackPlan | None = None,
    ) -> None:
        super().__init__()
        self.plan = plan
        self.lead_name = lead_name
        self.hours = hours
        # A good time in the lead's hours and the rep's day: Enter on an empty box takes it.
        self.suggested = suggested

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="callback"):
            yield Static(
                Text.assemble(("Callback: ", "bold"), (self.lead_name, "bold")),
                classes="dialog-title",
            )
            if self.hours:
                yield Static(Text(self.hours, style="dim"), id="callback-hours")
            if self.suggested is not None:
                yield Static(
                    Text.assemble(
                        ("Suggested: ", "dim"),
                        (_said(self.suggested), "bold"),
                        (" (Enter on an empty box books it)", "dim"),
                    ),
                    id="callback-suggested",
                )
            yield LiteralInput(
                placeholder="when? 14:30, tomorrow 10am, tue 9, in 2 hours, +2d, dec 1 3pm",
                id="callback-when",
            )
            yield Static(id="callback-preview")
            with RadioSet(id="callback-who"):
                yield Choice("only me", value=True, id="callback-mine")
                yield Choice("anyone on the desk", id="callback-anyone")
            yield Static(
                legend(
                    ("Enter", "book"), ("Tab then ←→ Space", "only me / anyone"), ("Esc", "cancel")
                ),
                classes="dialog-keys",
            )

    def on_mount(self) -> None:
        self.query_one("#callback-when", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        preview = self.query_one("#callback-preview", Static)
        if not event.value.strip():
            preview.update("")
            return
        try:
            plan = self.plan(event.value)
        except QualdeskError as exc:
            preview.update(Text(shown(str(exc)), style="red"))
            return
        text = Text()
        text.append(f"{plan.rep_local:%a %d %b %H:%M} your time", style="bold green")
        if plan.lead_local is not None:
            text.append(f" · {plan.lead_local:%a %H:%M} their time", style="bold")
        else:
            text.append(" · their time zone is unknown", style="yellow")
        if not plan.in_rep_day:
            start, end = REP_DAY
            text.append(
                f" · outside your working day ({start:%H:%M}-{end:%H:%M}): is that right?",
                style="yellow",
            )
        preview.update(text)

    def action_confirm(self) -> None:
        self._confirm()

    def _confirm(self) -> None:
        preview = self.query_one("#callback-preview", Static)
        typed = self.query_one("#callback-when", Input).value
        if not typed.strip():
            if self.suggested is not None:
                anyone = self.query_one("#callback-anyone", Choice).value
                self.dismiss(CallbackChoice(self.suggested, owner_only=not anyone))
                return
            preview.update(Text("Type a time the lead may be called at.", style="red"))
            return
        try:
            plan = self.plan(typed)
        except QualdeskError as exc:
            # The specific reason stays on screen: the rep sees what to change.
            preview.update(Text(shown(str(exc)), style="red"))
            return
        anyone = self.query_one("#callback-anyone", Choice).value
        self.dismiss(CallbackChoice(plan, owner_only=not anyone))

    def action_cancel(self) -> None:
        self.dismiss(None)
