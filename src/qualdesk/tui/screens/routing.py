"""The routing dialog: where the lead goes when the call ends. Enter takes the proposal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from qualdesk.core.display import shown
from qualdesk.core.hours import zone
from qualdesk.core.routing import ROUTE_LABELS, Route
from qualdesk.core.stages import Stage
from qualdesk.tui.widgets.keys import KeyRow, legend
from qualdesk.tui.widgets.literal import LiteralInput

# Another route, by key, for a rep who disagrees with the proposal.
CHOICES = {"s": Stage.SALES, "u": Stage.NURTURE, "w": Stage.WORKING, "o": Stage.DISQUALIFIED}


@dataclass(frozen=True)
class RouteChoice:
    """What the rep decided: the proposal, or another route with their reason."""

    override: tuple[Stage, str] | None = None


class RoutingDialog(ModalScreen[RouteChoice | None]):
    """Shows the proposed route and its reason; Enter confirms, s/u/w/o pick another."""

    CSS_PATH = "dialogs.tcss"
    # Keys choose routes; the reason box takes focus only once another route is chosen.
    AUTO_FOCUS = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "confirm", "Confirm", id="routing.confirm", priority=True),
        Binding("escape", "back", "Back to the call", id="routing.cancel"),
        *(
            Binding(key, f"choose('{key}')", f"{ROUTE_LABELS[stage].split(' (')[0]}",
                    id=f"routing.{stage.value}")
            for key, stage in CHOICES.items()
        ),
    ]  # fmt: skip

    def __init__(
        self,
        outcome: str,
        route: Route,
        rep_zone: str,
        lead_zones: tuple[str, ...],
        save: Callable[[RouteChoice], None] | None = None,
        others_on_number: int = 0,
        checklist_changed: int = 0,
    ) -> None:
        super().__init__()
        self.others_on_number = others_on_number
        # Criteria changed on a call that was no conversation: said, as they are kept.
        self.checklist_changed = checklist_changed
        self.outcome = outcome
        self.route = route
        self.rep_zone = rep_zone
        self.lead_zones = lead_zones
        self.save = save
        self.saving = False
        self.chosen: Stage | None = None
        # Saved while another screen (help, the quit question) was over it: close on return.
        self._close_on_return: RouteChoice | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="routing"):
            yield Static(
                Text(f"End the call: {self.outcome}", style="bold"), classes="dialog-title"
            )
            yield Static(self._proposal(), id="routing-proposal")
            yield Static(id="routing-other", classes="-hidden")
            yield LiteralInput(
                placeholder="why this route instead? (required)",
                id="routing-reason",
                classes="-hidden",
            )
            yield Static(id="routing-problem", classes="dialog-problem")
            yield Static(self._keys(), classes="dialog-keys", id="routing-keys")

    def _proposal(self) -> Text:
        text = Text()
        text.append("Proposed: ", style="dim")
        text.append(ROUTE_LABELS[self.route.stage], style="bold green")
        text.append(f"\n{shown(self.route.reason)}")
        if self.route.grade_note:
            text.append(f"\n{shown(self.route.grade_note)}", style="yellow")
        due = self.route.callback_at or self.route.next_due_at
        if due is not None:
            text.append("\nnext on the desk: ", style="dim")
            text.append(f"{due.astimezone(zone(self.rep_zone)):%a %d %b %H:%M} yours")
            if self.lead_zones:
                text.append(f", {due.astimezone(zone(self.lead_zones[0])):%a %H:%M} theirs")
        if self.route.do_not_call:
            text.append("\nthe number goes on the do-not-call list", style="bold red")
            others = self.others_on_number
            if others:
                text.append(
                    f"\nand {others} other lead{'s' if others > 1 else ''} on this number "
                    f"{'stop' if others > 1 else 'stops'} too (a shared line)",
                    style="bold red",
                )
        if self.checklist_changed:
            many = self.checklist_changed > 1
            text.append(
                f"\n{self.checklist_changed} checklist answer{'s' if many else ''} changed on "
                f"this call {'are' if many else 'is'} kept (Esc, then 1-0 to undo)",
                style="yellow",
            )
        return text

    def _keys(self) -> KeyRow:
        # A request not to be called is honoured whatever the rep thinks.
        others = [
            (key, ROUTE_LABELS[stage])
            for key, stage in CHOICES.items()
            if stage != self.route.stage and not self.route.do_not_call
        ]
        return legend(("Enter", "confirm"), *others, ("Esc", "back to the call"))

    def action_choose(self, key: str) -> None:
        stage = CHOICES[key]
        if stage == self.route.stage or self.route.do_not_call:
            return
        self.chosen = stage
        other = self.query_one("#routing-other", Static)
        other.update(Text.assemble(("Instead: ", "dim"), (ROUTE_LABELS[stage], "bold yellow")))
        other.remove_class("-hidden")
        reason = self.query_one("#routing-reason", Input)
        reason.remove_class("-hidden")
        reason.focus()
        self.query_one("#routing-keys", Static).update(
            legend(("Enter", "confirm with this reason"), ("Esc", "back to the proposal"))
        )

    def action_confirm(self) -> None:
        self._confirm()

    def _confirm(self) -> None:
        if self.saving:
            return
        if self.chosen is None:
            self._decided(RouteChoice())
            return
        reason = self.query_one("#routing-reason", Input).value.strip()
        if not reason:
            self.query_one("#routing-problem", Static).update(
                "Give a reason for choosing another route."
            )
            return
        self._decided(RouteChoice((self.chosen, reason)))

    def _decided(self, choice: RouteChoice) -> None:
        """Hand the choice over; with a saver, stay up until it is saved."""
        if self.save is None:
            self.dismiss(choice)
            return
        self.saving = True
        self.query_one("#routing-keys", Static).update(Text("Saving…", style="dim"))
        self.save(choice)

    def close(self, answer: RouteChoice) -> None:
        """The call is saved: close now, or as soon as whatever was opened over it closes."""
        if self not in self.app.screen_stack:
            return
        if self.is_active:
            self.dismiss(answer)
        else:
            self._close_on_return = answer

    def on_screen_resume(self) -> None:
        if self._close_on_return is not None:
            self.dismiss(self._close_on_return)

    def failed(self, message: str) -> None:
        """Saving failed: say why and let the rep try again or go back."""
        self.saving = False
        self.query_one("#routing-problem", Static).update(Text(shown(message)))
        self.query_one("#routing-keys", Static).update(self._keys())

    def action_back(self) -> None:
        if self.saving:
            return
        if self.chosen is None:
            self.dismiss(None)
            return
        self.chosen = None
        self.query_one("#routing-other", Static).add_class("-hidden")
        reason = self.query_one("#routing-reason", Input)
        reason.add_class("-hidden")
        reason.value = ""
        self.query_one("#routing-problem", Static).update("")
        self.query_one("#routing-keys", Static).update(self._keys())
        self.set_focus(None)
