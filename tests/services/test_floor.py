"""The live floor on both engines: sessions, beats, who holds what, release and hand-over."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from qualdesk.core.errors import QualdeskError
from qualdesk.db.models import DeskSession, Lead, LeadChange, Rep
from qualdesk.services.access import NotAllowed, administrator, as_rep
from qualdesk.services.calling.calls import end_call
from qualdesk.services.calling.drafts import load_draft, save_draft
from qualdesk.services.calling.lease import ClaimLost, renew
from qualdesk.services.calling.queue import claim_lead, claim_next
from qualdesk.services.desk import Desk
from qualdesk.services.floor import (
    beat,
    end_session,
    floor,
    hand_callbacks,
    open_session,
    release_lead,
)
from qualdesk.services.reps import add_rep
from tests.conftest import FrozenClock
from tests.services.conftest import Make

ZONE = "America/New_York"


@pytest.fixture
def lee(desk: Desk) -> Rep:
    return add_rep(desk, "lee", "Lee Morgan", "lead", ZONE)


def sessions(desk: Desk) -> list[DeskSession]:
    with desk.db.reading() as session:
        return list(session.scalars(select(DeskSession).order_by(col(DeskSession.id))))


def changes(desk: Desk, lead_id: int) -> list[LeadChange]:
    with desk.db.reading() as session:
        found = select(LeadChange).where(col(LeadChange.lead_id) == lead_id)
        return list(session.scalars(found.order_by(col(LeadChange.id))))


def lead(desk: Desk, lead_id: int) -> Lead:
    with desk.db.reading() as session:
        found = session.get(Lead, lead_id)
        assert found is not None
        return found


def test_a_rep_at_a_desk_shows_on_the_floor_with_the_lead_and_what_they_do(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    ids = make_leads("ny")
    ana = reps["ana"]
    opened = open_session(desk, ana, source="terminal", place="host pid 1")
    claim = claim_next(desk, ana)
    assert claim is not None and claim.lead_id == ids["ny"]
    heard = beat(desk, opened, state="card", lead_id=claim.lead_id, last_key_at=clock.now)
    assert heard.open and heard.holding
    clock.now += timedelta(seconds=10)

    row = floor(desk, ZONE, by=administrator()).row("ana")

    assert row is not None
    assert (row.name, row.role, row.source, row.place) == (
        "Ana Reyes",
        "rep",
        "terminal",
        "host pid 1",
    )
    assert row.live and row.desks == 1
    assert row.state == "card" and row.state_words == "on the card"
    assert row.idle_seconds == 10
    assert row.lead is not None
    assert (row.lead.id, row.lead.name) == (ids["ny"], "New Yorker")
    assert row.touches_today == 0
    # ben signed in nowhere and holds nothing: not on the floor.
    assert floor(desk, ZONE, by=administrator()).row("ben") is None


def test_the_state_keeps_its_start_until_it_changes(
    desk: Desk, reps: dict[str, Rep], clock: FrozenClock
) -> None:
    opened = open_session(desk, reps["ana"], source="terminal", place="host pid 1")
    start = clock.now
    beat(desk, opened, state="waiting", lead_id=None, last_key_at=start)
    clock.now += timedelta(seconds=5)
    beat(desk, opened, state="waiting", lead_id=None, last_key_at=start)
    (row,) = sessions(desk)
    assert (row.state_since, row.seen_at) == (start, clock.now)

    clock.now += timedelta(seconds=5)
    beat(desk, opened, state="team", lead_id=None, last_key_at=clock.now)
    (row,) = sessions(desk)
    assert (row.state, row.state_since, row.last_key_at) == ("team", clock.now, clock.now)


def test_a_desk_not_heard_from_is_gone_and_a_lead_held_without_one_shows(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    make_leads("ny", "la")
    open_session(desk, reps["ana"], source="browser", place="10.0.0.7")
    assert claim_next(desk, reps["ben"]) is not None  # ben never opened a session
    clock.now += timedelta(minutes=1)

    seen = floor(desk, ZONE, by=administrator())

    ana, ben = seen.row("ana"), seen.row("ben")
    assert ana is not None and not ana.live and ana.desks == 0
    assert ben is not None and not ben.live and ben.session_id is None
    assert ben.lead is not None and ben.state == ""


def test_signing_out_ends_the_session_and_a_new_desk_ends_those_left_behind(
    desk: Desk, reps: dict[str, Rep], clock: FrozenClock
) -> None:
    ana = reps["ana"]
    first = open_session(desk, ana, source="terminal", place="host pid 1")
    end_session(desk, first, "signed out")
    assert floor(desk, ZONE, by=administrator()).rows == []
    assert not beat(desk, first, state="waiting", lead_id=None, last_key_at=clock.now).open

    crashed = open_session(desk, ana, source="terminal", place="host pid 2")
    stalled = open_session(desk, ana, source="terminal", place="host pid 3")
    clock.now += timedelta(minutes=5)  # neither beat since: one died, one stalled
    tab = open_session(desk, ana, source="browser", place="10.0.0.7 pid 4")
    other_tab = open_session(desk, ana, source="browser", place="10.0.0.7 pid 5")

    ended = {row.id: (row.ended_why, row.ended_at) for row in sessions(desk)}
    assert ended[first][0] == "signed out"
    assert ended[crashed] == ended[stalled] == ("gone", clock.now - timedelta(minutes=5))
    assert ended[tab] == ended[other_tab] == ("", None)  # both there: a session each
    row = floor(desk, ZONE, by=administrator()).row("ana")
    assert row is not None and row.session_id == other_tab and row.desks == 2
    # The desk that was only slow finds its session ended at its next beat, and opens another.
    assert not beat(desk, stalled, state="waiting", lead_id=None, last_key_at=clock.now).open


def test_a_team_lead_releases_a_lead_and_the_reps_notes_stay_their_draft(
    desk: Desk, reps: dict[str, Rep], lee: Rep, make_leads: Make, clock: FrozenClock
) -> None:
    ids = make_leads("ny")
    ana, ben = reps["ana"], reps["ben"]
    opened = open_session(desk, ana, source="terminal", place="host pid 1")
    claim = claim_next(desk, ana)
    assert claim is not None
    assert save_draft(desk, claim, "asked for the CFO; call after 3")
    clock.now += timedelta(minutes=2)

    assert release_lead(desk, as_rep(lee), ids["ny"]) == "ana"

    assert lead(desk, ids["ny"]).claimed_by is None
    (change,) = changes(desk, ids["ny"])
    assert (change.field, change.old, change.new) == ("held_by", "ana", "")
    assert (change.changed_by, change.rep_id) == ("lee", lee.id)
    draft = load_draft(desk, ids["ny"], ana.id or 0)
    assert draft is not None and draft.text == "asked for the CFO; call after 3"
    # ana's desk, still running, hears at its next beat that the lead is no longer hers,
    # and loses the card as any lost hold does, told why.
    heard = beat(desk, opened, state="call", lead_id=ids["ny"], last_key_at=clock.now)
    assert heard.open and not heard.holding
    with pytest.raises(ClaimLost, match="lee released it from the live floor"):
        renew(desk, claim)
    # The lead is back in the queue at once: ben is offered it.
    again = claim_next(desk, ben)
    assert again is not None and again.lead_id == ids["ny"]


def test_only_a_held_lead_can_be_released_and_only_by_a_team_lead(
    desk: Desk, reps: dict[str, Rep], lee: Rep, make_leads: Make
) -> None:
    ids = make_leads("ny", "la")
    claim = claim_lead(desk, reps["ana"], ids["ny"])
    assert claim is not None
    with pytest.raises(NotAllowed, match="only a team lead may release a rep's lead; ben is a rep"):
        release_lead(desk, as_rep(reps["ben"]), ids["ny"])
    assert lead(desk, ids["ny"]).claimed_by == reps["ana"].id
    with pytest.raises(QualdeskError, match="is not held by anyone"):
        release_lead(desk, as_rep(lee), ids["la"])
    with pytest.raises(QualdeskError, match="no lead #999"):
        release_lead(desk, as_rep(lee), 999)
    assert changes(desk, ids["ny"]) == []
    with pytest.raises(QualdeskError, match="held by ana now, not ben; nothing was changed"):
        release_lead(desk, as_rep(lee), ids["ny"], holder="ben")
    assert changes(desk, ids["ny"]) == []
    with pytest.raises(NotAllowed, match="only a team lead may see the live floor; ana is a rep"):
        floor(desk, ZONE, by=as_rep(reps["ana"]))
    # The desk's administrator (no sign-in asked) may, as a team lead may.
    assert release_lead(desk, administrator(), ids["ny"], holder="ana") == "ana"


def callback_for(desk: Desk, rep: Rep, clock: FrozenClock, hours: int) -> int:
    claim = claim_next(desk, rep)
    assert claim is not None
    end_call(desk, claim, "callback", callback_at=clock.now + timedelta(hours=hours))
    return claim.lead_id


def test_a_reps_callbacks_go_to_another_rep_with_who_did_it(
    desk: Desk, reps: dict[str, Rep], lee: Rep, make_leads: Make, clock: FrozenClock
) -> None:
    make_leads("ny", "uk", "ny:2")
    ana, ben = reps["ana"], reps["ben"]
    mine = [callback_for(desk, ana, clock, 1), callback_for(desk, ana, clock, 2)]
    bens = callback_for(desk, ben, clock, 1)
    assert floor(desk, ZONE, by=administrator()).rows == []
    open_session(desk, ana, source="terminal", place="host pid 1")
    row = floor(desk, ZONE, by=administrator()).row("ana")
    assert row is not None and row.callbacks == 2 and row.touches_today == 2

    assert hand_callbacks(desk, as_rep(lee), "ana", "ben") == 2

    for lead_id in mine:
        moved = lead(desk, lead_id)
        assert moved.owner_id == ben.id and moved.callback_at is not None
        (change,) = changes(desk, lead_id)
        assert (change.field, change.old, change.new, change.changed_by) == (
            "callback_owner", "ana", "ben", "lee",
        )  # fmt: skip
    assert lead(desk, bens).owner_id == ben.id
    assert hand_callbacks(desk, as_rep(lee), "ana", "ben") == 0


@pytest.mark.parametrize(
    ("giver", "taker", "problem"),
    [
        ("ana", "ana", "name another rep"),
        ("ana", "zed", "no rep with handle 'zed'"),
        ("zed", "ben", "no rep with handle 'zed'"),
        ("ana", "cleo", "cleo is deactivated"),
    ],
)
def test_callbacks_are_handed_only_to_another_active_rep(
    desk: Desk, reps: dict[str, Rep], lee: Rep, make_leads: Make, clock: FrozenClock,
    giver: str, taker: str, problem: str,
) -> None:  # fmt: skip
    make_leads("ny")
    cleo = add_rep(desk, "cleo", "Cleo Park", "rep", ZONE)
    with desk.db.writing() as session:  # deactivated as `qualdesk reps deactivate` does
        stored = session.get(Rep, cleo.id)
        assert stored is not None
        stored.active = False
    held = callback_for(desk, reps["ana"], clock, 1)
    with pytest.raises(QualdeskError, match=problem):
        hand_callbacks(desk, as_rep(lee), giver, taker)
    assert lead(desk, held).owner_id == reps["ana"].id


def test_a_rep_may_not_hand_over_callbacks(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    make_leads("ny")
    held = callback_for(desk, reps["ana"], clock, 1)
    with pytest.raises(NotAllowed, match="only a team lead may hand a rep's callbacks"):
        hand_callbacks(desk, as_rep(reps["ana"]), "ana", "ben")
    assert lead(desk, held).owner_id == reps["ana"].id
    assert changes(desk, held) == []


def test_todays_touches_are_counted_in_the_team_leads_day(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    clock.now = clock.now.replace(hour=4)  # 23:00 yesterday in New York, 15:00 in Sydney
    make_leads("au")
    ana = reps["ana"]
    claim = claim_next(desk, ana)
    assert claim is not None
    end_call(desk, claim, "no_answer")
    clock.now = clock.now.replace(hour=15)
    open_session(desk, ana, source="terminal", place="host pid 1")

    in_new_york, in_utc = (
        floor(desk, ZONE, by=administrator()).row("ana"),
        floor(desk, "UTC", by=administrator()).row("ana"),
    )

    assert in_new_york is not None and in_new_york.touches_today == 0
    assert in_utc is not None and in_utc.touches_today == 1


def test_the_floor_as_json_names_its_fields(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    ids = make_leads("ny")
    ana = reps["ana"]
    opened = open_session(desk, ana, source="terminal", place="host pid 1")
    claim = claim_next(desk, ana)
    assert claim is not None
    beat(desk, opened, state="call", lead_id=claim.lead_id, last_key_at=clock.now)
    clock.now += timedelta(seconds=30)

    data = floor(desk, ZONE, by=administrator()).as_json()

    assert data["now"] == "2026-11-23T15:00:31Z"
    assert data["zone"] == ZONE and data["live_within_seconds"] == 20
    (row,) = data["reps"]
    assert row == {
        "handle": "ana", "name": "Ana Reyes", "role": "rep", "live": False,
        "source": "terminal", "place": "host pid 1", "session_id": opened, "desks": 0,
        "seen_at": "2026-11-23T15:00:01Z", "seen_seconds_ago": 30, "state": "call",
        "state_since": "2026-11-23T15:00:01Z", "state_seconds": 30, "idle_seconds": 30,
        "lead": {
            "id": ids["ny"], "name": "New Yorker", "company": "", "held_since": "2026-11-23T15:00:01Z",
            "held_seconds": 30, "lease_until": "2026-11-23T15:10:01Z",
        },
        "touches_today": 0, "callbacks": 0,
    }  # fmt: skip
