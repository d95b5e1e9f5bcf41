"""Where a lead stands on the desk, and what a call can imply for it."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """A lead's stage; only new, working and nurture leads are ever queued."""

    NEW = "new"
    WORKING = "working"
    NURTURE = "nurture"
    SALES = "sales"
    HANDED_OFF = "handed_off"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DISQUALIFIED = "disqualified"


class Outcome(StrEnum):
    """What a disposition implies for the lead once the call ends."""

    RETRY = "retry"
    ROUTE = "route"
    CALLBACK = "callback"
    NURTURE = "nurture"
    DISQUALIFY = "disqualify"
    DNC = "dnc"


class Role(StrEnum):
    """A rep's role on the desk; team leads see the dashboard and reviews."""

    REP = "rep"
    LEAD = "lead"


# A number put on the do-not-call list stops every lead of it still on the desk;
# a lead sales already has is sales' to handle.
STOPPED_BY_DNC = (Stage.NEW, Stage.WORKING, Stage.NURTURE, Stage.SALES)
