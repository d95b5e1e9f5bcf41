"""The desk's side of the agreement in the core: speed to lead counted in the lead's calling
hours, follow-up states against each grade's target, and retries under target first."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from qualdesk.core import queue
from qualdesk.core.followup import (
    FollowUp,
    brought_forward,
    channel_count,
    follow_up_state,
    reached,
    with_channel,
)
from qualdesk.core.hours import CallingTime, calling_deadline, calling_deadlines
from qualdesk.core.phones import normalise_phone
from qualdesk.core.rules import CallingHours, FollowUpTarget, parse_rules
from tests.conftest import REPO

RULES = parse_rules((REPO / "data" / "desk.toml").read_text(encoding="utf-8"))
HOURS = RULES.calling_hours
FOUR = timedelta(hours=4)
NEW_YORK = ZoneInfo("America/New_York")
NY, NY_PLACE = ("America/New_York",), "US-NY"


def local(text: str, tz: ZoneInfo = NEW_YORK) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


# -- speed to lead: the deadline in calling hours ------------------------------


def test_an_evening_lead_is_due_the_next_morning_not_in_the_night() -> None:
    # Wednesday 20:50 in New York: ten minutes before 21:00, then 3h50 from 08:00.
    arrived = local("2026-11-18 20:50")
    deadline = calling_deadline(HOURS, NY, NY_PLACE, arrived, FOUR)
    assert deadline == local("2026-11-19 11:50")
    assert deadline.tzinfo is UTC
    # A first call at 08:30 the next morning is in time; at 11:51 it is late.
    assert local("2026-11-19 08:30") <= deadline < local("2026-11-19 11:51")


def test_seconds_count_too() -> None:
    arrived = local("2026-11-18 20:50:30.250000")
    assert calling_deadline(HOURS, NY, NY_PLACE, arrived, FOUR) == local("2026-11-19 11:50:30.25")


def test_a_lead_arriving_in_hours_is_due_four_hours_later() -> None:
    assert calling_deadline(HOURS, NY, NY_PLACE, local("2026-11-24 10:00"), FOUR) == local(
        "2026-11-24 14:00"
    )
    # Four hours that end exactly as calling hours close are due at the close.
    assert calling_deadline(HOURS, NY, NY_PLACE, local("2026-11-24 17:00"), FOUR) == local(
        "2026-11-24 21:00"
    )
    # Before the day opens, the clock starts at the opening.
    assert calling_deadline(HOURS, NY, NY_PLACE, local("2026-11-24 03:00"), FOUR) == local(
        "2026-11-24 12:00"
    )


def test_saturday_night_before_a_closed_sunday_is_due_monday() -> None:
    # The US is not called on Sundays (data/desk.toml).
    arrived = local("2026-11-21 22:00")
    assert arrived.strftime("%A") == "Saturday"
    assert calling_deadline(HOURS, NY, NY_PLACE, arrived, FOUR) == local("2026-11-23 12:00")


def test_a_public_holiday_is_not_counted() -> None:
    # One hour on the eve of Thanksgiving (closed), the other three on the Friday.
    arrived = local("2026-11-25 20:00")
    assert calling_deadline(HOURS, NY, NY_PLACE, arrived, FOUR) == local("2026-11-27 11:00")


def test_a_state_with_shorter_hours_counts_its_own() -> None:
    # Florida closes at 20:00: a lead at 19:00 has one hour that evening.
    miami = normalise_phone("+1 305 555 0100", "US")
    arrived = local("2026-11-24 19:00")
    assert calling_deadline(HOURS, miami.time_zones, miami.jurisdiction, arrived, FOUR) == local(
        "2026-11-25 11:00"
    )


def test_a_number_ringing_in_two_zones_counts_only_when_both_are_open() -> None:
    # New York and Honolulu (five hours behind) are both open 13:00-21:00 New York time.
    zones = ("America/New_York", "Pacific/Honolulu")
    arrived = local("2026-11-18 07:00")
    assert calling_deadline(HOURS, zones, "US", arrived, FOUR) == local("2026-11-18 17:00")
    # Six hours at 19:00: two that evening, four from 13:00 the next day.
    six = timedelta(hours=6)
    assert calling_deadline(HOURS, zones, "US", local("2026-11-18 19:00"), six) == local(
        "2026-11-19 17:00"
    )


def test_an_unknown_zone_counts_wall_clock_hours() -> None:
    arrived = local("2026-11-21 22:00")
    assert calling_deadline(HOURS, (), "001", arrived, FOUR) == arrived + FOUR


def test_zones_whose_hours_never_meet_count_wall_clock_hours() -> None:
    short = CallingHours(time(9), time(10))
    arrived = local("2026-11-18 07:00")
    zones = ("America/New_York", "Europe/London")
    assert calling_deadline(short, zones, "", arrived, FOUR) == arrived + FOUR


def test_the_clocks_changing_are_counted_in_real_hours() -> None:
    # London goes to summer time on Sunday 29 March 2026 (the UK is called on Sundays):
    # one hour on the Saturday evening, three from 08:00 BST, which is 07:00 UTC.
    london = ZoneInfo("Europe/London")
    arrived = local("2026-03-28 20:00", london)
    deadline = calling_deadline(HOURS, ("Europe/London",), "GB", arrived, FOUR)
    assert deadline == datetime(2026, 3, 29, 10, 0, tzinfo=UTC)


def test_many_starts_of_one_class_agree_with_one_at_a_time() -> None:
    starts = [local("2026-11-20 06:00") + timedelta(minutes=37 * n) for n in range(300)]
    together = calling_deadlines(HOURS, NY, NY_PLACE, FOUR, starts)
    assert together == {s: calling_deadline(HOURS, NY, NY_PLACE, s, FOUR) for s in starts}
    # Each deadline is four hours of calling time later: never sooner than wall-clock.
    assert all(together[s] >= s + FOUR for s in starts)


def test_calling_time_beyond_what_was_built_is_not_guessed() -> None:
    clock = CallingTime.between(
        HOURS, NY, NY_PLACE, local("2026-11-23 00:00"), local("2026-11-23 23:00")
    )
    assert clock.passed(local("2026-11-23 10:00"), FOUR) == local("2026-11-23 14:00")
    assert clock.passed(local("2026-11-23 20:00"), FOUR) is None


# -- follow-up targets -------------------------------------------------------

BEST = FollowUpTarget(touches=6, days=14, channels=2)
REST = FollowUpTarget(touches=3, days=14, channels=1)


def test_channels_are_kept_sorted_and_counted() -> None:
    assert with_channel("", "phone") == "phone"
    assert with_channel("phone", "email") == "email,phone"
    assert with_channel("email,phone", "phone") == "email,phone"
    assert [channel_count(c) for c in ("", "phone", "email,phone")] == [0, 1, 2]


@pytest.mark.parametrize(
    ("target", "touches", "channels", "met"),
    [
        (BEST, 6, "email,phone", True),
        (BEST, 9, "phone", False),  # six calls are not two channels
        (BEST, 5, "email,linkedin,phone", False),
        (REST, 3, "phone", True),
        (REST, 2, "phone", False),
    ],
)
def test_a_target_needs_both_its_touches_and_its_channels(
    target: FollowUpTarget, touches: int, channels: str, met: bool
) -> None:
    assert reached(target, touches, channels) is met


@pytest.mark.parametrize(
    ("touches", "stage", "conversation", "state"),
    [
        (6, "working", False, FollowUp.ON_TARGET),
        (6, "nurture", False, FollowUp.ON_TARGET),
        (2, "new", False, FollowUp.UNDER_TARGET),
        (2, "working", True, FollowUp.UNDER_TARGET),  # a callback booked: still worked
        (2, "nurture", False, FollowUp.CLOSED_UNDER_TARGET),  # unreachable, too soon
        (1, "disqualified", False, FollowUp.NOT_OWED),  # a wrong number: no follow-up owed
        (0, "disqualified", False, FollowUp.NOT_OWED),  # on do-not-call at import
        (1, "sales", True, FollowUp.ON_TARGET),  # reached and qualified on the first call
        (2, "nurture", True, FollowUp.ON_TARGET),  # not interested, said so
    ],
)
def test_a_lead_is_on_under_or_closed_under_its_target(
    touches: int, stage: str, conversation: bool, state: FollowUp
) -> None:
    assert follow_up_state(BEST, touches, "email,phone", stage, conversation) is state


def test_retries_short_of_their_target_in_its_window_come_first() -> None:
    arrived = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    soon, late = arrived + timedelta(days=3), arrived + timedelta(days=20)
    assert brought_forward(BEST, 2, "phone", arrived, soon)
    assert not brought_forward(BEST, 6, "email,phone", arrived, soon)  # on target
    assert not brought_forward(BEST, 2, "phone", arrived, late)  # its window has passed
    # Brought forward, a retry due later still goes before one on target due earlier.
    ahead = queue.order_key(queue.RETRY, arrived, late, brought_forward=True)
    behind = queue.order_key(queue.RETRY, arrived, soon)
    assert ahead < behind
    assert queue.order_key(queue.RETRY, arrived, soon, brought_forward=True) < ahead
    # Only retries move: new leads and callbacks keep their order, and it fits 32 bits.
    assert queue.order_key(queue.NEW, arrived, soon, brought_forward=True) == queue.order_key(
        queue.NEW, arrived, soon
    )
    assert -(2**31) <= ahead < 2**31
