"""What the desk's work off the UI thread reports back, as Messages to the desk screen."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from qualdesk.core.callbacks import CallbackFacts, CallbackPlan
    from qualdesk.core.edits import Change
    from qualdesk.core.routing import Route
    from qualdesk.core.rules import Disposition
    from qualdesk.services.calling.calls import CallCard
    from qualdesk.services.calling.lease import Claim
    from qualdesk.services.calling.queue import HeldLead, Outlook
    from qualdesk.services.figures.stats import DayCounts
    from qualdesk.tui.screens.callback import CallbackChoice
    from qualdesk.tui.screens.lead import LeadDialog


class CardReady(Message):
    """A lead was claimed and its card read; or none could be, and the outlook says why."""

    def __init__(
        self, claim: Claim | None, card: CallCard | None, outlook: Outlook | None, said: str = ""
    ) -> None:
        super().__init__()
        self.claim = claim
        self.card = card
        self.outlook = outlook
        # What finishing the last card did ("No answer: keep working"), to say in passing.
        self.said = said


class TakeBackAsked(Message):
    """The rep's first claim found a lead still held by a desk of theirs that went away."""

    def __init__(self, held: HeldLead) -> None:
        super().__init__()
        self.held = held


class CardRead(Message):
    """The card of the held lead, read again after a change (or as the minutes pass)."""

    def __init__(self, claim: Claim, card: CallCard, order: int, problem: str = "") -> None:
        super().__init__()
        self.claim = claim
        self.card = card
        # Which change on the card this read follows.
        self.order = order
        # The change could not be made (one line); the card shows the lead as it stands.
        self.problem = problem


class CardLost(Message):
    """The rep no longer holds the lead on the card, and why."""

    def __init__(self, claim: Claim, why: str, *, moving: bool = False) -> None:
        super().__init__()
        self.claim = claim
        self.why = why
        # Found by the work that was moving the desk on (ending the call).
        self.moving = moving


class WorkFailed(Message):
    """Work on the desk failed: one line to show. `saved` is what was saved before it failed."""

    def __init__(self, line: str, saved: str = "", *, moving: bool = False) -> None:
        super().__init__()
        self.line = line
        self.saved = saved
        # It failed on the way to another card (a claim, an open, an end of call).
        self.moving = moving


class RouteProposed(Message):
    """Where the lead would go if the call ended now with this disposition."""

    def __init__(
        self, claim: Claim, chosen: Disposition, route: Route, callback: CallbackChoice | None
    ) -> None:
        super().__init__()
        self.claim = claim
        self.chosen = chosen
        self.route = route
        self.callback = callback


class CallbackAsked(Message):
    """The rep asked for a callback: what a time is checked against is read, and the time
    to suggest worked out; the dialog may open."""

    def __init__(
        self,
        claim: Claim,
        chosen: Disposition,
        facts: CallbackFacts,
        suggested: CallbackPlan | None,
    ) -> None:
        super().__init__()
        self.claim = claim
        self.chosen = chosen
        self.facts = facts
        self.suggested = suggested


class CountsRead(Message):
    """The rep's figures for today, for the bar."""

    def __init__(self, counts: DayCounts, now: datetime) -> None:
        super().__init__()
        self.counts = counts
        self.now = now


class DraftNotKept(Message):
    """The call notes could not be kept as a draft (they are still on screen)."""

    def __init__(self, line: str, lost: bool) -> None:
        super().__init__()
        self.line = line
        # The claim is gone: the desk should find out why at once.
        self.lost = lost


class LeadEdited(Message):
    """The lead's details were changed from its card, and the card read again."""

    def __init__(
        self, claim: Claim, changes: tuple[Change, ...], card: CallCard, dialog: LeadDialog
    ) -> None:
        super().__init__()
        self.claim = claim
        self.changes = changes
        self.card = card
        self.dialog = dialog


class EditRefused(Message):
    """A value typed in the lead's form cannot be used; nothing was changed."""

    def __init__(self, line: str, dialog: LeadDialog, field: str = "") -> None:
        super().__init__()
        self.line = line
        self.dialog = dialog
        # The field refused, to put the cursor back in it.
        self.field = field
