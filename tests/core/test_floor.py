"""The live floor's clocks: when a desk is gone, and spans as the floor writes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qualdesk.core.floor import elapsed, is_live, seconds_since

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(None, "-"), (0, "0s"), (59, "59s"), (60, "1m00"), (247, "4m07"), (599, "9m59"),
     (600, "10m"), (3599, "59m"), (3900, "1h05"), (86399, "23h59"), (86400, "1d"),
     (97200, "1d3h")],
)  # fmt: skip
def test_spans_read_at_a_glance(seconds: int | None, shown: str) -> None:
    assert elapsed(seconds) == shown


def test_a_desk_is_gone_after_twenty_seconds_without_a_beat() -> None:
    assert is_live(NOW - timedelta(seconds=20), NOW)
    assert not is_live(NOW - timedelta(seconds=21), NOW)
    assert not is_live(None, NOW)


def test_seconds_since_never_goes_below_zero() -> None:
    assert seconds_since(NOW + timedelta(seconds=3), NOW) == 0
    assert seconds_since(NOW - timedelta(seconds=90.7), NOW) == 90
    assert seconds_since(None, NOW) is None
