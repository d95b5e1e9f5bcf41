"""The live floor driven with Pilot: a rep's desk beats, a team lead watches, releases, hands over."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select
from textual.widgets import DataTable

from qualdesk.db.models import LeadChange
from qualdesk.services.calling.calls import end_call
from qualdesk.services.calling.drafts import load_draft, save_draft
from qualdesk.services.calling.queue import claim_next
from qualdesk.services.desk import Desk
from qualdesk.services.floor import open_session
from qualdesk.services.intake.importer import ImportOptions, import_file
from qualdesk.services.reps import add_rep, find_rep
from qualdesk.tui.app import QualdeskApp, create_app
from qualdesk.tui.floorbeat import FloorBeat
from qualdesk.tui.screens.desk import DeskScreen
from qualdesk.tui.screens.floor import FloorView, RepPicker
from qualdesk.tui.screens.forms import ConfirmDialog
from qualdesk.tui.screens.team import TeamScreen
from tests.conftest import FrozenClock
from tests.tui.conftest import SIZE, SMALL, lead, settle, text_of

LEADS = """Name,Company,Title,Phone
Bob Stone,Acme,Owner,+1 212 555 0101
Grace Hopper,Navy,Admiral,+1 212 555 0102
"""


@pytest.fixture
def staffed(desk: Desk, tmp_path: Path) -> Desk:
    add_rep(desk, "ana", "Ana Reyes", "rep", "America/New_York")
    add_rep(desk, "ben", "Ben Okafor", "rep", "Europe/London")
    add_rep(desk, "lee", "Lee Morgan", "lead", "America/New_York")
    path = tmp_path / "leads.csv"
    path.write_text(LEADS, encoding="utf-8")
    import_file(desk, path, ImportOptions(imported_by="ops"))
    return desk


def beat_of(app: QualdeskApp) -> FloorBeat:
    """The desk's floor beat: the one the app started at sign-in, else one started here."""
    beat = getattr(app, "floor_beat", None)
    if not isinstance(beat, FloorBeat):
        assert app.rep is not None
        beat = FloorBeat(app.desk, app.rep, place=f"test desk {id(app)}")
        beat.start(app)
    return beat


async def beat(app: QualdeskApp, pilot: Any) -> None:
    """One beat now (not on the timer: no test waits for time to pass)."""
    beat_of(app).beat_now()
    await settle(pilot)


async def open_floor(app: QualdeskApp, pilot: Any) -> FloorView:
    await pilot.press("ctrl+t")
    await settle(pilot)
    assert isinstance(app.screen, TeamScreen)
    await pilot.press("f")
    await settle(pilot)
    return app.screen.query_one(FloorView)


def floor_rows(app: QualdeskApp) -> list[list[str]]:
    table = app.screen.query_one("#floor-reps", DataTable)
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


async def reread(app: QualdeskApp, pilot: Any) -> None:
    app.screen.query_one(FloorView).read()
    await settle(pilot)


async def test_a_rep_at_a_desk_shows_on_the_team_leads_floor(
    staffed: Desk, clock: FrozenClock
) -> None:
    ana_app, lee_app = create_app(staffed, rep="ana"), create_app(staffed, rep="lee")
    async with ana_app.run_test(size=SIZE) as ana:
        await ana.press("n")
        await settle(ana)
        await ana.press("c")  # connected: on a call
        await settle(ana)
        await beat(ana_app, ana)
        clock.now += timedelta(seconds=8)
        async with lee_app.run_test(size=SIZE) as pilot:
            await open_floor(lee_app, pilot)
            await beat(lee_app, pilot)
            await reread(lee_app, pilot)
            rows = floor_rows(lee_app)
            assert [row[:2] for row in rows] == [["●", "ana"], ["●", "lee (lead)"]]
            assert rows[0][3:8] == ["#1 (8s) Bob Stone, Acme", "on a call", "8s", "8s", "0"]
            assert rows[1][4] == "in the team view"
            title = str(lee_app.screen.query_one("#floor-title").render())
            assert "2 at a desk · 1 lead held" in title
            # ana's desk stops beating (its process died): a minute on, she is gone.
            clock.now += timedelta(minutes=1)
            await reread(lee_app, pilot)
            ana_row = floor_rows(lee_app)[0]
            assert ana_row[0] == "○" and ana_row[4] == "gone (was on a call)"
            assert ana_row[3] == "#1 (1m08) Bob Stone, Acme"
            # Back to the figures and to the floor again.
            await pilot.press("f")
            await settle(pilot)
            assert not lee_app.screen.query_one(FloorView).display


async def test_release_from_the_floor_puts_the_lead_back_and_the_draft_stays(
    staffed: Desk, clock: FrozenClock
) -> None:
    ana_app, lee_app = create_app(staffed, rep="ana"), create_app(staffed, rep="lee")
    async with ana_app.run_test(size=SIZE, notifications=True) as ana:
        await ana.press("n")
        await settle(ana)
        desk_screen = ana_app.screen
        assert isinstance(desk_screen, DeskScreen) and desk_screen.claim is not None
        claim = desk_screen.claim
        # What ana typed is kept as her draft as she types.
        assert save_draft(staffed, claim, "wants a demo in March")
        await beat(ana_app, ana)
        async with lee_app.run_test(size=SIZE, notifications=True) as pilot:
            floor = await open_floor(lee_app, pilot)
            selected = floor.selected()
            assert selected is not None and selected.handle == "ana"
            await pilot.press("r")
            await settle(pilot)
            assert isinstance(lee_app.screen, ConfirmDialog)
            asked = str(lee_app.screen.query_one("Static").render())
            assert "Release #1 Bob Stone, Acme held by ana (Ana Reyes)?" in asked
            assert "the notes ana typed stay as their draft" in asked
            await pilot.press("enter")
            await settle(pilot)
            assert lead(staffed, claim.lead_id).claimed_by is None
            said = [n.message for n in lee_app._notifications]
            assert said[-1].startswith("Released lead #1 from ana: it is back in the queue")
            assert floor_rows(lee_app)[0][3] == ""  # ana holds nothing now
        # ana's desk hears at its next beat and closes the card, saying who and why.
        await beat(ana_app, ana)
        await settle(ana)
        assert desk_screen.card is None
        lost = [n.message for n in ana_app._notifications if "no longer hold" in n.message]
        assert lost and "lee released it from the live floor" in lost[-1]
    draft = load_draft(staffed, claim.lead_id, claim.rep_id)
    assert draft is not None and draft.text == "wants a demo in March"
    with staffed.db.reading() as session:
        (change,) = session.scalars(select(LeadChange).where(col(LeadChange.field) == "held_by"))
    assert (change.old, change.changed_by) == ("ana", "lee")
    # Back in the queue at once: the next rep to ask gets it.
    again = claim_next(staffed, find_rep(staffed, "ben"))
    assert again is not None and again.lead_id == claim.lead_id


async def test_a_reps_callbacks_are_handed_to_a_rep_picked_from_the_list(
    staffed: Desk, clock: FrozenClock
) -> None:
    ana = find_rep(staffed, "ana")
    claim = claim_next(staffed, ana)
    assert claim is not None
    end_call(staffed, claim, "callback", callback_at=clock.now + timedelta(hours=2))
    open_session(staffed, ana, source="browser", place="10.0.0.7")
    app = create_app(staffed, rep="lee")
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await open_floor(app, pilot)
        assert floor_rows(app)[0][1] == "ana" and floor_rows(app)[0][-1] == "1"
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, RepPicker)
        await pilot.press("enter")  # ben, the first active rep besides ana
        await settle(pilot)
        assert lead(staffed, claim.lead_id).owner_id == find_rep(staffed, "ben").id
        assert [n.message for n in app._notifications][-1] == "Handed 1 callback from ana to ben."
        assert floor_rows(app)[0][-1] == "0"
        # Nothing left to hand over: said, and nothing asked.
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, TeamScreen)
        assert [n.message for n in app._notifications][-1] == (
            "ana owns no callbacks to hand over."
        )


@pytest.mark.parametrize("size", [SMALL, SIZE], ids=["80x24", "120x40"])
async def test_the_floor_fits_the_terminal_and_its_keys_are_in_help(
    staffed: Desk, clock: FrozenClock, size: tuple[int, int]
) -> None:
    ana = find_rep(staffed, "ana")
    add_rep(staffed, "maximiliana", "Maximiliana Długosz-Ferreira", "lead", "Europe/Warsaw")
    open_session(staffed, ana, source="terminal", place="a-host-with-a-long-name pid 123456")
    assert claim_next(staffed, ana) is not None
    open_session(staffed, find_rep(staffed, "maximiliana"), source="browser", place="10.0.0.7")
    app = create_app(staffed, rep="lee")
    async with app.run_test(size=size) as pilot:
        await open_floor(app, pilot)
        table = app.screen.query_one("#floor-reps", DataTable)
        assert table.virtual_size.width <= size[0]
        lead_column = 2 if size == SMALL else 3
        assert floor_rows(app)[0][lead_column].startswith("#1 Bob Stone")
        await pilot.press("f1")
        await settle(pilot)
        listed = text_of(app, "#help-keys")
        assert "team.release" in listed and "team.hand-callbacks" in listed
        assert "team.dates" not in listed  # the figures' keys are not the floor's
