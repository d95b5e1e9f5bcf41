"""Follow-up: the touches a lead has had, the channels they used, and its grade's target.

A lead keeps its touch count and the set of channels touched (sorted,
comma-separated) with every touch, so the follow-up targets read them
without counting touches.

The desk promises persistence per grade (rules: [follow_up]): at least
`touches` touches on at least `channels` channels, within `days` days of
the lead's arrival. A lead is in one of three states:

- on target: it has had its touches on its channels, or it left the queue
  after a conversation (the person was reached: no more follow-up owed);
- under target: still being worked (new or working) and short of its target;
- closed under target: it went to nurture short of its target without a
  conversation: the desk let it go too soon.

A lead put out without a conversation (its number on the do-not-call list,
a wrong number, bad data) is owed no follow-up and counted in none of them.

The `days` window is the time the desk has to reach the target: within it,
a due retry of a lead short of its target is offered before the other due
retries of its grade; past it, the retry waits its turn. A lead still under
target past its window is counted as behind.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from qualdesk.core.rules import FollowUpTarget
from qualdesk.core.stages import Stage

# Stages of a lead the desk is still working; short of its target there, it is under target.
WORKED_STAGES = (Stage.NEW, Stage.WORKING)


class FollowUp(StrEnum):
    """Where a lead stands against its grade's follow-up target."""

    ON_TARGET = "on_target"
    UNDER_TARGET = "under_target"
    CLOSED_UNDER_TARGET = "closed_under_target"
    # Out without a conversation (do-not-call, a wrong number): no follow-up is owed.
    NOT_OWED = "not_owed"


def with_channel(channels: str, channel: str) -> str:
    """The lead's channels once a touch on `channel` is added ("email,phone")."""
    have = set(channels.split(",")) if channels else set()
    have.add(channel)
    return ",".join(sorted(have))


def channel_count(channels: str) -> int:
    """How many channels a lead's channels ("email,phone") name."""
    return channels.count(",") + 1 if channels else 0


def reached(target: FollowUpTarget, touches: int, channels: str) -> bool:
    """Whether a lead has had its target's touches on its target's channels.

    Args:
        target: the follow-up target of the lead's grade.
        touches: the lead's touch count.
        channels: the lead's channels, sorted and comma-separated.
    """
    return touches >= target.touches and channel_count(channels) >= target.channels


def follow_up_state(
    target: FollowUpTarget, touches: int, channels: str, stage: str, conversation: bool
) -> FollowUp:
    """Where a lead stands against its target (see the module's three states).

    Args:
        target: the follow-up target of the lead's grade.
        touches: the lead's touch count.
        channels: the lead's channels, sorted and comma-separated.
        stage: the lead's stage.
        conversation: whether any of its touches reached the person (a
            disposition with connect = true).
    """
    if reached(target, touches, channels):
        return FollowUp.ON_TARGET
    if stage in WORKED_STAGES:
        return FollowUp.UNDER_TARGET
    if conversation:
        return FollowUp.ON_TARGET
    if stage == Stage.DISQUALIFIED:
        return FollowUp.NOT_OWED
    return FollowUp.CLOSED_UNDER_TARGET


def window_end(target: FollowUpTarget, start: datetime) -> datetime:
    """When the desk's time to reach the target ends, for a lead that arrived at `start`."""
    return start + timedelta(days=target.days)


def brought_forward(
    target: FollowUpTarget, touches: int, channels: str, start: datetime, due_at: datetime
) -> bool:
    """Whether a retry due at `due_at` goes before the other due retries of its grade.

    It does while the lead is short of its target and the retry falls due
    within the target's window.

    Args:
        target: the follow-up target of the lead's grade.
        touches: the lead's touch count, the call just made included.
        channels: the lead's channels, sorted and comma-separated.
        start: when the lead arrived (its own creation time, else its import).
        due_at: when the retry falls due.
    """
    return not reached(target, touches, channels) and due_at < window_end(target, start)
