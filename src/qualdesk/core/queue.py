"""The queue's order: which waiting lead a rep is offered first.

Order: the rep's own due callbacks; then callbacks any rep may take (and
owner-only ones overdue past the grace time); then new leads, newest first
(speed to lead); then retries that are due, oldest first; then nurture
leads whose recycle date has come. Within each, higher grade first; within
a grade's retries, those of leads still short of their follow-up target
(and within its window) before the rest (qualdesk.core.followup).

A lead sits in a bucket only once it is due. Its place within the bucket
is one integer, so the claim is an index walk: (bucket, grade, order).
"""

from __future__ import annotations

from datetime import datetime

from qualdesk.core.stages import Stage

OWN_CALLBACK = -1
SHARED_CALLBACK = 0
NEW = 1
RETRY = 2
NURTURE = 3

BUCKET_NAMES = {
    OWN_CALLBACK: "your callback",
    SHARED_CALLBACK: "callback",
    NEW: "new lead",
    RETRY: "retry",
    NURTURE: "back from nurture",
}
QUEUED_STAGES = (Stage.NEW, Stage.WORKING, Stage.NURTURE)


def bucket_for(stage: str, has_callback: bool) -> int | None:
    """The bucket of a due lead in this stage (None: never queued)."""
    if stage == Stage.NEW:
        return NEW
    if stage == Stage.WORKING:
        return SHARED_CALLBACK if has_callback else RETRY
    if stage == Stage.NURTURE:
        return NURTURE
    return None


# Taken off the place of a retry brought forward, so it sorts before every retry that is
# not, whatever their due times (any due time before 2038 is below it). Subtracting keeps
# the place within a 32-bit integer, which adding would not.
BROUGHT_FORWARD = 2**31


def order_key(
    bucket: int, created_at: datetime, due_at: datetime, *, brought_forward: bool = False
) -> int:
    """Place within a bucket, smallest first: newest first for new leads, else oldest due.

    Args:
        bucket: the bucket the lead joins when due.
        created_at: when the lead was imported (new leads only).
        due_at: when it falls due.
        brought_forward: a retry of a lead still short of its follow-up
            target (qualdesk.core.followup.brought_forward): it goes before
            the other retries of its grade, oldest due first among them.
    """
    if bucket == NEW:
        return -int(created_at.timestamp())
    if bucket == RETRY and brought_forward:
        return int(due_at.timestamp()) - BROUGHT_FORWARD
    return int(due_at.timestamp())
