"""Keys typed ahead land where they would have landed typed slowly.

Each flow runs twice on two identical desks: once a key at a time, waiting
for the desk to settle after each, and once as a burst, every key posted at
once with no pause (faster than any typist). The two must leave the same
database and the same screen, and each flow also checks what it should have
done, so two runs that went wrong the same way do not pass.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select
from textual.widgets import Input

from qualdesk.db.models import (
    ChecklistAnswer,
    Lead,
    LeadChange,
    NoteDraft,
    RoutingDecision,
    Touch,
)
from qualdesk.services.desk import Desk, open_desk
from qualdesk.services.intake.importer import ImportOptions, import_file
from qualdesk.services.locations import DeskPreferences
from qualdesk.services.reps import add_rep
from qualdesk.tui.app import QualdeskApp, create_app
from qualdesk.tui.screens.desk import DeskScreen
from qualdesk.tui.widgets import notes
from tests.conftest import FrozenClock
from tests.tui.conftest import SIZE, burst, settle

LEADS = """Name,Company,Title,Phone
Bob Stone,Acme,Owner,+1 212 555 0101
Grace Hopper,Navy,Admiral,+1 212 555 0102
Ada Lovelace,Analytical,,+44 20 7946 0958
Umberto Eco,Umbrella Ltd,,+39 06 4991 0000
"""
MakeDesk = Callable[[str], Desk]


@pytest.fixture(autouse=True)
def no_timed_drafts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Drafts kept on a pause in typing depend on the clock: a slow machine keeps one
    mid-flow where a fast one does not. Here only the drafts a closed card keeps count;
    the timed ones are tested in test_desk.py."""
    monkeypatch.setattr(notes, "DRAFT_PAUSE", 3600.0)
    monkeypatch.setattr(notes, "DRAFT_EVERY", 3600.0)


@pytest.fixture
def make_desk(tmp_path: Path) -> Any:
    """Identical staffed desks, each in its own folder, each with its own frozen clock."""
    opened: list[Desk] = []

    def make(name: str) -> Desk:
        folder = tmp_path / name
        folder.mkdir()
        desk = open_desk(folder / "desk.db", clock=FrozenClock())
        opened.append(desk)
        add_rep(desk, "ana", "Ana Reyes", "rep", "America/New_York")
        path = folder / "leads.csv"
        path.write_text(LEADS, encoding="utf-8")
        import_file(desk, path, ImportOptions(imported_by="ops"))
        return desk

    yield make
    for desk in opened:
        desk.close()


def fingerprint(desk: Desk, app: QualdeskApp) -> dict[str, Any]:
    """What the keys left behind: every row they wrote, and what the screen shows."""
    with desk.db.reading() as session:
        found = {
            "touches": session.execute(
                select(Touch.lead_id, Touch.channel, Touch.disposition, Touch.notes).order_by(
                    col(Touch.id)
                )
            ).all(),
            "answers": session.execute(
                select(
                    ChecklistAnswer.lead_id,
                    ChecklistAnswer.criterion,
                    ChecklistAnswer.established,
                    ChecklistAnswer.note,
                ).order_by(col(ChecklistAnswer.id))
            ).all(),
            "decisions": session.execute(
                select(
                    RoutingDecision.lead_id,
                    RoutingDecision.route,
                    RoutingDecision.overridden,
                    RoutingDecision.reason,
                ).order_by(col(RoutingDecision.id))
            ).all(),
            "leads": session.execute(
                select(
                    Lead.id, Lead.stage, Lead.attempts, Lead.claimed_by, Lead.callback_at
                ).order_by(col(Lead.id))
            ).all(),
            "drafts": session.execute(select(NoteDraft.lead_id, NoteDraft.text)).all(),
            "changes": session.execute(
                select(LeadChange.lead_id, LeadChange.field, LeadChange.new).order_by(
                    col(LeadChange.id)
                )
            ).all(),
            "dialled": session.execute(
                select(Touch.lead_id, Touch.phone).order_by(col(Touch.id))
            ).all(),
        }
    screen = app.screen
    found["screen"] = type(screen).__name__
    if isinstance(screen, DeskScreen):
        found["card"] = screen.claim.lead_id if screen.claim else None
        found["notes"] = screen.query_one("#desk-notes").text  # type: ignore[attr-defined]
        found["ticked"] = (
            [c.key for c in screen.card.checklist if c.established] if screen.card else []
        )
    else:
        found["inputs"] = [box.value for box in screen.query(Input)]
    return found


async def typed(
    desk: Desk, keys: list[str], *, fast: bool, preferences: DeskPreferences | None = None
) -> dict[str, Any]:
    app = create_app(desk, rep="ana", preferences=preferences)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if fast:
            burst(app, *keys)
        else:
            for key in keys:
                await pilot.press(key)
                await settle(pilot)
        await settle(pilot)
        return fingerprint(desk, app)


async def both_ways(
    make_desk: MakeDesk, keys: list[str], preferences: DeskPreferences | None = None
) -> dict[str, Any]:
    """The keys typed slowly and in a burst, on identical desks: the results must agree."""
    slowly = await typed(make_desk("slow"), keys, fast=False, preferences=preferences)
    at_once = await typed(make_desk("burst"), keys, fast=True, preferences=preferences)
    assert at_once == slowly
    return slowly


def answers(result: dict[str, Any]) -> dict[str, str]:
    """The established criteria of the first lead, with their answers, as they stand."""
    standing: dict[str, tuple[bool, str]] = {}
    for lead_id, criterion, established, note in result["answers"]:
        if lead_id == 1:
            standing[criterion] = (established, note)
    return {key: note for key, (established, note) in standing.items() if established}


async def test_a_connected_call_qualifies_in_seven_keys(make_desk: MakeDesk) -> None:
    result = await both_ways(make_desk, ["n", "c", "1", "3", "6", "8", "e", "enter"])
    assert answers(result) == {"vertical": "", "decision_makers": "", "pains": "", "budget": ""}
    assert result["decisions"] == [(1, "sales", False, result["decisions"][0][3])]
    assert result["touches"][0][:3] == (1, "phone", "connected")
    assert result["screen"] == "DeskScreen" and result["card"] == 2  # the next card is up


async def test_ticks_and_unticks_in_a_burst_end_as_typed(make_desk: MakeDesk) -> None:
    result = await both_ways(make_desk, ["n", "1", "1", "3", "2", "2", "2"])
    assert result["ticked"] == ["firmographics", "decision_makers"]
    assert answers(result) == {"firmographics": "", "decision_makers": ""}


async def test_answers_typed_ahead_go_to_their_criteria(make_desk: MakeDesk) -> None:
    keys = ["n", "c", "6", "r", *"invoicing costs", "enter", "1", "r", *"SIC 5411", "enter"]
    keys += ["r", "up", "up", *"Acme: SAP", "enter", "e", "enter"]
    result = await both_ways(make_desk, keys)
    assert answers(result) == {
        "pains": "invoicing costs",
        "vertical": "SIC 5411",
    }
    standing = {(c, n) for lead_id, c, e, n in result["answers"] if lead_id == 1 and not e}
    assert ("competition", "Acme: SAP") in standing  # noted, not ticked (up from vertical)
    assert result["decisions"][0][1] == "nurture"


async def test_each_tick_asks_for_its_answer_when_the_rep_wants_it(make_desk: MakeDesk) -> None:
    # The keys a rep types when every tick opens the answer box: 1 Esc 3 Esc 8 Esc, with answers.
    keys = ["n", "1", *"Retail", "enter", "3", "escape", "8", *"Q3 budget", "enter", "escape"]
    result = await both_ways(make_desk, keys, DeskPreferences(ask_answer_on_tick=True))
    assert answers(result) == {
        "vertical": "Retail",
        "decision_makers": "",
        "budget": "Q3 budget",
    }
    assert result["screen"] == "DeskScreen" and result["card"] == 1


async def test_another_route_with_its_reason(make_desk: MakeDesk) -> None:
    keys = ["n", "c", "e", "s", *"DM with a real problem", "enter", "a", "enter"]
    result = await both_ways(make_desk, keys)
    assert result["decisions"][0] == (1, "sales", True, "DM with a real problem")
    assert result["decisions"][1][:2] == (2, "working")  # the no-answer landed on the next card


async def test_a_callback_typed_ahead(make_desk: MakeDesk) -> None:
    keys = ["n", "k", *"tomorrow 3pm", "enter", "enter", "b", "enter"]
    result = await both_ways(make_desk, keys)
    assert result["leads"][0][1] == "working" and result["leads"][0][4] is not None
    assert result["touches"][1][:3] == (2, "phone", "busy")


async def test_a_touch_and_notes_then_no_answer(make_desk: MakeDesk) -> None:
    keys = ["n", "t", *"Sent the guide", "enter", "i", *"Asked for pricing", "escape", "a"]
    keys += ["enter"]
    result = await both_ways(make_desk, keys)
    assert result["touches"][0] == (1, "email", None, "Sent the guide")
    assert result["touches"][1] == (1, "phone", "no_answer", "Asked for pricing")
    assert result["notes"] == ""  # the next card's notes start empty


async def test_escape_then_a_digit_leaves_the_notes_and_ticks(make_desk: MakeDesk) -> None:
    result = await both_ways(make_desk, ["n", "i", *"ok", "escape", "8", "escape", "9"])
    assert result["notes"] == "ok"
    assert result["ticked"] == ["budget", "competition"]


async def test_search_typed_with_backspaces_finds_what_was_left(make_desk: MakeDesk) -> None:
    keys = ["slash", *"umbrella", *["backspace"] * 8, *"Ada", "enter"]
    result = await both_ways(make_desk, keys)
    assert result["screen"] == "DeskScreen" and result["card"] == 3


async def test_the_inbound_caller_found_with_a_card_open(make_desk: MakeDesk) -> None:
    keys = ["n", "i", *"half a thought", "escape", "slash", *"Grace", "enter"]
    keys += ["i", *"called in", "escape", "escape"]
    result = await both_ways(make_desk, keys)
    assert result["touches"] == []
    assert sorted(result["drafts"]) == [(1, "half a thought"), (2, "called in")]
    assert all(claimed is None for _, _, _, claimed, _ in result["leads"])
    assert result["screen"] == "DeskScreen" and result["card"] is None


async def test_a_lead_fixed_at_speed_then_called_on_its_new_number(make_desk: MakeDesk) -> None:
    keys = ["n", "f", "down", "down", "down", *"bob@acme.example", "down", "down", "down"]
    keys += [*"+44 20 7946 0000", "enter", "a", "enter"]
    result = await both_ways(make_desk, keys)
    assert result["changes"] == [
        (1, "email", "bob@acme.example"),
        (1, "alt_phone", "+44 20 7946 0000"),
    ]
    assert result["dialled"] == [(1, "+442079460000")]
    assert result["screen"] == "DeskScreen" and result["card"] == 2


async def test_a_callback_at_the_suggested_time_in_three_keys(make_desk: MakeDesk) -> None:
    result = await both_ways(make_desk, ["n", "k", "enter", "enter", "b", "enter"])
    callback_at = result["leads"][0][4]
    assert callback_at is not None and f"{callback_at:%H:%M}" == "16:00"  # 11:00 in New York
    assert result["touches"][0][:3] == (1, "phone", "callback")
    assert result["touches"][1][:3] == (2, "phone", "busy")
