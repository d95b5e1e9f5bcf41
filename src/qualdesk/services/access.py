"""Who is acting, and what only a team lead may do: decided here, for every front end.

Each service that changes what only a team lead may change takes the
`Actor` doing it and asks `require_lead` first, so the desk, the command
line and the browser refuse a rep the same way, before anything is written.
The actor's handle is also what the change records as who made it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from qualdesk.core.errors import QualdeskError
from qualdesk.db import signins
from qualdesk.db.engine import Session
from qualdesk.db.models import DeskChange, Rep
from qualdesk.services.desk import os_user

LEAD, REP, ADMINISTRATOR = "lead", "rep", "administrator"


class NotAllowed(QualdeskError):
    """A rep asked for something only a team lead may do; nothing was changed."""


@dataclass(frozen=True)
class Actor:
    """Whoever is acting: a signed-in rep or team lead, or the desk's administrator.

    The administrator is whoever can open the database of a desk that asks
    for no sign-in, acting without naming a rep (a script on the desk's host,
    a first setup); it is recorded by its operating-system user name.
    """

    handle: str
    role: str
    rep_id: int | None = None

    @property
    def is_lead(self) -> bool:
        """A team lead, or the administrator, who may do everything a team lead may."""
        return self.role in (LEAD, ADMINISTRATOR)

    @property
    def recorded_as(self) -> str:
        """What a change records as who made it."""
        return self.handle


def as_rep(rep: Rep) -> Actor:
    """The actor for a signed-in rep or team lead."""
    return Actor(rep.handle, LEAD if rep.role == LEAD else REP, rep.id)


def administrator() -> Actor:
    """The actor for whoever opened a desk that asks for no sign-in, naming no rep."""
    return Actor(os_user(), ADMINISTRATOR)


def require_lead(actor: Actor, doing: str) -> None:
    """Refuse a rep what only a team lead may do, in one line naming both.

    Args:
        actor: who is asking.
        doing: what they asked, as a verb phrase ("export", "load rules").

    Raises:
        NotAllowed: the actor is a rep; nothing has been changed.
    """
    if not actor.is_lead:
        raise NotAllowed(f"only a team lead may {doing}; {actor.handle} is a rep")


def record_change(
    session: Session, at: datetime, by: Actor, action: str, subject: str, detail: str = ""
) -> None:
    """Record a change to the desk with who made it, in the transaction that makes it."""
    signins.record_change(
        session,
        DeskChange(
            at=at, by=by.recorded_as[:40], rep_id=by.rep_id, action=action,
            subject=subject[:200], detail=detail,
        ),
    )  # fmt: skip
