"""Loading and showing the desk rules."""

from __future__ import annotations

import hashlib
from pathlib import Path

from qualdesk.core.errors import QualdeskError, RulesError
from qualdesk.core.rules import parse_rules
from qualdesk.db import reps
from qualdesk.db.engine import serialize
from qualdesk.db.models import RulesVersion
from qualdesk.services.access import Actor, require_lead
from qualdesk.services.desk import Desk, RulesInForce


def read_rules_file(path: Path) -> str:
    """A rules file's text, validated; raises RulesError naming the file."""
    try:
        # Windows editors save UTF-8 with a byte-order mark.
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise QualdeskError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise QualdeskError(f"{path}: cannot read it ({exc})") from None
    try:
        parse_rules(text)
    except RulesError as exc:
        raise exc.in_file(str(path)) from None
    return text


class PasswordNeeded(QualdeskError):
    """Turning sign-in on takes a team lead who signs in with their own password."""


def load_rules(
    desk: Desk, path: Path, by: Actor, *, password: str | None = None
) -> tuple[RulesInForce, bool]:
    """Validate a rules file and store it as the version in force.

    Turning sign-in by password on takes a team lead who signs in as they do
    it: on a desk without sign-in anyone may name a team lead, so the switch
    itself proves who makes it.

    Args:
        desk: the open desk.
        path: the TOML rules file.
        by: who loads it: a team lead.
        password: `by`'s password, when the file turns sign-in on.

    Returns:
        The rules now in force, and whether a new version was stored (False
        when the file is identical to the version already in force).

    Raises:
        NotAllowed: a rep asking; nothing is stored.
        RulesError: the file breaks a rule; nothing is stored.
        PasswordNeeded: the file turns sign-in on and no password was given.
        SignInRefused: the file turns sign-in on and the password is not `by`'s.
        QualdeskError: rules asking for passwords on a desk where no team lead
            has one (nobody could sign in to run it); nothing is stored.
    """
    require_lead(by, "load rules")
    text = read_rules_file(path)
    asks_passwords = parse_rules(text).sign_in == "password"
    if asks_passwords and desk.rules().rules.sign_in != "password":
        _signs_in_to_turn_on(desk, by, password, path)
    digest = hashlib.sha256(text.encode()).hexdigest()
    with desk.db.writing() as session:
        # Two loads at once: the second sees the version the first stored.
        serialize(session, "rules")
        current = desk.rules(session)
        stored = session.get(RulesVersion, current.version)
        if stored is not None and stored.sha256 == digest:
            return current, False
        if asks_passwords and not reps.lead_with_password(session):
            raise QualdeskError(
                f'{path}: sign_in = "password", but no active team lead has a password yet, '
                "so nobody could sign in to run the desk; set one first with: "
                "qualdesk reps passwd HANDLE"
            )
        session.add(
            RulesVersion(
                loaded_at=desk.clock(),
                loaded_by=by.recorded_as,
                source=str(path),
                sha256=digest,
                text=text,
            )
        )
        session.flush()
        return desk.rules(session), True


def _signs_in_to_turn_on(desk: Desk, by: Actor, password: str | None, path: Path) -> None:
    from qualdesk.services.signin import sign_in

    if by.rep_id is None:
        raise QualdeskError(
            f'{path}: sign_in = "password" is turned on by a team lead signing in: give '
            "--as HANDLE; nothing was stored"
        )
    if password is None:
        raise PasswordNeeded(f"{path}: turning sign-in on needs {by.handle}'s password")
    sign_in(desk, by.handle, password, source="turning sign-in on")


def rules_text(desk: Desk) -> tuple[RulesInForce, str]:
    """The rules in force and their TOML text as loaded."""
    with desk.db.reading() as session:
        current = desk.rules(session)
        stored = session.get(RulesVersion, current.version)
        assert stored is not None
        return current, stored.text
