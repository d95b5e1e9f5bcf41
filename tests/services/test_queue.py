"""The call queue on a real database: order, calling hours, leases, never two reps on one lead."""

from __future__ import annotations

import multiprocessing
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select, update

from qualdesk.core.errors import QualdeskError
from qualdesk.db.models import Lead, Rep
from qualdesk.services.calling.callbacks import plan_callback
from qualdesk.services.calling.calls import end_call, set_criterion
from qualdesk.services.calling.lease import ClaimLost
from qualdesk.services.calling.queue import claim_lead, claim_next, release
from qualdesk.services.desk import Desk, open_desk
from qualdesk.services.reps import add_rep
from tests.conftest import NOW, FrozenClock
from tests.services.conftest import Make


def _lead(desk: Desk, lead_id: int) -> Lead:
    with desk.db.reading() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return lead


def test_new_leads_come_newest_first(desk: Desk, reps: dict[str, Rep], make_leads: Make) -> None:
    ids = make_leads("ny:1", "uk:2", "ny:3")
    claimed = [claim_next(desk, reps["ana"]) for _ in range(3)]
    assert [c.lead_id for c in claimed if c] == [ids["ny:3"], ids["uk:2"], ids["ny:1"]]
    assert claim_next(desk, reps["ana"]) is None


def test_higher_grade_first_within_new_leads(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    ids = make_leads("ny:1", "ny:2", titles={"ny:1": "VP of Sales"})
    assert _lead(desk, ids["ny:1"]).score == 10
    first = claim_next(desk, reps["ana"])
    assert first is not None and first.lead_id == ids["ny:2"]  # both grade D: newest first
    release(desk, first)
    vp = claim_lead(desk, reps["ana"], ids["ny:1"])
    assert set_criterion(desk, vp, "pains", True).grade == "C"  # 10 + 15 points
    release(desk, vp)
    make_leads("ny:3")
    best = claim_next(desk, reps["ana"])
    assert best is not None and best.lead_id == ids["ny:1"]


def test_leads_outside_calling_hours_wait(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    ids = make_leads("la", "au", "free", "ny")
    first = claim_next(desk, reps["ana"])
    assert first is not None and first.lead_id == ids["ny"]
    assert claim_next(desk, reps["ana"]) is None  # LA 07:00, Sydney 02:00, toll-free Hawaii 05:00
    end_call(desk, first, "connected")
    clock.now = NOW + timedelta(hours=2)  # LA 09:00, Hawaii 07:00
    second = claim_next(desk, reps["ana"])
    assert second is not None and second.lead_id == ids["la"]
    end_call(desk, second, "connected")
    assert claim_next(desk, reps["ana"]) is None  # toll-free also rings in Guam (03:00)
    clock.now = NOW + timedelta(hours=7)  # New York 17:00, Hawaii 12:00, Guam Tue 08:00
    third = claim_next(desk, reps["ana"])
    assert third is not None and third.lead_id == ids["free"]


def test_unknown_zones_come_last_and_need_confirming(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    ids = make_leads("sat", "ny")
    first = claim_next(desk, reps["ana"])
    assert first is not None and first.lead_id == ids["ny"] and not first.unknown_zone
    second = claim_next(desk, reps["ana"])
    assert second is not None and second.lead_id == ids["sat"] and second.unknown_zone
    release(desk, second, skip=True)
    assert claim_next(desk, reps["ana"]) is None


def test_two_reps_never_get_the_same_lead(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    make_leads("ny:1", "ny:2")
    a, b = claim_next(desk, reps["ana"]), claim_next(desk, reps["ben"])
    assert a is not None and b is not None and a.lead_id != b.lead_id
    assert claim_next(desk, reps["ana"]) is None


def test_an_expired_claim_goes_back_and_its_late_write_is_refused(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    ids = make_leads("ny")
    held = claim_next(desk, reps["ana"])
    assert held is not None
    clock.now += timedelta(minutes=11)
    taken = claim_next(desk, reps["ben"])
    assert taken is not None and taken.lead_id == ids["ny"]
    with pytest.raises(ClaimLost, match=r"hold ran out .* Ben Okafor has the lead now"):
        end_call(desk, held, "no_answer")
    with pytest.raises(ClaimLost):
        set_criterion(desk, held, "pains", True)
    assert _lead(desk, ids["ny"]).attempts == 0
    end_call(desk, taken, "no_answer")
    assert _lead(desk, ids["ny"]).attempts == 1


def test_a_held_lead_cannot_be_opened_by_another_rep(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    ids = make_leads("ny")
    assert claim_next(desk, reps["ana"]) is not None
    with pytest.raises(QualdeskError, match="Ana Reyes has this lead open"):
        claim_lead(desk, reps["ben"], ids["ny"])


def test_retries_wait_for_the_cadence_and_come_after_new_leads(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    ids = make_leads("ny:1")
    held = claim_next(desk, reps["ana"])
    assert held is not None
    ended = end_call(desk, held, "no_answer")
    assert "attempt 1 of 6, next try in 2h" in ended.route.reason
    assert claim_next(desk, reps["ana"]) is None  # not before the minimum gap
    clock.now += timedelta(hours=2)
    newer = make_leads("ny:2")
    first, second = claim_next(desk, reps["ana"]), claim_next(desk, reps["ana"])
    assert first is not None and first.lead_id == newer["ny:2"]
    assert second is not None and second.lead_id == ids["ny:1"]


def test_callbacks_belong_to_their_rep_until_overdue(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    ids = make_leads("ny:1")
    held = claim_next(desk, reps["ana"])
    assert held is not None
    plan = plan_callback(desk, held, reps["ana"], "+3h")
    end_call(desk, held, "callback", callback_at=plan.at, owner_only=True)
    more = make_leads("ny:2")
    clock.now = plan.at
    other = claim_next(desk, reps["ben"])
    assert other is not None and other.lead_id == more["ny:2"]  # not ana's callback
    release(desk, other)
    own = claim_next(desk, reps["ana"])
    assert own is not None and own.lead_id == ids["ny:1"]  # before her new leads
    release(desk, own)
    clock.now = plan.at + timedelta(minutes=31)  # overdue past the grace time
    shared = claim_next(desk, reps["ben"])
    assert shared is not None and shared.lead_id == ids["ny:1"]


def test_another_reps_callback_cannot_be_opened_by_search_before_its_grace(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    ids = make_leads("ny")
    held = claim_next(desk, reps["ana"])
    assert held is not None
    plan = plan_callback(desk, held, reps["ana"], "+3h")
    end_call(desk, held, "callback", callback_at=plan.at, owner_only=True)
    # Ben reads times in London: Ana's 13:00 New York callback is his 18:00.
    with pytest.raises(QualdeskError, match=r"Ana Reyes's callback \(Mon 18:00\): only they"):
        claim_lead(desk, reps["ben"], ids["ny"])
    assert _lead(desk, ids["ny"]).claimed_by is None
    mine = claim_lead(desk, reps["ana"], ids["ny"])  # hers to open early
    release(desk, mine)
    clock.now = plan.at + timedelta(minutes=30)
    assert claim_lead(desk, reps["ben"], ids["ny"]).lead_id == ids["ny"]


def test_a_lost_claim_says_what_became_of_the_lead(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    from qualdesk.services.intake.dnc import add_number

    make_leads("ny:1")
    held = claim_next(desk, reps["ana"])
    assert held is not None
    add_number(desk, "+1 212 555 0100", region=None, by="ben")
    with pytest.raises(ClaimLost, match="put on the do-not-call list"):
        set_criterion(desk, held, "pains", True)


def test_claims_from_many_processes_never_collide(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    desk = open_desk(path, clock=FrozenClock())
    rows = "".join(f"Lead {n},+1 212 555 {n:04d}\n" for n in range(120))
    (tmp_path / "l.csv").write_text("Name,Phone\n" + rows, encoding="utf-8")
    from qualdesk.services.intake.importer import ImportOptions, import_file

    import_file(desk, tmp_path / "l.csv", ImportOptions())
    for n in range(4):
        add_rep(desk, f"rep{n}", f"Rep {n}", "rep", "UTC")
    desk.close()
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        results = pool.starmap(_claim_all, [(str(path), f"rep{n}") for n in range(4)])
    claimed = [lead for ids in results for lead in ids]
    assert len(claimed) == 120 and len(set(claimed)) == 120


def _claim_all(path: str, handle: str) -> list[int]:
    desk = open_desk(path, clock=FrozenClock())
    with desk.db.reading() as session:
        rep = session.scalars(select(Rep).where(Rep.handle == handle)).one()
    claimed = []
    while (claim := claim_next(desk, rep)) is not None:
        claimed.append(claim.lead_id)
    desk.close()
    return claimed


def test_the_queue_plans_are_index_walks_without_statistics(desk: Desk, engine: str) -> None:
    from qualdesk.db import claims

    with desk.db.reading() as session:
        claim = " ".join(claims.claim_plan(session, [1, 2, 3]))
        promote = " ".join(claims.promote_plan(session))
    if engine == "sqlite":
        assert "INDEX ix_leads_ready (hours_class_id=? AND queue_bucket>?)" in claim
        assert "INDEX ix_leads_waiting (next_due_at>? AND next_due_at<?)" in promote
        assert "USING INDEX ix_leads_due_callbacks" in promote
        return
    # PostgreSQL walks the same partial indexes, and locks only what it takes, skipping
    # rows another rep's claim holds.
    assert "Index Scan using ix_leads_ready on leads" in claim
    assert "Index Scan using ix_leads_callbacks on leads" in claim
    assert "Index Scan using ix_leads_waiting on leads" in promote
    assert "Index Scan using ix_leads_due_callbacks on leads" in promote
    assert claim.count("LockRows") == 2 and promote.count("LockRows") == 2
    assert "Seq Scan on leads" not in claim + promote


def test_callbacks_for_anyone_go_to_every_rep_and_before_new_leads(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    ids = make_leads("ny:1")
    held = claim_next(desk, reps["ana"])
    assert held is not None
    plan = plan_callback(desk, held, reps["ana"], "+3h")
    end_call(desk, held, "callback", callback_at=plan.at, owner_only=False)
    clock.now = plan.at
    make_leads("ny:2")
    first = claim_next(desk, reps["ben"])
    assert first is not None and first.lead_id == ids["ny:1"]


def test_nurture_comes_after_retries_and_higher_grades_first(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    ids = make_leads("ny:nurtured", "ny:low", "ny:high")
    for key in ("ny:nurtured", "ny:low", "ny:high"):
        held = claim_lead(desk, reps["ana"], ids[key])
        if key == "ny:high":
            set_criterion(desk, held, "pains", True)
            set_criterion(desk, held, "budget", True)
        end_call(desk, held, "connected" if key == "ny:nurtured" else "no_answer")
    clock.now += timedelta(days=100)  # past every due time and the D-grade recycle
    clock.now = clock.now.replace(hour=15)
    order = []
    while (claim := claim_next(desk, reps["ana"])) is not None:
        order.append(claim.lead_id)
    assert order == [ids["ny:high"], ids["ny:low"], ids["ny:nurtured"]]


def test_a_backlog_of_retries_never_holds_back_a_callback(
    desk: Desk, reps: dict[str, Rep], tmp_path: Path, clock: FrozenClock
) -> None:
    from qualdesk.services.intake.importer import ImportOptions, import_file

    rows = "".join(f"Lead {n},+1 212 555 {n:04d}\n" for n in range(600))
    (tmp_path / "many.csv").write_text("Name,Phone\n" + rows, encoding="utf-8")
    import_file(desk, tmp_path / "many.csv", ImportOptions())
    with desk.db.writing() as session:
        session.execute(
            update(Lead).values(stage="working", queue_bucket=None, next_due_at=clock.now)
        )
    held = claim_lead(desk, reps["ana"], 600)
    end_call(desk, held, "callback", callback_at=clock.now + timedelta(hours=1), owner_only=False)
    clock.now += timedelta(hours=1)
    first = claim_next(desk, reps["ben"])
    assert first is not None and first.lead_id == 600


def test_a_skip_never_brings_a_lead_back_sooner(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    ids = make_leads("sat")
    held = claim_next(desk, reps["ana"])
    assert held is not None
    end_call(desk, held, "connected")  # nurtured for 90 days
    due = _lead(desk, ids["sat"]).next_due_at
    again = claim_lead(desk, reps["ana"], ids["sat"])
    release(desk, again, skip=True)
    assert _lead(desk, ids["sat"]).next_due_at == due


def test_a_lead_back_from_nurture_starts_a_fresh_cadence(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    ids = make_leads("ny")
    held = claim_next(desk, reps["ana"])
    assert held is not None
    end_call(desk, held, "connected")
    assert _lead(desk, ids["ny"]).attempts == 0
    clock.now += timedelta(days=91)
    clock.now = clock.now.replace(hour=15)
    back = claim_next(desk, reps["ana"])
    assert back is not None and back.lead_id == ids["ny"]
    assert "attempt 1 of 6" in end_call(desk, back, "no_answer").route.reason


def test_search_finds_a_number_as_people_type_it(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    from qualdesk.services.calling.leads import search_leads

    ids = make_leads("uk", "ny:1")
    for typed in ("020 7946 0958", "0044 20 7946 0958", "+44 20 7946 0958", "0958"):
        assert [line.id for line in search_leads(desk, typed)] == [ids["uk"]], typed
    assert [line.id for line in search_leads(desk, "new yorker")] == [ids["ny:1"]]
    assert search_leads(desk, "095") == []  # three digits: too few to be a number


def test_a_claim_passes_over_a_lead_another_rep_is_claiming_at_that_moment(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, engine: str
) -> None:
    """Ben claims while Ana's claim is under way: he gets the other lead, never an empty
    queue. On PostgreSQL he does not even wait for her (on SQLite claims take turns)."""
    import threading

    from qualdesk.db import claims

    ids = make_leads("ny:1", "ny:2")
    now = desk.clock()
    taken: list[int | None] = []
    with desk.db.writing() as session:  # Ana's claim, not yet committed
        classes = [class_id for class_id, _, _ in claims.hours_class_rows(session)]
        later = now + timedelta(minutes=10)
        first = claims.claim_next(session, reps["ana"].id or 0, "a", now, later, classes)
        assert first in ids.values()
        ben = threading.Thread(
            target=lambda: taken.append(_claimed_lead(claim_next(desk, reps["ben"])))
        )
        ben.start()
        ben.join(timeout=5 if engine == "postgresql" else 0.2)
        if engine == "postgresql":  # it would wait out Ana's transaction without SKIP LOCKED
            assert not ben.is_alive(), "Ben's claim waited for Ana's"
    ben.join(timeout=20)
    assert taken == [next(lead for lead in ids.values() if lead != first)]


def _claimed_lead(claim: object) -> int | None:
    return getattr(claim, "lead_id", None)


def test_leads_of_one_file_go_in_id_order_even_after_one_is_given_back(
    desk: Desk, reps: dict[str, Rep], tmp_path: Path
) -> None:
    """A whole file shares one place in the queue: ties go by id on both engines, so the
    queue view and the claim agree (PostgreSQL would otherwise go by where rows sit)."""
    from qualdesk.services.calling.queue import outlook
    from qualdesk.services.intake.importer import ImportOptions, import_file

    rows = "".join(f"Person {n},+1 212 555 01{n:02d}\n" for n in range(1, 6))
    (tmp_path / "one.csv").write_text("Name,Phone\n" + rows, encoding="utf-8")
    import_file(desk, tmp_path / "one.csv", ImportOptions())
    first = claim_next(desk, reps["ana"])
    assert first is not None
    release(desk, first)  # given back as it was: its row is written again
    shown = [entry.lead_id for entry in outlook(desk, reps["ana"]).entries]
    assert shown == sorted(shown)
    taken = [claim_next(desk, reps["ana" if n % 2 else "ben"]) for n in range(5)]
    assert [claim.lead_id for claim in taken if claim] == shown
