"""The queue's order: which waiting lead a rep is offered first.

Order: the rep's own due callbacks; then callbacks any rep may take (and
owner-only ones overdue past the grace time); then new leads, newest first
(speed to lead); then retries that are due, oldest first; then nurture
leads whose recycle date has come. Within each, higher grade first.

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


def order_key(bucket: int, created_at: datetime, due_at: datetime) -> int:
    """Place within a bucket, smallest first: newest first for new leads, else oldest due."""
    if bucket == NEW:
        return -int(created_at.timestamp())
    return int(due_at.timestamp())
