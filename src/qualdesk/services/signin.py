"""Signing in: passwords checked, failures counted, handles locked, every attempt recorded.

A refusal never says whether the handle or the password was wrong: an
unknown handle costs the same work as a wrong password, is recorded the same
way, and locks the same way after five failures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from qualdesk.core.display import shown
from qualdesk.core.errors import QualdeskError
from qualdesk.core.passwords import PasswordRefused, check_new, hash_password, matches
from qualdesk.db import reps, signins
from qualdesk.db.engine import Session, serialize
from qualdesk.db.models import Rep, SignInEvent
from qualdesk.services.access import Actor, administrator, as_rep, record_change, require_lead
from qualdesk.services.desk import Desk

FAILURES_TO_LOCK = 5
LOCK_FOR = timedelta(minutes=15)

SIGNED_IN, FAILED, LOCKED, REFUSED = "signed in", "failed", "locked", "refused"
SIGNED_OUT, PASSWORD_SET, UNLOCKED = "signed out", "password set", "unlocked"
# An attempt whose password is being checked: counted as a failure until it turns out right,
# so attempts made at once cannot get past the count.
CHECKING = "checking"

NOT_ACCEPTED = "handle or password not accepted"


class SignInRefused(QualdeskError):
    """A sign-in that did not succeed; the message never says which part was wrong."""


@dataclass(frozen=True)
class SignInRecord:
    """One line of the sign-in log."""

    at: datetime
    handle: str
    event: str
    source: str
    detail: str


def requires_password(desk: Desk) -> bool:
    """Whether the rules in force ask every rep for a password."""
    return desk.rules().rules.sign_in == "password"


def given_handle(handle: str) -> str:
    """A handle as typed, made safe to store and show: trimmed, lower case, one short line."""
    return shown(handle.strip().lower())[:40]


def sign_in(desk: Desk, handle: str, password: str, *, source: str) -> Rep:
    """The rep whose handle and password these are, with the sign-in recorded.

    Args:
        desk: the open desk.
        handle: the handle as typed.
        password: the password as typed (never stored or logged).
        source: where the attempt came from, for the log ("terminal on host").

    Returns:
        The rep, active, whose password matched.

    Raises:
        SignInRefused: a wrong handle or password (one message for both), a
            handle locked after five failures, or a deactivated rep.
    """
    name = given_handle(handle)
    attempt, rep = _begin_attempt(desk, name, source)
    if not matches(password, rep.password_hash if rep else None):
        detail = "no password set" if rep is not None and not rep.password_hash else ""
        _fail(desk, attempt, name, rep, source, detail)
        raise SignInRefused(NOT_ACCEPTED)
    assert rep is not None
    if not rep.active:
        _settle(desk, attempt, REFUSED, "deactivated")
        raise SignInRefused(f"{rep.handle} is deactivated; ask a team lead")
    _settle(desk, attempt, SIGNED_IN, "")
    return rep


def _begin_attempt(desk: Desk, name: str, source: str) -> tuple[int, Rep | None]:
    """Record an attempt as being checked, unless the handle is locked; one handle at a time.

    Raises:
        SignInRefused: the handle is locked (five failures, or checks under way, in
            the last 15 minutes since its last sign-in, lock or unlock).
    """
    now = desk.clock()
    with desk.db.writing() as session:
        serialize(session, f"sign-in {name}")
        rep = reps.rep_with_handle(session, name)
        rep_id = rep.id if rep else None
        marker, failures = _standing(session, name, now, (FAILED, CHECKING))
        if marker is not None and marker.event == LOCKED:
            locked_until: datetime | None = marker.at + LOCK_FOR
        else:
            locked_until = now + LOCK_FOR if failures >= FAILURES_TO_LOCK else None
        if locked_until is not None:
            signins.record_event(
                session, _event(now, name, rep_id, REFUSED, source, "while locked")
            )
            minutes = max(1, -(-int((locked_until - now).total_seconds()) // 60))
            locked = SignInRefused(
                f"too many failed attempts: signing in as this handle is locked for {minutes} "
                f"more minute{'s' if minutes != 1 else ''}; a team lead can see why in the "
                "sign-in log"
            )
        else:
            attempt = _event(now, name, rep_id, CHECKING, source, "")
            signins.record_event(session, attempt)
            session.flush()
            assert attempt.id is not None
            return attempt.id, rep
    raise locked


def _settle(desk: Desk, attempt: int, event: str, detail: str) -> None:
    """What an attempt turned out to be."""
    with desk.db.writing() as session:
        signins.settle_event(session, attempt, event, detail)


def command_actor(
    desk: Desk,
    handle: str | None,
    *,
    password: Callable[[str], str | None],
    source: str,
) -> Actor:
    """Who a command acts as, under the desk's sign-in rule.

    With sign-in by password, a handle is required and its password checked
    (`password(handle)` gives it, or None when there is nobody to ask). With
    none, a handle acts as that rep under their role, and no handle acts as
    the desk's administrator.

    Raises:
        SignInRefused: no handle, no password to be had, or a refused sign-in.
        QualdeskError: (no sign-in) an unknown or deactivated handle.
    """
    if requires_password(desk):
        if not handle:
            raise SignInRefused(
                'this desk asks everyone to sign in: give --as HANDLE (or rep = "HANDLE" '
                "in the config file)"
            )
        given = password(handle)
        if given is None:
            raise SignInRefused(
                f"no terminal to ask for {given_handle(handle)}'s password on; scripts set "
                "QUALDESK_PASSWORD"
            )
        return as_rep(sign_in(desk, handle, given, source=source))
    if not handle:
        return administrator()
    with desk.db.reading() as session:
        rep = reps.rep_with_handle(session, handle.strip().lower())
    if rep is None:
        raise QualdeskError(f"no rep with handle {given_handle(handle)!r} (see qualdesk reps list)")
    if not rep.active:
        raise QualdeskError(f"{rep.handle} is deactivated; ask a team lead")
    return as_rep(rep)


def record_sign_in(desk: Desk, rep: Rep, *, source: str, detail: str = "no password asked") -> None:
    """Record a rep who came to the desk on a desk that asks for no password."""
    _record(desk, rep.handle, rep.id, SIGNED_IN, source, detail)


def record_sign_out(desk: Desk, rep: Rep, *, source: str, why: str = "") -> None:
    """Record a rep leaving the desk (quit, closed, idle)."""
    _record(desk, rep.handle, rep.id, SIGNED_OUT, source, why)


def set_password(desk: Desk, actor: Actor, handle: str, password: str, *, source: str) -> Rep:
    """Set a rep's password: a team lead for anyone, a rep for themselves.

    Raises:
        NotAllowed: a rep setting someone else's password.
        QualdeskError: an unknown handle, or a password the desk will not store
            (too short, too long, a control character), saying why.
    """
    name = handle.strip().lower()
    if name != actor.handle or actor.rep_id is None:
        require_lead(actor, "set another rep's password")
    try:
        check_new(password)
    except PasswordRefused as exc:
        raise QualdeskError(f"password for {given_handle(name)}: {exc}") from None
    hashed = hash_password(password)
    now = desk.clock()
    with desk.db.writing() as session:
        rep = reps.rep_with_handle(session, name)
        if rep is None:
            raise QualdeskError(
                f"no rep with handle {given_handle(name)!r} (see qualdesk reps list)"
            )
        rep.password_hash, rep.password_set_at = hashed, now
        session.add(rep)
        by = "themselves" if actor.rep_id == rep.id else f"by {actor.handle}"
        signins.record_event(
            session,
            SignInEvent(
                at=now,
                handle=rep.handle,
                rep_id=rep.id,
                event=PASSWORD_SET,
                source=source[:200],
                detail=by,
            ),
        )
        record_change(session, now, actor, "password set", rep.handle)
    return rep


def change_own_password(desk: Desk, rep: Rep, current: str, new: str, *, source: str) -> None:
    """A rep changing their own password at the desk, with the current one first.

    The current password is checked as a sign-in is: counted, and refused
    while the handle is locked, so a desk left signed in is no way to guess it.

    Raises:
        SignInRefused: the handle is locked, or the current password is wrong
            (counted as a failed attempt).
        QualdeskError: the new password is refused, saying why.
    """
    attempt, stored = _begin_attempt(desk, rep.handle, source)
    if stored is not None and stored.password_hash and not matches(current, stored.password_hash):
        _fail(desk, attempt, rep.handle, stored, source, "changing password")
        raise SignInRefused("the current password is not the one on the desk")
    _settle(desk, attempt, SIGNED_IN, "to change the password")
    set_password(desk, as_rep(rep), rep.handle, new, source=source)


def unlock(desk: Desk, actor: Actor, handle: str, *, source: str = "") -> bool:
    """A team lead lets a locked handle sign in again at once; False if it was not locked.

    Raises:
        NotAllowed: a rep asking.
    """
    require_lead(actor, "unlock a handle")
    name = given_handle(handle)
    now = desk.clock()
    with desk.db.writing() as session:
        serialize(session, f"sign-in {name}")
        rep = reps.rep_with_handle(session, name)
        lock = signins.last_event(session, name, (LOCKED, UNLOCKED), now - LOCK_FOR)
        if lock is None or lock.event != LOCKED:
            return False
        signins.record_event(
            session,
            _event(now, name, rep.id if rep else None, UNLOCKED, source, f"by {actor.handle}"),
        )
        record_change(session, now, actor, "unlocked", name)
    return True


def sign_in_log(
    desk: Desk, actor: Actor, handle: str | None = None, *, limit: int = 200
) -> list[SignInRecord]:
    """The newest sign-in events first, for one handle or everyone: a team lead's to read.

    Raises:
        NotAllowed: a rep asking.
    """
    require_lead(actor, "read the sign-in log")
    name = given_handle(handle) if handle is not None else None
    with desk.db.reading() as session:
        rows = signins.events(session, name, limit)
    return [SignInRecord(r.at, r.handle, r.event, r.source, r.detail) for r in rows]


def _event(
    at: datetime, name: str, rep_id: int | None, event: str, source: str, detail: str
) -> SignInEvent:
    return SignInEvent(
        at=at, handle=name, rep_id=rep_id, event=event, source=source[:200], detail=detail[:200]
    )


def _standing(
    session: Session, name: str, now: datetime, counted: tuple[str, ...]
) -> tuple[SignInEvent | None, int]:
    """A handle's newest sign-in, lock or unlock in the last 15 minutes, and the attempts of
    the kinds counted since it (in the order recorded, whatever the clock says)."""
    marker = signins.last_event(session, name, (LOCKED, SIGNED_IN, UNLOCKED), now - LOCK_FOR)
    failures = signins.count_events(
        session, name, counted, now - LOCK_FOR, after_id=marker.id if marker else None
    )
    return marker, failures


def _fail(desk: Desk, attempt: int, name: str, rep: Rep | None, source: str, detail: str) -> None:
    """An attempt failed; the fifth since the last sign-in or unlock locks the handle."""
    now = desk.clock()
    with desk.db.writing() as session:
        serialize(session, f"sign-in {name}")
        signins.settle_event(session, attempt, FAILED, detail)
        session.flush()
        marker, failures = _standing(session, name, now, (FAILED,))
        if marker is not None and marker.event == LOCKED:
            return  # already locked by an attempt made at the same time
        if failures >= FAILURES_TO_LOCK:
            signins.record_event(
                session,
                _event(now, name, rep.id if rep else None, LOCKED, source,
                       f"{FAILURES_TO_LOCK} failed attempts"),
            )  # fmt: skip


def _record(
    desk: Desk, name: str, rep_id: int | None, event: str, source: str, detail: str
) -> None:
    with desk.db.writing() as session:
        signins.record_event(session, _event(desk.clock(), name, rep_id, event, source, detail))
