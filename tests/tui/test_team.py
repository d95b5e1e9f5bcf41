"""The team view driven with Pilot: figures, export to sales and review of rejections."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select
from textual.widgets import DataTable, Input, ProgressBar

from qualdesk.db.models import NurtureHandOff, Review
from qualdesk.services.access import Actor
from qualdesk.services.calling.calls import end_call, set_criterion
from qualdesk.services.calling.queue import claim_lead, claim_next
from qualdesk.services.desk import Desk
from qualdesk.services.handoff.export import export_leads
from qualdesk.services.handoff.feedback import read_feedback
from qualdesk.services.intake.importer import ImportOptions, import_file
from qualdesk.services.reps import add_rep, find_rep
from qualdesk.tui.app import QualdeskApp, create_app
from qualdesk.tui.screens.desk import DeskScreen
from qualdesk.tui.screens.export import ExportDialog
from qualdesk.tui.screens.forms import AskDialog
from qualdesk.tui.screens.review import ReviewScreen
from qualdesk.tui.screens.team import TeamScreen
from tests.conftest import FrozenClock
from tests.tui.conftest import SMALL, lead, settle, text_of

SIZE = (120, 40)
LEADS = """Name,Company,Title,Phone
Bob Stone,Acme,Owner,+1 212 555 0101
Grace Hopper,Navy,Admiral,+1 212 555 0102
Ada Lovelace,Analytical,,+44 20 7946 0958
"""
QUALIFYING = ("vertical", "pains", "budget", "urgency")  # 4 established, "pains" required


@pytest.fixture
def staffed(desk: Desk, tmp_path: Path) -> Desk:
    add_rep(desk, "ana", "Ana Reyes", "rep", "America/New_York")
    add_rep(desk, "ben", "Ben Okafor", "rep", "Europe/London")
    add_rep(desk, "lee", "Lee Morgan", "lead", "America/New_York")
    path = tmp_path / "leads.csv"
    path.write_text(LEADS, encoding="utf-8")
    import_file(desk, path, ImportOptions(imported_by="ops"))
    return desk


def call(desk: Desk, clock: FrozenClock, handle: str, qualify: bool = False) -> int:
    """One call through the services: a no answer, or a connected call that qualifies."""
    rep = find_rep(desk, handle)
    claim = claim_next(desk, rep)
    assert claim is not None
    if qualify:
        for key in QUALIFYING:
            set_criterion(desk, claim, key, True, note=f"{key} noted")
    end_call(desk, claim, "connected" if qualify else "no_answer", notes="called")
    clock.now += timedelta(minutes=5)
    lead_id: int = claim.lead_id
    return lead_id


def table_rows(app: QualdeskApp, selector: str) -> list[list[str]]:
    table = app.screen.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


def reviews(desk: Desk) -> list[Review]:
    with desk.db.reading() as session:
        return list(session.scalars(select(Review)))


async def open_team(app: QualdeskApp, pilot: object) -> None:
    await pilot.press("ctrl+t")  # type: ignore[attr-defined]
    await settle(pilot)
    assert isinstance(app.screen, TeamScreen)


async def test_a_rep_without_the_lead_role_stays_on_the_desk(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        assert not any(isinstance(screen, TeamScreen) for screen in app.screen_stack)
        said = [n.message for n in app._notifications]
        assert said == ["The team view is for team leads; ana is a rep."]


async def test_a_team_lead_sees_per_rep_figures_for_each_period(
    staffed: Desk, clock: FrozenClock
) -> None:
    call(staffed, clock, "ana")
    call(staffed, clock, "ana")
    call(staffed, clock, "ben", qualify=True)
    clock.now += timedelta(days=1)  # Tue 24 Nov: the calls were yesterday, this week
    app = create_app(staffed, rep="lee")
    async with app.run_test(size=SIZE) as pilot:
        await open_team(app, pilot)
        assert "Team figures for today (America/New_York)" in text_of(app, "#team-summary")
        counts = [row[:4] for row in table_rows(app, "#team-reps")]
        assert counts == [["ana", "0", "0", "0"], ["ben", "0", "0", "0"], ["lee", "0", "0", "0"]]
        figures = text_of(app, "#team-desk")
        assert "Queue now  2 due · 2 callable now" in figures
        assert "1 qualified waiting for export (x)" in figures
        await pilot.press("a")
        await settle(pilot)
        assert "for all time" in text_of(app, "#team-summary")
        reps = table_rows(app, "#team-reps")
        assert [r[:5] for r in reps] == [
            ["ana", "2", "2", "0", "0%"],
            ["ben", "1", "1", "1", "100%"],
            ["lee", "0", "0", "0", "-"],
        ]
        assert reps[1][6] == "1"  # ben qualified one lead
        assert "3 arrived → 1 of them qualified (33%)" in text_of(app, "#team-desk")
        await pilot.press("w")
        await settle(pilot)
        assert "for this week" in text_of(app, "#team-summary")
        assert [r[1] for r in table_rows(app, "#team-reps")] == ["2", "1", "0"]


async def test_export_from_the_team_view_hands_the_lead_off(
    staffed: Desk, clock: FrozenClock, tmp_path: Path
) -> None:
    lead_id = call(staffed, clock, "ana", qualify=True)
    assert lead(staffed, lead_id).stage == "sales"
    out = tmp_path / "handoff.csv"
    app = create_app(staffed, rep="lee")
    async with app.run_test(size=SIZE) as pilot:
        await open_team(app, pilot)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)
        assert "1 qualified lead waits to be handed off." in text_of(app, "#export-waiting")
        app.screen.query_one("#export-path", Input).value = str(out)
        # The dialog opens on where the leads go (sales); Tab, an arrow and Space
        # choose the Salesforce layout.
        await pilot.press("tab", "down", "space")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "Handed off 1 lead as batch 1 (salesforce csv)" in text_of(app, "#export-result")
        assert str(out) in text_of(app, "#export-result")
        written = out.read_text(encoding="utf-8")
        assert written.startswith("Qualdesk Lead ID,") and f"\n{lead_id}," in written
        assert lead(staffed, lead_id).stage == "handed_off"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TeamScreen)
        assert "0 qualified waiting for export" in text_of(app, "#team-desk")


async def test_rejections_are_ruled_on_with_a_note(
    staffed: Desk, clock: FrozenClock, tmp_path: Path
) -> None:
    first = call(staffed, clock, "ana", qualify=True)
    second = call(staffed, clock, "ana", qualify=True)
    export_leads(staffed, out=tmp_path / "handoff.csv", by=Actor("lee", "lead"))
    verdicts = tmp_path / "verdicts.csv"
    verdicts.write_text(
        f"Lead ID,Verdict,Reason\n{first},rejected,no budget\n{second},rejected,wrong person\n",
        encoding="utf-8",
    )
    assert read_feedback(staffed, verdicts, by=Actor("lee", "lead")).rejected == 2
    app = create_app(staffed, rep="lee")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_team(app, pilot)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        listed = table_rows(app, "#review-list")
        assert [(r[0], r[5], r[6]) for r in listed] == [
            (str(first), "no budget", "to review"),
            (str(second), "wrong person", "to review"),
        ]
        card = text_of(app, "#review-card")
        assert f"#{first}" in card and "Sales rejected it" in card and "no budget" in card
        assert "At hand-off (batch 1" in card and "4 of 10 established" in card

        await pilot.press("v")  # valid, then Esc: nothing written
        await settle(pilot)
        assert isinstance(app.screen, AskDialog)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("v", "enter")  # an empty note: the dialog stays, nothing written
        await settle(pilot)
        assert isinstance(app.screen, AskDialog)
        assert "A ruling needs a note" in text_of(app, "#ask-problem")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert reviews(staffed) == [] and lead(staffed, first).stage == "rejected"

        await pilot.press("i")
        await settle(pilot)
        await pilot.press(*"had budget", "enter")
        await settle(pilot)
        assert lead(staffed, first).stage == "sales"
        assert [(r.lead_id, r.valid, r.note) for r in reviews(staffed)] == [
            (first, False, "had budget")
        ]
        assert [r[0] for r in table_rows(app, "#review-list")] == [str(second)]
        assert "wrong person" in text_of(app, "#review-card")

        await pilot.press("v")
        await settle(pilot)
        await pilot.press(*"fair", "enter")
        await settle(pilot)
        nurtured = lead(staffed, second)
        assert nurtured.stage == "nurture"
        assert nurtured.next_due_at == clock() + timedelta(days=30)  # grade B: 30 days
        assert table_rows(app, "#review-list") == []
        assert "Nothing to review here." in text_of(app, "#review-card")
        assert "0 to rule on" in text_of(app, "#review-summary")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TeamScreen)
        assert "2 reviewed, 1 rejection found valid (50%)" in text_of(app, "#team-desk")


async def test_periods_chosen_in_a_row_show_the_last_one(staffed: Desk, clock: FrozenClock) -> None:
    call(staffed, clock, "ana")
    clock.now += timedelta(days=40)  # the call was last month
    app = create_app(staffed, rep="lee")
    async with app.run_test(size=SIZE) as pilot:
        await open_team(app, pilot)
        await pilot.press("d", "w", "m", "a")
        await settle(pilot)
        summary = text_of(app, "#team-summary")
        assert "for all time" in summary and "counting" not in summary
        assert table_rows(app, "#team-reps")[0][:2] == ["ana", "1"]
        await pilot.press("a", "m", "w", "d")
        await settle(pilot)
        assert "for today" in text_of(app, "#team-summary")
        assert table_rows(app, "#team-reps")[0][:2] == ["ana", "0"]
        # Typed days: a mistake is said in the dialog, which stays open.
        await pilot.press("r")
        await settle(pilot)
        app.screen.query_one("#ask-text", Input).value = "banana to today"
        await pilot.press("enter")
        await settle(pilot)
        assert "from 'banana': not a date" in text_of(app, "#ask-problem")
        app.screen.query_one("#ask-text", Input).value = "2026-10-01 to 2026-12-31"
        await pilot.press("enter")
        await settle(pilot)
        assert "01 Oct 2026 to 31 Dec 2026" in text_of(app, "#team-summary")
        assert table_rows(app, "#team-reps")[0][:2] == ["ana", "1"]


async def test_a_months_sample_of_rejections(
    staffed: Desk, clock: FrozenClock, tmp_path: Path
) -> None:
    leads = [call(staffed, clock, "ana", qualify=True) for _ in range(3)]
    export_leads(staffed, out=tmp_path / "handoff.csv", by=Actor("lee", "lead"))
    verdicts = tmp_path / "verdicts.csv"
    verdicts.write_text(
        "Lead ID,Verdict,Reason,Date\n"
        + "".join(f"{n},rejected,no budget,2026-11-23\n" for n in leads),
        encoding="utf-8",
    )
    assert read_feedback(staffed, verdicts, by=Actor("lee", "lead")).rejected == 3
    app = create_app(staffed, rep="lee")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_team(app, pilot)
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert app.screen.query_one("#ask-text", Input).value == "2026-11 20"
        app.screen.query_one("#ask-text", Input).value = "2026-11 2"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert "a sample of 2 from November 2026: 2 shown" in text_of(app, "#review-summary")
        sampled = {int(row[0]) for row in table_rows(app, "#review-list")}
        assert len(sampled) == 2 and sampled <= set(leads)
        await pilot.press("s")
        await settle(pilot)
        app.screen.query_one("#ask-text", Input).value = "2026-11 2"
        await pilot.press("enter")
        await settle(pilot)
        again = {int(row[0]) for row in table_rows(app, "#review-list")}
        assert again == sampled  # the month is the seed: the same draw every time
        await pilot.press("s")
        await settle(pilot)
        app.screen.query_one("#ask-text", Input).value = "2026-11 -3"
        await pilot.press("enter")
        await settle(pilot)
        assert "Choose 1 to 1000" in text_of(app, "#ask-problem")
        app.screen.query_one("#ask-text", Input).value = "2026-10"
        await pilot.press("enter")
        await settle(pilot)
        assert "Nothing to review here." in text_of(app, "#review-card")
        assert "a sample of 20 from October 2026" in text_of(app, "#review-summary")


async def test_the_team_view_and_the_review_fit_80_columns(
    staffed: Desk, clock: FrozenClock, tmp_path: Path
) -> None:
    from tests.tui.conftest import SMALL

    first = call(staffed, clock, "ana", qualify=True)
    call(staffed, clock, "ben", qualify=True)
    call(staffed, clock, "ben")
    export_leads(staffed, out=tmp_path / "handoff.csv", by=Actor("lee", "lead"))
    verdicts = tmp_path / "verdicts.csv"
    reason = (
        "not the decision maker; the CFO signs off anything over 10k and she was not on the call"
    )
    verdicts.write_text(f"Lead ID,Verdict,Reason\n{first},rejected,{reason}\n", encoding="utf-8")
    assert read_feedback(staffed, verdicts, by=Actor("lee", "lead")).rejected == 1
    app = create_app(staffed, rep="lee")
    async with app.run_test(size=SMALL) as pilot:
        await open_team(app, pilot)
        await pilot.press("a")
        await settle(pilot)
        reps = app.screen.query_one("#team-reps", DataTable)
        assert [str(c.label) for c in reps.columns.values()] == [
            "Rep", "Touches", "Calls", "Connects", "Rate", "Other", "Qualified", "Nurtured", "Out",
        ]  # fmt: skip
        assert reps.virtual_size.width <= 80  # the main figures, without scrolling sideways
        assert table_rows(app, "#team-reps")[1][:2] == ["ben", "2"]
        campaigns = app.screen.query_one("#team-campaigns", DataTable)
        assert campaigns.virtual_size.width <= 80
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        listed = app.screen.query_one("#review-list", DataTable)
        assert listed.virtual_size.width <= 80
        row = table_rows(app, "#review-list")[0]
        assert (
            row[0] == str(first)
            and row[3].startswith("not the decision maker")
            and row[3].endswith("…")
        )
        assert row[4] == "to review"


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
async def test_sales_side_of_the_agreement_in_the_team_view(
    staffed: Desk, clock: FrozenClock, tmp_path: Path, size: tuple[int, int]
) -> None:
    """Leads waiting for sales and past their days; `t` goes through the tables under them."""
    first = call(staffed, clock, "ben", qualify=True)
    call(staffed, clock, "ana", qualify=True)
    export_leads(staffed, out=tmp_path / "handoff.csv", by=Actor("lee", "lead"))
    verdicts = tmp_path / "verdicts.csv"
    verdicts.write_text(f"Lead ID,Status\n{first},accepted\n", encoding="utf-8")
    read_feedback(staffed, verdicts, zone_name="America/New_York", by=Actor("lee", "lead"))
    clock.now += timedelta(days=8)  # Tue 1 Dec: six working days since the hand-off
    app = create_app(staffed, rep="lee")
    async with app.run_test(size=size) as pilot:
        await open_team(app, pilot)
        await pilot.press("a")
        await settle(pilot)
        figures = text_of(app, "#team-desk")
        if size == (120, 40):
            assert "Sales' verdicts  1 waiting (0-1 d 0 · 2-3 d 0 · 4-5 d 0) · " in figures
            assert "1 past 5 working days (t: by batch)" in figures
            assert "Outcomes  1 accepted → 0 opportunities" in figures
        else:
            assert "Sales  1 waiting · 1 past 5 working days" in figures
        assert "Campaigns" in text_of(app, "#team-table-title")
        shown = []
        for _ in range(5):
            await pilot.press("t")
            await settle(pilot)
            shown.append((text_of(app, "#team-table-title").split()[0],
                          table_rows(app, "#team-campaigns")))  # fmt: skip
        titles = [title for title, _ in shown]
        assert titles == ["Sources", "Qualified", "Follow-up", "Waiting", "Campaigns"]
        qualified_by = {row[0]: row[1:3] for row in shown[1][1]}
        assert qualified_by == {"ana": ["1", "0"], "ben": ["1", "1"]}
        # Both called leads left the queue after a conversation: on target, for their callers.
        follow_up = {row[0]: row[1:] for row in shown[2][1]}
        assert follow_up == {
            "ana": ["1", "0", "0", "0"], "ben": ["1", "0", "0", "0"], "lee": ["0", "0", "0", "0"]
        }  # fmt: skip
        if size == (120, 40):
            assert "Follow-up  2 on target · 1 under target (0 behind) · 0 closed under" in figures
        else:
            assert "Follow-up  2 on target · 1 under (0 behind) · 0 closed under" in figures
        waiting = shown[3][1]
        assert [row[:3] for row in waiting] == [
            ["export batch 1 (2026-11-23)", "1", "1"], ["campaign (none)", "1", "1"]
        ]  # fmt: skip
        assert waiting[0][3] == "6"


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
async def test_export_to_nurture_hands_marketing_the_leads_and_leaves_them_on_the_desk(
    staffed: Desk, clock: FrozenClock, tmp_path: Path, size: tuple[int, int]
) -> None:
    ana = find_rep(staffed, "ana")
    for lead_id, disposition in ((1, "not_interested"), (2, "wrong_number")):
        end_call(staffed, claim_lead(staffed, ana, lead_id), disposition, notes="called")
        clock.now += timedelta(minutes=5)
    due = lead(staffed, 1).next_due_at
    assert lead(staffed, 1).stage == "nurture" and due is not None
    app = create_app(staffed, rep="lee")
    async with app.run_test(size=size) as pilot:
        await open_team(app, pilot)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)
        waiting = text_of(app, "#export-waiting")
        assert "No qualified leads are waiting to be handed off." in waiting
        assert (
            "1 nurtured lead waits to go back to marketing; 1 disqualified with nurture + out."
            in waiting
        )
        # The destination first: an arrow and Space choose nurture; the file name follows.
        await pilot.press("down", "space")
        await settle(pilot)
        path = app.screen.query_one("#export-path", Input)
        assert Path(path.value).name.startswith("qualdesk-nurture-20261123-")
        out = tmp_path / "nurture.csv"
        path.value = str(out)
        await pilot.press("enter")
        await settle(pilot)
        said = text_of(app, "#export-result")
        assert "Handed 1 lead back to marketing as batch 1 (plain csv)" in said
        assert str(out) in said
        bar = app.screen.query_one("#export-progress", ProgressBar)
        assert (bar.progress, bar.total) == (1, 1) and bar.display
        # Every line of the dialog is on the screen, the keys too.
        dialog = app.screen.query_one("#export")
        assert dialog.max_scroll_y == 0
        assert app.screen.query_one("#export-keys").region.bottom <= size[1]
        rows = out.read_text(encoding="utf-8").splitlines()
        assert rows[1].startswith("1,") and ",nurture," in rows[1]
        assert (
            "No nurtured leads wait to go back to marketing; 1 disqualified with nurture + out."
            in (text_of(app, "#export-waiting"))
        )
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TeamScreen)
        # Again, with the disqualified: only the one not yet handed back goes.
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("down", "down", "space")
        await settle(pilot)
        app.screen.query_one("#export-path", Input).value = str(tmp_path / "out.csv")
        await pilot.press("enter")
        await settle(pilot)
        said = text_of(app, "#export-result")
        assert "Handed 1 lead back to marketing as batch 2 (plain csv), 1 out" in said
    # The leads are where they were: in nurture until their recycle date, and out.
    assert (lead(staffed, 1).stage, lead(staffed, 1).next_due_at) == ("nurture", due)
    assert lead(staffed, 2).stage == "disqualified"
    with staffed.db.reading() as session:
        sent = session.scalars(select(NurtureHandOff).order_by(col(NurtureHandOff.id))).all()
    assert [(s.batch_id, s.lead_id, s.stage) for s in sent] == [
        (1, 1, "nurture"),
        (2, 2, "disqualified"),
    ]
