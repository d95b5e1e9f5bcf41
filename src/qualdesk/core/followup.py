"""Follow-up: the touches a lead has had, and the channels they used.

A lead keeps its touch count and the set of channels touched (sorted,
comma-separated) with every touch, so the follow-up targets read them
without counting touches.
"""

from __future__ import annotations


def with_channel(channels: str, channel: str) -> str:
    """The lead's channels once a touch on `channel` is added ("email,phone")."""
    have = set(channels.split(",")) if channels else set()
    have.add(channel)
    return ",".join(sorted(have))
