"""The attempt cadence: when a lead nobody reached may be called again."""

from __future__ import annotations

from datetime import datetime, timedelta

from qualdesk.core.rules import DeskRules


def retry_wait(rules: DeskRules, attempts: int) -> timedelta:
    """The wait after the given number of unanswered attempts (the last spacing repeats)."""
    spacing = rules.cadence.retry_after
    return spacing[min(max(attempts, 1), len(spacing)) - 1]


def next_attempt_due(rules: DeskRules, attempts: int, last_attempt: datetime) -> datetime | None:
    """When the next attempt is due, or None once the lead has had its maximum attempts.

    Args:
        rules: the desk rules in force.
        attempts: call attempts made so far, including the one just made.
        last_attempt: when the last attempt was made.
    """
    if attempts >= rules.cadence.max_attempts:
        return None
    wait = max(retry_wait(rules, attempts), rules.cadence.min_gap)
    return last_attempt + wait
