"""Signing in: passwords as hashes, one refusal for a wrong handle or password, locks, the log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from qualdesk.core.errors import QualdeskError
from qualdesk.core.passwords import hash_password, matches
from qualdesk.db.models import DeskChange, Rep, SignInEvent
from qualdesk.services.access import Actor, NotAllowed, administrator, as_rep
from qualdesk.services.desk import Desk
from qualdesk.services.reps import add_rep, set_active
from qualdesk.services.signin import (
    NOT_ACCEPTED,
    SignInRefused,
    change_own_password,
    command_actor,
    set_password,
    sign_in,
    sign_in_log,
)
from tests.conftest import FrozenClock

HERE = "terminal on test"


@pytest.fixture
def staff(desk: Desk) -> dict[str, Rep]:
    people = {
        "lee": add_rep(desk, "lee", "Lee Morgan", "lead"),
        "ana": add_rep(desk, "ana", "Ana Reyes", "rep"),
    }
    set_password(desk, administrator(), "lee", "lee-password-1", source=HERE)
    set_password(desk, administrator(), "ana", "ana-password-1", source=HERE)
    return people


def test_a_password_is_kept_only_as_a_salted_hash() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first != second and "correct horse" not in first
    assert first.startswith("scrypt$")
    assert matches("correct horse", first) and not matches("correct hors", first)
    assert not matches("correct horse", None) and not matches("x", "not a hash")


def test_the_right_password_signs_in_and_is_recorded(desk: Desk, staff: dict[str, Rep]) -> None:
    rep = sign_in(desk, " ANA ", "ana-password-1", source=HERE)
    assert rep.handle == "ana"
    with desk.db.reading() as session:
        stored = session.exec(select(Rep).where(Rep.handle == "ana")).one()
    assert stored.password_hash and "ana-password-1" not in stored.password_hash
    log = sign_in_log(desk, administrator(), "ana")
    assert [(e.event, e.source) for e in log][:2] == [("signed in", HERE), ("password set", HERE)]


def test_a_wrong_password_and_an_unknown_handle_get_the_same_line(
    desk: Desk, staff: dict[str, Rep]
) -> None:
    with pytest.raises(SignInRefused) as wrong:
        sign_in(desk, "ana", "not-her-password", source=HERE)
    with pytest.raises(SignInRefused) as unknown:
        sign_in(desk, "nobody", "ana-password-1", source=HERE)
    assert str(wrong.value) == str(unknown.value) == NOT_ACCEPTED
    events = [(e.handle, e.event) for e in sign_in_log(desk, administrator())]
    assert ("ana", "failed") in events and ("nobody", "failed") in events


def test_five_failures_lock_a_handle_for_fifteen_minutes(
    desk: Desk, staff: dict[str, Rep], clock: FrozenClock
) -> None:
    for _ in range(5):
        with pytest.raises(SignInRefused, match="not accepted"):
            sign_in(desk, "ana", "guess", source=HERE)
        clock.now += timedelta(seconds=10)
    with pytest.raises(SignInRefused, match="locked for 15 more minutes"):
        sign_in(desk, "ana", "ana-password-1", source=HERE)
    clock.now += timedelta(minutes=14)
    with pytest.raises(SignInRefused, match="locked for 1 more minute;"):
        sign_in(desk, "ana", "ana-password-1", source=HERE)
    clock.now += timedelta(minutes=1)
    assert sign_in(desk, "ana", "ana-password-1", source=HERE).handle == "ana"
    events = [e.event for e in reversed(sign_in_log(desk, administrator(), "ana"))]
    assert events[-9:] == ["failed"] * 5 + ["locked", "refused", "refused", "signed in"]


def test_an_unknown_handle_locks_as_a_known_one_does(desk: Desk, staff: dict[str, Rep]) -> None:
    for _ in range(5):
        with pytest.raises(SignInRefused, match="not accepted"):
            sign_in(desk, "mallory", "guess", source=HERE)
    with pytest.raises(SignInRefused, match="locked"):
        sign_in(desk, "mallory", "guess", source=HERE)


def test_four_failures_then_the_right_password_start_the_count_again(
    desk: Desk, staff: dict[str, Rep]
) -> None:
    for _ in range(4):
        with pytest.raises(SignInRefused):
            sign_in(desk, "ana", "guess", source=HERE)
    sign_in(desk, "ana", "ana-password-1", source=HERE)
    for _ in range(4):
        with pytest.raises(SignInRefused, match="not accepted"):
            sign_in(desk, "ana", "guess", source=HERE)
    assert sign_in(desk, "ana", "ana-password-1", source=HERE).handle == "ana"


def test_a_deactivated_rep_is_told_only_after_the_right_password(
    desk: Desk, staff: dict[str, Rep]
) -> None:
    set_active(desk, "ana", False, by=as_rep(staff["lee"]))
    with pytest.raises(SignInRefused, match="not accepted"):
        sign_in(desk, "ana", "guess", source=HERE)
    with pytest.raises(SignInRefused, match="ana is deactivated"):
        sign_in(desk, "ana", "ana-password-1", source=HERE)


def test_a_rep_without_a_password_cannot_sign_in(desk: Desk, staff: dict[str, Rep]) -> None:
    add_rep(desk, "ben", "Ben Okafor", "rep", by=as_rep(staff["lee"]))
    with pytest.raises(SignInRefused, match="not accepted"):
        sign_in(desk, "ben", "", source=HERE)
    assert sign_in_log(desk, administrator(), "ben")[0].detail == "no password set"


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("pw-9", "too short"),
        ("x" * 257, "too long"),
        ("line\nbreak-pass", "control character"),
        ("esc\x1b[31mred", "control character"),
        (" padded-password", "starts or ends with a space"),
    ],
)
def test_a_password_the_desk_will_not_keep_is_refused_saying_why(
    desk: Desk, staff: dict[str, Rep], password: str, why: str
) -> None:
    with pytest.raises(QualdeskError, match=why) as refused:
        set_password(desk, as_rep(staff["lee"]), "ana", password, source=HERE)
    assert password not in str(refused.value)
    assert sign_in(desk, "ana", "ana-password-1", source=HERE).handle == "ana"


def test_a_very_long_or_odd_sign_in_is_refused_calmly(desk: Desk, staff: dict[str, Rep]) -> None:
    with pytest.raises(SignInRefused, match="not accepted"):
        sign_in(desk, "ana", "y" * 100_000, source=HERE)
    with pytest.raises(SignInRefused, match="not accepted"):
        sign_in(desk, "[bold]ana\x1b[2J" + "z" * 500, "guess", source=HERE)
    stored = sign_in_log(desk, administrator())[0].handle
    assert len(stored) <= 40 and "\x1b" not in stored


def test_only_a_team_lead_sets_another_reps_password(desk: Desk, staff: dict[str, Rep]) -> None:
    with pytest.raises(NotAllowed, match="only a team lead may set another rep's password; ana"):
        set_password(desk, as_rep(staff["ana"]), "lee", "taken-over-1", source=HERE)
    set_password(desk, as_rep(staff["ana"]), "ana", "ana-password-2", source=HERE)
    assert sign_in(desk, "ana", "ana-password-2", source=HERE).handle == "ana"
    assert sign_in(desk, "lee", "lee-password-1", source=HERE).handle == "lee"
    with desk.db.reading() as session:
        changes = session.exec(select(DeskChange).where(DeskChange.action == "password set"))
        assert [(c.by, c.subject) for c in changes][-1] == ("ana", "ana")


def test_changing_ones_own_password_needs_the_current_one(
    desk: Desk, staff: dict[str, Rep]
) -> None:
    with pytest.raises(SignInRefused, match="current password"):
        change_own_password(desk, staff["ana"], "guess", "ana-password-2", source=HERE)
    change_own_password(desk, staff["ana"], "ana-password-1", "ana-password-2", source=HERE)
    with pytest.raises(SignInRefused):
        sign_in(desk, "ana", "ana-password-1", source=HERE)
    assert sign_in(desk, "ana", "ana-password-2", source=HERE).handle == "ana"


def test_a_command_acts_as_the_desks_rule_says(desk: Desk, staff: dict[str, Rep]) -> None:
    def never(handle: str) -> str | None:
        raise AssertionError("no password is asked on a desk without sign-in")

    assert command_actor(desk, None, password=never, source=HERE).role == "administrator"
    assert command_actor(desk, "ana", password=never, source=HERE) == Actor("ana", "rep", 2)
    with pytest.raises(QualdeskError, match="no rep with handle 'zed'"):
        command_actor(desk, "zed", password=never, source=HERE)


def test_a_failure_is_recorded_whatever_the_handle_looks_like(
    desk: Desk, staff: dict[str, Rep]
) -> None:
    with pytest.raises(SignInRefused):
        sign_in(desk, "ana", "guess", source="browser from 203.0.113.9")
    with desk.db.reading() as session:
        failure = session.exec(select(SignInEvent).where(SignInEvent.event == "failed")).one()
    assert (failure.handle, failure.source) == ("ana", "browser from 203.0.113.9")


def test_guesses_made_at_once_stop_at_five(desk: Desk, staff: dict[str, Rep]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def guess(number: int) -> str:
        try:
            sign_in(desk, "ana", f"guess-{number}", source=HERE)
        except SignInRefused as exc:
            return "locked" if "locked" in str(exc) else "wrong"
        return "in"

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(guess, range(16)))
    assert answers.count("wrong") == 5 and answers.count("locked") == 11
    events = [e.event for e in sign_in_log(desk, administrator(), "ana")]
    assert events.count("failed") == 5 and events.count("locked") == 1
    assert "checking" not in events


def test_a_signed_in_desk_is_no_way_to_guess_a_password(desk: Desk, staff: dict[str, Rep]) -> None:
    for _ in range(5):
        with pytest.raises(SignInRefused, match="current password"):
            change_own_password(desk, staff["ana"], "guess", "ana-password-2", source=HERE)
    with pytest.raises(SignInRefused, match="locked"):
        change_own_password(desk, staff["ana"], "ana-password-1", "ana-password-2", source=HERE)


def test_a_team_lead_unlocks_a_handle_at_once(desk: Desk, staff: dict[str, Rep]) -> None:
    from qualdesk.services.signin import unlock

    assert not unlock(desk, as_rep(staff["lee"]), "ana")
    for _ in range(5):
        with pytest.raises(SignInRefused):
            sign_in(desk, "ana", "guess", source=HERE)
    with pytest.raises(NotAllowed, match="only a team lead may unlock a handle; ana is a rep"):
        unlock(desk, as_rep(staff["ana"]), "ana")
    assert unlock(desk, as_rep(staff["lee"]), "ana")
    assert sign_in(desk, "ana", "ana-password-1", source=HERE).handle == "ana"


def test_only_a_team_lead_reads_the_sign_in_log(desk: Desk, staff: dict[str, Rep]) -> None:
    with pytest.raises(NotAllowed, match="only a team lead may read the sign-in log"):
        sign_in_log(desk, as_rep(staff["ana"]))


def test_a_handle_locked_again_after_an_unlock_is_recorded_and_unlocks_again(
    desk: Desk, staff: dict[str, Rep]
) -> None:
    from qualdesk.services.signin import unlock

    lee = as_rep(staff["lee"])
    for _ in range(2):
        for _ in range(5):
            with pytest.raises(SignInRefused, match="not accepted"):
                sign_in(desk, "ana", "guess", source=HERE)
        with pytest.raises(SignInRefused, match="locked"):
            sign_in(desk, "ana", "ana-password-1", source=HERE)
        assert unlock(desk, lee, "ana")
    assert sign_in(desk, "ana", "ana-password-1", source=HERE).handle == "ana"
    events = [e.event for e in sign_in_log(desk, administrator(), "ana")]
    assert events.count("locked") == 2 and events.count("unlocked") == 2
