"""Drafts of call notes, and a rep picking up the lead a dead desk of theirs still held."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qualdesk.db.models import Lead, Rep
from qualdesk.services.access import Actor
from qualdesk.services.calling.calls import end_call, load_card, log_touch
from qualdesk.services.calling.drafts import load_draft, save_draft
from qualdesk.services.calling.lease import LEASE, ClaimLost
from qualdesk.services.calling.queue import claim_lead, claim_next, release
from qualdesk.services.desk import Desk
from qualdesk.services.intake.batches import undo_batch
from tests.conftest import FrozenClock
from tests.services.conftest import Make


def test_a_draft_is_kept_given_back_with_the_card_and_dropped_with_the_call(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    make_leads("ny")
    claim = claim_next(desk, reps["ana"])
    assert claim is not None
    assert save_draft(desk, claim, "asked for ")
    clock.now += timedelta(seconds=3)
    assert save_draft(desk, claim, "asked for the [b]pricing[/b]\n\x1b[31m")
    draft = load_card(desk, claim).draft
    assert draft is not None and draft.text == "asked for the [b]pricing[/b]\n\x1b[31m"
    assert draft.saved_at == clock.now
    # Another rep never sees it as theirs.
    assert reps["ben"].id is not None
    assert load_draft(desk, claim.lead_id, reps["ben"].id) is None
    end_call(desk, claim, "no_answer", notes=draft.text)
    assert reps["ana"].id is not None
    assert load_draft(desk, claim.lead_id, reps["ana"].id) is None
    # A save that arrives after the call ended does not bring the notes back.
    assert not save_draft(desk, claim, "asked for the pricing, and")
    assert load_draft(desk, claim.lead_id, reps["ana"].id) is None


def test_emptied_notes_drop_the_draft(desk: Desk, reps: dict[str, Rep], make_leads: Make) -> None:
    make_leads("ny")
    claim = claim_next(desk, reps["ana"])
    assert claim is not None and reps["ana"].id is not None
    save_draft(desk, claim, "typo")
    save_draft(desk, claim, "  \n")
    assert load_draft(desk, claim.lead_id, reps["ana"].id) is None


def test_a_draft_outlives_giving_the_lead_back_and_returns_with_it(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    ids = make_leads("ny")
    claim = claim_lead(desk, reps["ana"], ids["ny"])
    save_draft(desk, claim, "left a voicemail with reception")
    release(desk, claim)
    again = claim_lead(desk, reps["ana"], ids["ny"])
    card = load_card(desk, again)
    assert card.draft is not None and card.draft.text == "left a voicemail with reception"


def test_the_first_claim_after_signing_in_picks_up_the_lead_a_dead_desk_held(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    make_leads("ny:1", "ny:2")
    dead = claim_next(desk, reps["ana"])
    assert dead is not None
    save_draft(desk, dead, "decision in Q1")
    clock.now += timedelta(minutes=1)
    # Ben is not offered it: Ana's lease still runs.
    ben = claim_next(desk, reps["ben"])
    assert ben is not None and ben.lead_id != dead.lead_id
    release(desk, ben)
    back = claim_next(desk, reps["ana"], resume=True)
    assert back is not None and back.resumed and back.lead_id == dead.lead_id
    assert back.token != dead.token
    card = load_card(desk, back)
    assert card.draft is not None and card.draft.text == "decision in Q1"
    # The desk that held it before, if it was in fact alive, is told where the lead went.
    with pytest.raises(ClaimLost, match="open in another window"):
        log_touch(desk, dead, "email", "sent the deck")
    end_call(desk, back, "no_answer", notes=card.draft.text)


def test_without_a_held_lead_resuming_claims_the_next_as_usual(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    make_leads("ny")
    claim = claim_next(desk, reps["ana"])
    assert claim is not None
    # Once the lease has run out the lead is anyone's again, and not "resumed".
    clock.now += LEASE + timedelta(seconds=1)
    again = claim_next(desk, reps["ben"], resume=True)
    assert again is not None and again.lead_id == claim.lead_id and not again.resumed


def test_a_lead_held_out_of_hours_is_not_resumed(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    ids = make_leads("au")  # Sydney: 02:00 there, but a search may still open the card
    held = claim_lead(desk, reps["ana"], ids["au"])
    assert held.lead_id == ids["au"]
    assert claim_next(desk, reps["ana"], resume=True) is None


def test_undoing_an_import_keeps_a_lead_with_unsaved_notes(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    ids = make_leads("ny")
    claim = claim_next(desk, reps["ana"])
    assert claim is not None
    save_draft(desk, claim, "promising")
    release(desk, claim)
    with desk.db.reading() as session:
        lead = session.get(Lead, ids["ny"])
        assert lead is not None
        batch = lead.batch_id
    assert batch is not None
    result = undo_batch(desk, batch, by=Actor("lee", "lead"))
    assert (result.removed, result.kept) == (0, 1)


def test_a_draft_from_before_the_lead_was_called_again_does_not_come_back(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    ids = make_leads("ny")
    mine = claim_lead(desk, reps["ana"], ids["ny"])
    save_draft(desk, mine, "ask about the Q3 budget")
    release(desk, mine)
    clock.now += timedelta(minutes=1)
    theirs = claim_next(desk, reps["ben"])
    assert theirs is not None and theirs.lead_id == ids["ny"]
    end_call(desk, theirs, "no_answer", notes="rang out")
    clock.now += timedelta(days=20)
    again = claim_lead(desk, reps["ana"], ids["ny"])
    assert load_card(desk, again).draft is None


def test_another_reps_unsaved_notes_show_in_the_history(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    make_leads("ny")
    dead = claim_next(desk, reps["ana"])
    assert dead is not None
    save_draft(desk, dead, "spoke to Olivia: budget approved, call back Friday")
    clock.now += LEASE + timedelta(seconds=1)  # Ana's desk died; the lease ran out
    ben = claim_next(desk, reps["ben"])
    assert ben is not None and ben.lead_id == dead.lead_id
    card = load_card(desk, ben)
    assert card.draft is None
    first = card.history[0]
    assert (first.channel, first.disposition, first.rep) == ("notes", "not saved", "ana")
    assert first.notes.startswith("spoke to Olivia")
    end_call(desk, ben, "no_answer")
    # Once the lead has been called again, those notes are history no longer shown.
    clock.now += timedelta(days=3)
    again = claim_lead(desk, reps["ben"], dead.lead_id)
    assert all(line.channel != "notes" for line in load_card(desk, again).history)
