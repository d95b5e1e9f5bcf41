"""How the desk looks: the call card, the routing dialog, the queue view, help, the export.

These guard the looks only; behaviour is asserted in test_desk.py. After an
intended change of looks: pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from qualdesk.services.desk import Desk
from qualdesk.services.intake.importer import ImportOptions, import_file
from qualdesk.services.reps import add_rep
from qualdesk.tui.app import create_app
from tests.tui.conftest import LEADS, SIZE, SMALL, settle


@pytest.fixture
def desk_app(desk: Desk, tmp_path: Path) -> Any:
    add_rep(desk, "ana", "Ana Reyes", "rep", "America/New_York")
    path = tmp_path / "leads.csv"
    path.write_text(LEADS, encoding="utf-8")
    import_file(desk, path, ImportOptions(imported_by="ops"))
    return create_app(desk, rep="ana")


def keys(*pressed: str) -> Callable[[Any], Awaitable[None]]:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)

    return run_before


SIZES = pytest.mark.parametrize("size", [SMALL, SIZE], ids=["80x24", "120x40"])


@SIZES
def test_the_call_card(snap_compare: Any, desk_app: Any, size: tuple[int, int]) -> None:
    assert snap_compare(desk_app, terminal_size=size, run_before=keys("n", "c", "6", "8"))


@SIZES
def test_the_routing_dialog(snap_compare: Any, desk_app: Any, size: tuple[int, int]) -> None:
    assert snap_compare(desk_app, terminal_size=size, run_before=keys("n", "a"))


@SIZES
def test_the_queue_view(snap_compare: Any, desk_app: Any, size: tuple[int, int]) -> None:
    assert snap_compare(desk_app, terminal_size=size, run_before=keys("q"))


@SIZES
def test_help(snap_compare: Any, desk_app: Any, size: tuple[int, int]) -> None:
    assert snap_compare(desk_app, terminal_size=size, run_before=keys("n", "question_mark"))


@SIZES
def test_fixing_the_lead(snap_compare: Any, desk_app: Any, size: tuple[int, int]) -> None:
    assert snap_compare(desk_app, terminal_size=size, run_before=keys("n", "f"))


@SIZES
def test_the_answer_to_a_criterion(snap_compare: Any, desk_app: Any, size: tuple[int, int]) -> None:
    assert snap_compare(desk_app, terminal_size=size, run_before=keys("n", "6", "r"))


@SIZES
def test_the_empty_desk(snap_compare: Any, desk_app: Any, size: tuple[int, int]) -> None:
    assert snap_compare(desk_app, terminal_size=size, run_before=keys())


@pytest.fixture
def team_app(desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A team lead's desk with three leads; the export offers its file in a fixed folder."""
    add_rep(desk, "lee", "Lee Morgan", "lead", "America/New_York")
    path = tmp_path / "leads.csv"
    path.write_text(LEADS, encoding="utf-8")
    import_file(desk, path, ImportOptions(imported_by="ops"))
    monkeypatch.chdir("/")
    return create_app(desk, rep="lee")


def export_dialog(*pressed: str) -> Callable[[Any], Awaitable[None]]:
    """The export dialog over the team lead's desk (the team view behind it has its own looks)."""

    async def run_before(pilot: Any) -> None:
        from qualdesk.services.reps import find_rep
        from qualdesk.tui.screens.export import ExportDialog

        await settle(pilot)
        app = pilot.app
        app.push_screen(ExportDialog(app.desk, find_rep(app.desk, "lee")))
        await keys(*pressed)(pilot)

    return run_before


@SIZES
def test_the_export_dialog(snap_compare: Any, team_app: Any, size: tuple[int, int]) -> None:
    # Nurture chosen: the file name follows.
    assert snap_compare(team_app, terminal_size=size, run_before=export_dialog("down", "space"))
