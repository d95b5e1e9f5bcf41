"""The desk's database work, as jobs for its work line: each says how it went in a Message.

A job runs off the UI thread, in the order the keys asked for it (see
workline); it calls the services and turns what happened, success or one
line of failure, into the Message the desk screen handles. Nothing here
touches a widget.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime

from qualdesk.core.callbacks import suggest_callback
from qualdesk.core.errors import QualdeskError
from qualdesk.core.rules import Disposition
from qualdesk.db.models import Rep
from qualdesk.services.access import as_rep
from qualdesk.services.calling import callbacks, calls, drafts, leads, lease, queue
from qualdesk.services.calling.lease import Claim, ClaimLost
from qualdesk.services.desk import Desk
from qualdesk.services.problems import unexpected_line
from qualdesk.tui.messages import (
    CallbackAsked,
    CardLost,
    CardRead,
    CardReady,
    DraftNotKept,
    EditRefused,
    LeadEdited,
    RouteProposed,
    TakeBackAsked,
    WorkFailed,
)
from qualdesk.tui.screens.callback import CallbackChoice
from qualdesk.tui.screens.lead import LeadDialog
from qualdesk.tui.screens.routing import RouteChoice

Moved = CardReady | TakeBackAsked | WorkFailed | CardLost


def one_line(error: Exception) -> str:
    """An error as the rep reads it: ours as said, anything else as an internal error."""
    return str(error) if isinstance(error, QualdeskError) else unexpected_line(error)


class DeskWork:
    """The jobs of one rep's desk."""

    def __init__(self, desk: Desk, rep: Rep) -> None:
        self.desk = desk
        self.rep = rep

    def fetch(
        self,
        *,
        after: Callable[[], str] | None = None,
        take_back: bool | None = None,
        first_claim: bool = False,
        holding: Claim | None = None,
    ) -> Callable[[], Moved]:
        """Finish something first (end a call), then claim and read the next card.

        Args:
            after: work that finishes the card in hand; what it returns is said in passing.
            take_back: the rep's answer on taking back a lead a desk of theirs left held.
            first_claim: the desk's first claim: ask first about a lead left held.
            holding: the claim `after` works on, lost if it raises ClaimLost.
        """
        desk, rep = self.desk, self.rep

        def job() -> Moved:
            said, claim = "", None
            try:
                if after is not None:
                    said = after()
                if first_claim:
                    held = queue.held_elsewhere(desk, rep)
                    if held is not None:
                        return TakeBackAsked(held)
                claim = queue.claim_next(desk, rep, resume=bool(take_back))
                if claim is None:
                    return CardReady(None, None, queue.outlook(desk, rep), said)
                return CardReady(claim, calls.load_card(desk, claim), None, said)
            except ClaimLost as exc:
                if holding is None:
                    return WorkFailed(str(exc), said, moving=True)
                return CardLost(holding, str(exc), moving=True)
            except Exception as exc:  # one line; the desk stays usable
                if claim is not None:
                    # Claimed but not shown: give it back rather than hold it unseen.
                    with contextlib.suppress(Exception):
                        queue.release(desk, claim)
                return WorkFailed(one_line(exc), said, moving=True)

        return job

    def end_call(
        self,
        claim: Claim,
        chosen: Disposition,
        *,
        notes: str,
        started: datetime | None,
        callback: CallbackChoice | None,
        answer: RouteChoice,
        inbound: bool = False,
    ) -> Callable[[], str]:
        """Log the call and route the lead; says what it did ("No answer: keep working")."""
        desk = self.desk

        def end() -> str:
            ended = calls.end_call(
                desk,
                claim,
                chosen.key,
                notes=notes,
                started_at=started,
                callback_at=callback.plan.at if callback else None,
                owner_only=callback.owner_only if callback else True,
                override=answer.override,
                inbound=inbound,
            )
            said = f"{chosen.label}: {ended.route.label}"
            others = ended.stopped_by_dnc
            if others > 0:
                said += f"; {others} other lead{'s' if others > 1 else ''} on that number stopped"
            return said

        return end

    def change(
        self, claim: Claim, change: Callable[[], object], order: int
    ) -> Callable[[], CardRead | CardLost | WorkFailed]:
        """A change to the held lead, then its card read afresh."""
        desk = self.desk

        def job() -> CardRead | CardLost | WorkFailed:
            problem = ""
            try:
                change()
            except ClaimLost as exc:
                return CardLost(claim, str(exc))
            except Exception as exc:  # the card is read again: it shows what was saved
                problem = one_line(exc)
            try:
                return CardRead(claim, calls.load_card(desk, claim), order, problem)
            except ClaimLost as exc:
                return CardLost(claim, str(exc))
            except Exception as exc:
                return WorkFailed(problem or one_line(exc))

        return job

    def propose(
        self,
        claim: Claim,
        chosen: Disposition,
        callback: CallbackChoice | None,
        inbound: bool = False,
    ) -> Callable[[], RouteProposed | WorkFailed]:
        """Where the lead would go if the call ended now (behind the writes before it)."""
        desk = self.desk
        at = callback.plan.at if callback else None
        owner_only = callback.owner_only if callback else True

        def job() -> RouteProposed | WorkFailed:
            try:
                route = calls.propose(desk, claim, chosen.key, at, owner_only, inbound)
            except Exception as exc:
                return WorkFailed(one_line(exc), moving=True)
            return RouteProposed(claim, chosen, route, callback)

        return job

    def open_lead(
        self, lead_id: int, held: Claim | None, notes: str | None
    ) -> Callable[[], CardReady | WorkFailed]:
        """Open a lead found by search; the card in hand goes back in the same transaction."""
        desk, rep = self.desk, self.rep

        def job() -> CardReady | WorkFailed:
            try:
                # One transaction: if the found lead cannot be had, the card in hand stays.
                claim = queue.claim_lead(desk, rep, lead_id, instead_of=held, notes=notes)
            except Exception as exc:
                return WorkFailed(one_line(exc), moving=True)
            try:
                return CardReady(claim, calls.load_card(desk, claim), None)
            except Exception as exc:
                with contextlib.suppress(Exception):
                    queue.release(desk, claim)
                return WorkFailed(one_line(exc), moving=True)

        return job

    def edit(
        self, claim: Claim, asked: dict[str, str], reason: str, dialog: LeadDialog
    ) -> Callable[[], LeadEdited | EditRefused | CardLost]:
        """Fix the lead's details from its card; a value refused leaves the form up."""
        desk, rep = self.desk, self.rep

        def job() -> LeadEdited | EditRefused | CardLost:
            try:
                edited = leads.edit_lead(
                    desk,
                    claim.lead_id,
                    asked,
                    by=as_rep(rep),
                    reason=reason,
                    claim=claim,
                )
            except ClaimLost as exc:
                return CardLost(claim, str(exc))
            except leads.LeadEditRefused as exc:
                return EditRefused(str(exc), dialog, exc.field)
            except Exception as exc:
                return EditRefused(one_line(exc), dialog)
            if edited.stopped:
                why = "a number it now has is on the do-not-call list, so the lead is stopped"
                return CardLost(claim, why)
            return LeadEdited(claim, edited.changes, calls.load_card(desk, claim), dialog)

        return job

    def callback(
        self, claim: Claim, chosen: Disposition
    ) -> Callable[[], CallbackAsked | WorkFailed]:
        """What a callback time is checked against, and the time to suggest."""
        desk, rep = self.desk, self.rep

        def job() -> CallbackAsked | WorkFailed:
            now = desk.clock()
            try:
                facts = callbacks.callback_facts(desk, claim, rep, now)
            except Exception as exc:
                return WorkFailed(one_line(exc), moving=True)
            return CallbackAsked(claim, chosen, facts, suggest_callback(facts, now))

        return job

    def skip(self, claim: Claim) -> Callable[[], str]:
        """Leave a lead whose local time is unknown for now: it comes back in an hour."""
        desk = self.desk

        def skip() -> str:
            queue.release(desk, claim, skip=True)
            return "Skipped: it comes back in an hour."

        return skip

    def keep_draft(self, claim: Claim, text: str) -> Callable[[], DraftNotKept | None]:
        """Keep the call notes as the rep's draft."""
        desk = self.desk

        def job() -> DraftNotKept | None:
            try:
                kept = drafts.save_draft(desk, claim, text)
            except Exception as exc:  # the notes are still on screen; say so
                return DraftNotKept(one_line(exc), lost=False)
            return None if kept else DraftNotKept("", lost=True)

        return job

    def renew(self, claim: Claim) -> Callable[[], CardLost | WorkFailed | None]:
        """Keep holding the lead while its card is open."""
        desk = self.desk

        def job() -> CardLost | WorkFailed | None:
            try:
                lease.renew(desk, claim)
            except ClaimLost as exc:
                return CardLost(claim, str(exc))
            except Exception as exc:  # the hold runs 10 minutes: the next renewal may do
                return WorkFailed(f"Your hold on the lead could not be renewed: {one_line(exc)}")
            return None

        return job

    def release(self, claim: Claim, notes: str | None) -> Callable[[], WorkFailed | None]:
        """Give the lead back as it was: no touch, its notes kept as the rep's draft."""
        desk = self.desk

        def job() -> WorkFailed | None:
            try:
                queue.release(desk, claim, notes=notes)
            except Exception as exc:  # its lease gives it back in minutes anyway
                return WorkFailed(f"The lead could not be given back at once: {one_line(exc)}")
            return None

        return job
