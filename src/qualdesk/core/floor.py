"""The live floor's words and clocks: what a rep at a desk is doing, and whether they are there.

Each desk writes what its rep is doing every few seconds (a beat); a desk
not heard from for a few beats has gone, whether it said goodbye or its
process died. Pure: the times are passed in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# How often a desk says what its rep is doing, and how long without a word makes it gone:
# four beats, so one slow write (a busy database) does not make a rep look gone.
BEAT_EVERY = timedelta(seconds=5)
LIVE_FOR = timedelta(seconds=20)
# An open session not heard from for this long (a desk that died overnight) leaves the
# floor; the next sign-in of its rep ends it.
FORGET_AFTER = timedelta(hours=12)

CARD, CALL, ROUTING, WAITING, TEAM = "card", "call", "routing", "waiting", "team"
# What each state is called on the floor, in the order a call goes through them.
STATES = {
    WAITING: "waiting for a lead",
    CARD: "on the card",
    CALL: "on a call",
    ROUTING: "routing the lead",
    TEAM: "in the team view",
}
# How a desk is reached: a terminal on the desk's host, or a browser tab.
SOURCES = ("terminal", "browser")


def is_live(seen_at: datetime | None, now: datetime) -> bool:
    """Whether a desk last heard from at `seen_at` is still there at `now`."""
    return seen_at is not None and now - seen_at <= LIVE_FOR


def seconds_since(then: datetime | None, now: datetime) -> int | None:
    """Whole seconds from `then` to `now` (never below 0), or None when there is no `then`."""
    if then is None:
        return None
    return max(0, int((now - then).total_seconds()))


def elapsed(seconds: int | None) -> str:
    """A span as the floor shows it: 45s, 4m07, 12m, 1h05, 2d3h; '-' for none."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        return f"{minutes}m{seconds % 60:02d}"
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours}h" if hours else f"{days}d"
