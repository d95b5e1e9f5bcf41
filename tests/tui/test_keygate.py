"""The key gate: keys wait while the desk holds them, in order; the way out overtakes a stall.

Driven through the real desk: the desk holds keys while work that decides
where they land is under way (`moving`); these tests hold it by hand.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from qualdesk.db.models import ChecklistAnswer
from qualdesk.services.desk import Desk
from qualdesk.tui import keygate
from qualdesk.tui.app import create_app
from qualdesk.tui.screens.desk import DeskScreen
from qualdesk.tui.screens.forms import ConfirmDialog
from qualdesk.tui.workline import WorkLine
from tests.tui.conftest import SIZE, burst, rows, settle


def ticked(desk: Desk) -> list[tuple[str, bool]]:
    return [(a.criterion, a.established) for a in rows(desk, ChecklistAnswer)]


async def test_keys_held_by_the_desk_wait_then_go_in_order(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DeskScreen)
        screen.moving = True  # as while the next card or a proposal is on its way
        burst(app, "1", "3", "1")
        await pilot.pause(0.3)
        assert ticked(staffed) == [] and len(app.keys.waiting) == 3
        screen.moving = False
        await settle(pilot)
        assert ticked(staffed) == [
            ("vertical", True),
            ("decision_makers", True),
            ("vertical", False),
        ]


async def test_the_way_out_overtakes_keys_held_by_a_stall(
    staffed: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keygate, "URGENT_AFTER", 0.2)
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DeskScreen)
        screen.moving = True
        burst(app, "1", "ctrl+q")
        await pilot.pause(0.6)
        assert isinstance(app.screen, ConfirmDialog)  # asked to quit, while the desk still waits
        said = [n.message for n in app._notifications]
        assert said[-1] == (
            "1 key typed while the desk was waiting for the database was not used: type them again."
        )
        await pilot.press("escape")  # the question is answered at once: stay
        await pilot.pause(0.2)
        assert app.screen is screen and app.is_running
        screen.moving = False
        await settle(pilot)
        assert ticked(staffed) == []  # the tick was dropped, and the rep was told


async def test_a_hold_that_never_ends_lets_keys_go_after_a_while(
    staffed: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keygate, "HOLD_LIMIT", 0.3)
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DeskScreen)
        screen.moving = True  # a hung worker never lets go...
        burst(app, "1")
        for _ in range(100):
            if not app.keys.waiting:
                break
            await asyncio.sleep(0.02)
        assert not app.keys.waiting  # ...yet the keyboard is not lost for good
        screen.moving = False
        await settle(pilot)


def test_a_work_line_runs_jobs_in_order_and_survives_one_that_raises() -> None:
    from textual.message import Message

    from qualdesk.tui.workline import JobFailed

    posted: list[Message] = []

    class Owner:
        """Stands in for the screen: takes what the line posts."""

        def post_message(self, message: Message) -> bool:
            posted.append(message)
            return True

    seen: list[str] = []

    def job(name: str, fail: bool = False) -> Callable[[], Message | None]:
        def run() -> Message | None:
            seen.append(name)
            if fail:
                raise RuntimeError(name)
            return None

        return run

    line = WorkLine(Owner(), "test-line")  # type: ignore[arg-type]
    for name, fail in (("one", False), ("two", True), ("three", False)):
        line.submit(job(name, fail), tag="t")
    assert line.wait(5) and line.idle
    assert seen == ["one", "two", "three"]
    assert [(str(m.error), m.tag) for m in posted if isinstance(m, JobFailed)] == [("two", "t")]
