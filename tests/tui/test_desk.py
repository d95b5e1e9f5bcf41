"""The call desk driven with Pilot: keys pressed, then the database and the screen checked."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Input, Static, TextArea

from qualdesk.db.models import ChecklistAnswer, DoNotCall, Rep, RoutingDecision, Touch
from qualdesk.services.calling.queue import claim_next
from qualdesk.services.desk import Desk
from qualdesk.services.intake.importer import ImportOptions, import_file
from qualdesk.services.reps import add_rep
from qualdesk.tui.app import create_app
from qualdesk.tui.screens.answer import AnswerDialog
from qualdesk.tui.screens.callback import CallbackDialog
from qualdesk.tui.screens.desk import DeskScreen
from qualdesk.tui.screens.forms import ConfirmDialog, TouchDialog
from qualdesk.tui.screens.help import HelpScreen
from qualdesk.tui.screens.questions import CalledIn
from qualdesk.tui.screens.queue import QueueScreen
from qualdesk.tui.screens.routing import RoutingDialog
from qualdesk.tui.screens.search import SearchScreen
from tests.conftest import FrozenClock
from tests.tui.conftest import SIZE, lead, rows, settle, text_of


async def test_the_desk_opens_empty_and_n_brings_the_first_card(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        assert "Press  n  for the next lead" in text_of(app, "#desk-empty")
        assert "Ana Reyes" in text_of(app, "#desk-rep") and "America/New_York" in text_of(
            app, "#desk-rep"
        )
        await pilot.press("n")
        await settle(pilot)
        title = text_of(app, "#card-title")
        assert title.startswith("Bob [/] [link=x]")  # one file: in file order
        assert "their time Mon 10:00" in text_of(app, "#card-phone")
        assert "✔ callable" in text_of(app, "#card-phone")
        assert lead(staffed, 1).claimed_by is not None


async def test_text_from_leads_is_shown_literally(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"Bob")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        assert text_of(app, "#card-title").startswith("Bob [/] [link=x] · Owner · Acme [b]")
        assert "Notes: Met at [red]booth[/red]" in text_of(app, "#card-extras")


async def test_down_in_search_goes_past_the_first_found_that_enter_opens(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"212 555 010")  # Grace (newest first), then Bob
        await settle(pilot)
        assert "Enter open the first" in text_of(app, "#search-keys")
        await pilot.press("down")
        await settle(pilot)
        assert "↑↓ choose" in text_of(app, "#search-keys")
        await pilot.press("enter")
        await settle(pilot)
        assert text_of(app, "#card-title").startswith("Bob [/] [link=x]")


async def test_ticks_kept_on_a_call_that_was_no_conversation_are_said(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "1", "3", "6", "6", "a")  # 6 ticked and unticked: unchanged
        await settle(pilot)
        assert isinstance(app.screen, RoutingDialog)
        proposal = str(app.screen.query_one("#routing-proposal", Static).render())
        assert "2 checklist answers changed on this call are kept (Esc, then 1-0 to undo)" in (
            proposal
        )
        await pilot.press("escape", "c", "e")  # connected after all: nothing to warn of
        await settle(pilot)
        proposal = str(app.screen.query_one("#routing-proposal", Static).render())
        assert "changed on this call" not in proposal


async def test_no_answer_and_the_next_card_take_two_keys(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        first = app.screen.claim.lead_id  # type: ignore[attr-defined]
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, RoutingDialog)
        assert "attempt 1 of 6, next try in 2h" in str(
            app.screen.query_one("#routing-proposal", Static).render()
        )
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        assert app.screen.claim is not None and app.screen.claim.lead_id != first
        called = lead(staffed, first)
        assert (called.stage, called.attempts, called.claimed_by) == ("working", 1, None)
        touch = rows(staffed, Touch)[0]
        assert (touch.lead_id, touch.disposition, touch.channel) == (first, "no_answer", "phone")
        assert "touches 1 · calls 1 · connects 0" in text_of(app, "#desk-rep")


async def test_a_connected_call_with_the_checklist_goes_to_sales(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        lead_id = app.screen.claim.lead_id  # type: ignore[attr-defined]
        await pilot.press("c")
        assert "Connected." in text_of(app, "#call-state")
        await pilot.press("6")  # ticks at once: no dialog
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        await pilot.press("r")  # the answer to the criterion just ticked
        await settle(pilot)
        assert isinstance(app.screen, AnswerDialog)
        await pilot.press(*"invoicing costs 2 FTE", "enter")
        await settle(pilot)
        for key in "180":
            await pilot.press(key)
        await settle(pilot)
        checklist = text_of(app, "#card-checklist")
        assert "4 of 10 established" in checklist and "invoicing costs 2 FTE" in checklist
        assert "if connected now: to sales" in text_of(app, "#card-verdict")
        await pilot.press("i", *"Wants a demo", "escape")
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, RoutingDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert lead(staffed, lead_id).stage == "sales"
        decision = rows(staffed, RoutingDecision)[-1]
        assert (decision.route, decision.overridden) == ("sales", False)
        assert rows(staffed, Touch)[-1].notes == "Wants a demo"
        answers = {a.criterion: a.note for a in rows(staffed, ChecklistAnswer) if a.established}
        assert answers == {
            "pains": "invoicing costs 2 FTE",
            "vertical": "",
            "budget": "",
            "urgency": "",
        }
        assert "qualified 1" in text_of(app, "#desk-rep")


async def test_another_route_needs_a_reason(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        lead_id = app.screen.claim.lead_id  # type: ignore[attr-defined]
        await pilot.press("c", "e")
        await settle(pilot)
        await pilot.press("s", "enter")
        await settle(pilot)
        assert isinstance(app.screen, RoutingDialog)
        assert "Give a reason" in str(app.screen.query_one("#routing-problem", Static).render())
        await pilot.press(*"DM with a real problem", "enter")
        await settle(pilot)
        decision = rows(staffed, RoutingDecision)[-1]
        assert (decision.route, decision.proposed_route, decision.overridden) == (
            "sales",
            "nurture",
            True,
        )
        assert decision.reason == "DM with a real problem"
        assert lead(staffed, lead_id).stage == "sales"


async def test_escape_in_the_routing_dialog_goes_back_to_the_call(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and app.screen.outcome is None
        assert rows(staffed, Touch) == []


async def test_moving_on_needs_a_disposition(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("n")
        await settle(pilot)
        lead_id = app.screen.claim.lead_id  # type: ignore[attr-defined]
        assert (
            app.screen.check_action("next", ()) is False
        )  # not in the footer while a card is open
        await pilot.press("e")  # says to log how the call went first
        await pilot.press("n")
        await settle(pilot)
        said = [n.message for n in app._notifications][-1]
        assert said.startswith("Log how the call went first: ")
        assert app.screen.claim.lead_id == lead_id  # type: ignore[attr-defined]
        assert isinstance(app.screen, DeskScreen) and rows(staffed, Touch) == []
        assert "Log how it went with one key" in text_of(app, "#call-state")


async def test_a_callback_is_typed_shown_in_both_zones_and_booked(staffed: Desk) -> None:
    app = create_app(staffed, rep="ben")  # in London, calling New York
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        lead_id = app.screen.claim.lead_id  # type: ignore[attr-defined]
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, CallbackDialog)
        await pilot.press(*"tomorrow 3pm")
        await settle(pilot)
        preview = str(app.screen.query_one("#callback-preview", Static).render())
        assert preview == "Tue 24 Nov 15:00 your time · Tue 10:00 their time"
        app.screen.query_one("#callback-when", Input).value = "tomorrow 9am"
        await settle(pilot)
        assert "outside the lead's calling hours (Tue 04:00 their time)" in str(
            app.screen.query_one("#callback-preview", Static).render()
        )
        app.screen.query_one("#callback-when", Input).value = "tomorrow 3pm"
        await pilot.press("tab", "down", "space", "enter")
        await settle(pilot)
        assert isinstance(app.screen, RoutingDialog)
        await pilot.press("enter")
        await settle(pilot)
        booked = lead(staffed, lead_id)
        assert booked.callback_at is not None and f"{booked.callback_at:%H:%M}" == "15:00"
        assert not booked.callback_owner_only and booked.stage == "working"


async def test_a_follow_up_touch_keeps_the_card_open(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        lead_id = app.screen.claim.lead_id  # type: ignore[attr-defined]
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TouchDialog)
        await pilot.press(*"Sent the guide", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and app.screen.claim.lead_id == lead_id  # type: ignore[union-attr]
        touch = rows(staffed, Touch)[0]
        assert (touch.channel, touch.notes, touch.disposition) == ("email", "Sent the guide", None)
        history = app.screen.query_one("#card-history", DataTable)
        assert history.row_count == 1


async def test_do_not_call_puts_the_number_on_the_list(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert "do-not-call list" in str(app.screen.query_one("#routing-proposal", Static).render())
        await pilot.press("enter")
        await settle(pilot)
        assert [n.phone_e164 for n in rows(staffed, DoNotCall)] == ["+12125550101"]


async def test_an_empty_queue_says_why(staffed: Desk, clock: FrozenClock) -> None:
    clock.now = clock.now.replace(hour=6)  # 01:00 in New York, 06:00 in London
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        empty = text_of(app, "#desk-empty")
        assert "Nothing to call right now" in empty
        assert "3 waiting: outside calling hours until Mon 03:00 your time" in empty


async def test_the_queue_view_lists_what_is_coming(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        table = app.screen.query_one("#queue-table", DataTable)
        assert table.row_count == 3
        first = [str(cell) for cell in table.get_row_at(0)]
        assert first[1] == "Bob [/] [link=x]" and first[3] == "new lead" and first[4] == "yes"
        assert "3 ready to call now" in text_of(app, "#queue-summary")
        await pilot.press("escape")
        assert isinstance(app.screen, DeskScreen)


async def test_an_unknown_zone_asks_before_calling(desk: Desk, tmp_path: Path) -> None:
    add_rep(desk, "ana", "Ana Reyes", "rep", "America/New_York")
    path = tmp_path / "sat.csv"
    path.write_text("Name,Phone\nSat Phone,+881612345678\n", encoding="utf-8")
    import_file(desk, path, ImportOptions())
    app = create_app(desk, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and app.screen.claim is None
        skipped = lead(desk, 1)
        assert skipped.claimed_by is None and skipped.queue_bucket is None


async def test_a_lost_claim_closes_the_card_and_saves_nothing(
    staffed: Desk, clock: FrozenClock
) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("n")
        await settle(pilot)
        lead_id = app.screen.claim.lead_id  # type: ignore[attr-defined]
        clock.now += timedelta(minutes=11)
        with staffed.db.reading() as session:
            ben = session.scalars(select(Rep).where(Rep.handle == "ben")).one()
        taken = claim_next(staffed, ben)
        assert taken is not None and taken.lead_id == lead_id
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and app.screen.claim is None
        assert any("no longer hold this lead" in n.message for n in app._notifications)
        assert rows(staffed, ChecklistAnswer) == []


async def test_help_lists_every_key_with_its_id(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = text_of(app, "#help-keys")
        for ident in ("desk.next-lead", "desk.disposition.no_answer", "desk.criterion-10",
                      "desk.end-call", "desk.touch", "desk.search", "desk.queue", "app.quit"):  # fmt: skip
            assert ident in keys


async def test_keys_are_remapped_by_id(staffed: Desk) -> None:
    keymap = {"desk.next-lead": "space", "desk.disposition.no_answer": "z"}
    app = create_app(staffed, rep="ana", keymap=keymap)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        assert app.screen.claim is None  # type: ignore[attr-defined]
        await pilot.press("space")
        await settle(pilot)
        assert app.screen.claim is not None  # type: ignore[attr-defined]
        await pilot.press("z")
        await settle(pilot)
        assert isinstance(app.screen, RoutingDialog)


async def test_unknown_key_ids_in_the_config_are_reported(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana", keymap={"desk.nope": "z"})
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert any("unknown key ids: desk.nope" in n.message for n in app._notifications)


async def test_quitting_with_a_card_open_asks_then_gives_the_lead_back(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        lead_id = app.screen.claim.lead_id  # type: ignore[attr-defined]
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "Quit with a card open?" in str(app.screen.query_one(Static).render())
        await pilot.press("escape")  # stay
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and app.is_running
        assert lead(staffed, lead_id).claimed_by is not None
        await pilot.press("ctrl+q", "ctrl+q")  # twice: quit without reading
        await settle(pilot)
        assert not app.is_running
    assert lead(staffed, lead_id).claimed_by is None


async def test_quitting_with_no_card_open_does_not_ask(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert not app.is_running


async def test_a_busy_database_is_a_calm_message_and_the_desk_goes_on(
    staffed: Desk, db_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from qualdesk.db import engine
    from qualdesk.services.desk import open_desk

    # Another program holds the write lock for longer than this desk waits.
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 200)
    impatient = open_desk(db_path, clock=clock)
    holder = sqlite3.connect(db_path, isolation_level=None)
    app = create_app(impatient, rep="ana")
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            holder.execute("BEGIN IMMEDIATE")
            await pilot.press("n")
            await settle(pilot)
            said = [n.message for n in app._notifications]
            assert any("the database is busy" in m for m in said), said
            assert not any("locked" in m or "Traceback" in m for m in said)
            assert isinstance(app.screen, DeskScreen) and not app.screen.moving
            holder.execute("COMMIT")
            await pilot.press("n")
            await settle(pilot)
            assert app.screen.claim is not None
    finally:
        holder.close()
        impatient.close()


async def test_an_unexpected_error_is_logged_not_shown_as_a_traceback(
    staffed: Desk, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from qualdesk.services.calling import calls

    def broken(*args: object) -> None:
        raise RuntimeError("disk on fire")

    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        monkeypatch.setattr(calls, "load_card", broken)
        await pilot.press("n")
        await settle(pilot)
        message = next(n.message for n in app._notifications if "disk on fire" in n.message)
        assert message.startswith("internal error: RuntimeError: disk on fire (details in ")
        assert isinstance(app.screen, DeskScreen) and app.is_running


async def test_after_connected_the_call_must_be_ended_before_moving_on(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        lead_id = app.screen.claim.lead_id  # type: ignore[attr-defined]
        await pilot.press("c", "n")
        await settle(pilot)
        assert app.screen.claim.lead_id == lead_id  # type: ignore[attr-defined]
        assert app.screen.check_action("next", ()) is False
        # Search may open another lead, but asks first: this call is logged, not ended.
        await pilot.press("slash", *"Grace")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "Connected is logged on Bob [/] [link=x] but the call is not ended" in str(
            app.screen.query_one(Static).render()
        )
        await pilot.press("escape")  # stay
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and app.screen.claim.lead_id == lead_id  # type: ignore[union-attr]
        assert app.screen.outcome is not None and rows(staffed, Touch) == []


async def test_a_card_opened_by_search_can_be_closed_without_a_call(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"Grace")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert text_of(app, "#card-title").startswith("Grace Hopper")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and app.screen.claim is None
        assert lead(staffed, 2).claimed_by is None and rows(staffed, Touch) == []


async def test_a_lead_found_outside_its_hours_asks_before_opening(
    staffed: Desk, clock: FrozenClock
) -> None:
    clock.now = clock.now.replace(hour=22)  # 22:00 in London
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"Ada")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CalledIn)
        question = str(app.screen.query_one(Static).render())
        assert question.startswith("Not to be called now: outside their calling hours.")
        assert "Tue 08:00 their time (Tue 03:00 yours)" in question
        assert "Did they call you?" in question
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and app.screen.claim is None
        assert lead(staffed, 3).claimed_by is None


async def test_do_not_call_offers_no_other_route(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        keys = str(app.screen.query_one("#routing-keys", Static).render())
        assert "to sales" not in keys and "to nurture" not in keys
        await pilot.press("u")
        await settle(pilot)
        assert app.screen.chosen is None  # type: ignore[attr-defined]


async def test_a_failure_after_the_call_is_saved_says_it_was_saved(
    staffed: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qualdesk.core.errors import DatabaseBusy
    from qualdesk.services.calling import queue

    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("n")
        await settle(pilot)
        lead_id = app.screen.claim.lead_id  # type: ignore[attr-defined]

        def busy(*args: object, **kwargs: object) -> None:
            raise DatabaseBusy("the database is busy")

        monkeypatch.setattr(queue, "claim_next", busy)
        await pilot.press("a", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and app.screen.claim is None
        assert any("Saved; the next lead could not be brought up" in n.message
                   for n in app._notifications)  # fmt: skip
        assert lead(staffed, lead_id).attempts == 1


async def test_a_card_opened_outside_its_hours_takes_no_call(
    staffed: Desk, clock: FrozenClock
) -> None:
    clock.now = clock.now.replace(hour=22)  # 22:00 in London
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("slash", *"Ada", "enter")
        await settle(pilot)
        await pilot.press("o")  # open it to read
        await settle(pilot)
        assert text_of(app, "#card-title").startswith("Ada Lovelace")
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and rows(staffed, Touch) == []
        warning = [n.message for n in app._notifications][-1]
        assert "outside their calling hours" in warning
        assert "Tue 08:00 their time (Tue 03:00 yours)" in warning
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TouchDialog)


async def test_a_lost_card_says_why_and_keeps_the_reps_notes(staffed: Desk) -> None:
    from qualdesk.services.intake.dnc import add_number

    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("i", *"Asked about pricing", "escape")
        # Meanwhile a team lead puts the number on the do-not-call list.
        add_number(staffed, "+1 212 555 0101", region=None, by="lee")
        await pilot.press("2", "enter")  # the next save finds the lead gone
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and app.screen.claim is None
        empty = text_of(app, "#desk-empty")
        assert "put on the do-not-call list" in empty
        assert "Asked about pricing" in empty


async def test_esc_from_a_retry_keeps_the_call_connected(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("c", "a")
        await settle(pilot)
        assert isinstance(app.screen, RoutingDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert "Connected." in text_of(app, "#call-state")
        assert app.screen.check_action("end", ()) is True


async def test_enter_typed_right_after_an_answer_keeps_every_character(staffed: Desk) -> None:
    from textual import events

    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("6", "r")
        await settle(pilot)
        assert isinstance(app.screen, AnswerDialog)
        # Keys arriving faster than the input takes them, as from a fast typist.
        for char in "twoFTE":
            app.post_message(events.Key(char, char))
        app.post_message(events.Key("enter", "\r"))
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        answers = [(a.criterion, a.established, a.note) for a in rows(staffed, ChecklistAnswer)]
        assert answers == [("pains", True, ""), ("pains", True, "twoFTE")]


async def test_enter_in_search_opens_the_first_lead_found(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"020 7946", "enter")  # as dialled in London
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        assert text_of(app, "#card-title").startswith("Ada Lovelace")


async def test_the_queue_view_lists_todays_own_callbacks_last(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("k", *"in 3 hours", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape", "q")  # close the next card, open the queue
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        table = app.screen.query_one("#queue-table", DataTable)
        last = [str(cell) for cell in table.get_row_at(table.row_count - 1)]
        assert last[1] == "Bob [/] [link=x]" and last[3] == "your callback, later today"
        assert last[4] == "at 13:00"
        assert "1 callback later today" in text_of(app, "#queue-summary")


async def test_a_failed_claim_leaves_the_empty_desk_readable(
    staffed: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qualdesk.core.errors import DatabaseBusy
    from qualdesk.services.calling import queue

    def busy(*args: object, **kwargs: object) -> None:
        raise DatabaseBusy("the database is busy")

    monkeypatch.setattr(queue, "claim_next", busy)
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        assert "Press  n  for the next lead" in text_of(app, "#desk-empty")


async def test_a_second_enter_in_a_dialog_does_nothing_more(staffed: Desk) -> None:
    from textual import events

    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        lead_id = app.screen.claim.lead_id  # type: ignore[attr-defined]
        await pilot.press("t")
        await settle(pilot)
        for char in "sent":
            app.post_message(events.Key(char, char))
        app.post_message(events.Key("enter", "\r"))
        app.post_message(events.Key("enter", "\r"))
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and app.screen.claim.lead_id == lead_id  # type: ignore[union-attr]
        assert [t.notes for t in rows(staffed, Touch)] == ["sent"]


async def test_quitting_while_a_call_is_saved_leaves_the_desk_working(
    staffed: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from qualdesk.services.calling import calls

    saved = threading.Event()
    end_call = calls.end_call

    def slow_end_call(*args: object, **kwargs: object) -> object:
        saved.wait(timeout=10)
        return end_call(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(calls, "end_call", slow_end_call)
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        first = app.screen.claim.lead_id  # type: ignore[attr-defined]
        await pilot.press("a", "enter")
        await pilot.pause()
        # Keys typed while the call is saved wait for the next card; but a rep stuck
        # behind a stalled save can always leave: Ctrl+Q overtakes after a moment.
        await pilot.press("ctrl+q")
        await pilot.pause(1.3)
        assert isinstance(app.screen, ConfirmDialog)
        saved.set()
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and app.is_running
        assert app.screen.claim is not None and app.screen.claim.lead_id != first
        assert lead(staffed, first).attempts == 1
        await pilot.press("ctrl+q")  # asks again, about the new card
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)


async def test_a_connected_call_can_end_after_their_hours_close(
    staffed: Desk, clock: FrozenClock
) -> None:
    clock.now = clock.now.replace(day=24, hour=1, minute=55)  # 20:55 in New York
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"Grace", "enter")
        await settle(pilot)
        await pilot.press("c")
        clock.now = clock.now.replace(hour=2, minute=5)  # 21:05: their hours have closed
        app.screen._tick()  # type: ignore[attr-defined]  # the minute tick
        await settle(pilot)
        assert "not callable now" in text_of(app, "#card-phone")
        await pilot.press("x")  # not interested, after all
        await settle(pilot)
        assert isinstance(app.screen, RoutingDialog)


async def test_a_card_lost_under_a_dialog_closes_the_dialog_too(staffed: Desk) -> None:
    from qualdesk.services.intake.dnc import add_number

    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        desk_screen = app.screen
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, CallbackDialog)
        add_number(staffed, "+1 212 555 0101", region=None, by="lee")
        desk_screen._renew()  # type: ignore[attr-defined]  # the card's periodic renewal
        await settle(pilot)
        assert app.screen is desk_screen and desk_screen.claim is None  # type: ignore[attr-defined]
        assert "put on the do-not-call list" in text_of(app, "#desk-empty")


async def test_call_notes_are_kept_as_a_draft_while_typing_and_come_back(
    staffed: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qualdesk.services.calling.drafts import load_draft
    from qualdesk.tui.widgets import notes as notes_module

    monkeypatch.setattr(notes_module, "DRAFT_PAUSE", 0.05)
    monkeypatch.setattr(notes_module, "DRAFT_EVERY", 0.2)
    ana = rows(staffed, Rep)[0]
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and app.screen.card is not None
        lead_id = app.screen.card.lead.id
        await pilot.press("i", "g", "k", "space", "[", "b", "]")
        deadline = time.monotonic() + 20  # kept once typing pauses, without a key pressed
        # (On a slow machine a pause between two of the keys may keep part of them first.)
        while (
            (draft := load_draft(staffed, lead_id, ana.id)) is None or draft.text != "gk [b]"
        ) and time.monotonic() < deadline:
            await pilot.pause(0.05)
        await settle(pilot)
        assert draft is not None and draft.text == "gk [b]"
        await pilot.press("x")  # typed just before quitting: kept by the quit itself
        await pilot.press("escape", "ctrl+q", "ctrl+q")
        await settle(pilot)
    draft = load_draft(staffed, lead_id, ana.id)
    assert draft is not None and draft.text == "gk [b]x"
    assert lead(staffed, lead_id).claimed_by is None
    # Opened again, by search: the card brings the notes back, literally.
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("/")
        await settle(pilot)
        await pilot.press(*"Bob", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and app.screen.card is not None
        assert app.screen.card.lead.id == lead_id
        notes = app.screen.query_one("#desk-notes", TextArea)
        assert notes.text == "gk [b]x"
        assert any("kept as a draft, are back" in n.message for n in app._notifications)
        # Closing a card opened by search keeps what was typed since.
        await pilot.press("i", "!", "escape", "escape")
        await settle(pilot)
        assert app.screen.claim is None
    draft = load_draft(staffed, lead_id, ana.id)
    assert draft is not None and draft.text == "gk [b]x!"


async def test_a_second_window_asks_before_taking_the_reps_open_lead(staffed: Desk) -> None:
    first = create_app(staffed, rep="ana")
    second = create_app(staffed, rep="ana")
    async with first.run_test(size=SIZE) as one:
        await one.press("n")
        await settle(one)
        assert isinstance(first.screen, DeskScreen) and first.screen.card is not None
        held = first.screen.card.lead.id
        async with second.run_test(size=SIZE) as two:
            await two.press("n")
            await settle(two)
            assert isinstance(second.screen, ConfirmDialog)
            assert "is still yours" in str(second.screen.query_one(Static).render())
            await two.press("escape")  # leave it there: the next lead instead
            await settle(two)
            assert isinstance(second.screen, DeskScreen) and second.screen.card is not None
            assert second.screen.card.lead.id != held
            assert first.screen.claim is not None  # the first window still has its call
            await two.press("ctrl+q", "ctrl+q")
            await settle(two)


async def test_ctrl_c_says_which_key_quits_in_plain_words(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("ctrl+c")
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert said[-1] == "Press ^q to quit." and "[b]" not in said[-1]
        assert app.is_running


async def test_the_sign_in_list_shows_who_is_the_team_lead(staffed: Desk) -> None:
    from textual.widgets import OptionList

    from qualdesk.services.reps import add_rep as add

    add(staffed, "lee", "Lee Morgan", "lead", "America/New_York")
    app = create_app(staffed)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert shown[0] == "Ana Reyes  ana  rep  America/New_York"
        assert shown[2] == "Lee Morgan  lee  team lead  America/New_York"
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and app.screen.rep.handle == "lee"


async def test_a_lead_is_fixed_on_its_card_and_the_change_recorded(staffed: Desk) -> None:
    from qualdesk.db.models import LeadChange
    from qualdesk.tui.screens.lead import LeadDialog

    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("n")
        await settle(pilot)
        lead_id = app.screen.claim.lead_id  # type: ignore[attr-defined]
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, LeadDialog)
        # A bad value: one line, the form stays, nothing changes.
        app.screen.query_one("#lead-email", Input).value = "bob.example.com"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LeadDialog)
        problem = str(app.screen.query_one("#lead-problem", Static).render())
        assert problem == "email: 'bob.example.com' is not an email address (no @)"
        assert rows(staffed, LeadChange) == [] and lead(staffed, lead_id).email is None
        # Fixed: the direct line a gatekeeper gave, in London; the card follows it.
        app.screen.query_one("#lead-email", Input).value = "Bob@Acme.example "
        app.screen.query_one("#lead-alt-phone", Input).value = "+44 20 7946 0000"
        app.screen.query_one("#lead-reason", Input).value = "gatekeeper gave the direct line"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        fixed = lead(staffed, lead_id)
        assert fixed.email == "bob@acme.example" and fixed.alt_phone_e164 == "+442079460000"
        assert fixed.time_zones == "Europe/London" and fixed.jurisdiction == "GB"
        changes = [
            (c.field, c.old, c.new, c.changed_by, c.reason) for c in rows(staffed, LeadChange)
        ]
        assert changes == [
            ("email", "", "bob@acme.example", "ana", "gatekeeper gave the direct line"),
            ("alt_phone", "", "+44 20 7946 0000", "ana", "gatekeeper gave the direct line"),
        ]
        phone = text_of(app, "#card-phone")
        assert phone.startswith("+44 20 7946 0000 (main: +1 212-555-0101)")
        assert "London" in phone
        history = app.screen.query_one("#card-history", DataTable)
        cells = [str(cell) for row in range(history.row_count) for cell in history.get_row_at(row)]
        assert (
            "alternate number" in cells
            and "- → +44 20 7946 0000 (gatekeeper gave the direct line)" in cells
        )
        # The call that follows dials the direct line.
        await pilot.press("a", "enter")
        await settle(pilot)
        assert rows(staffed, Touch)[-1].phone == "+442079460000"


async def test_a_lead_called_minutes_ago_opens_to_be_read_not_called(
    staffed: Desk, clock: FrozenClock
) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("n")
        await settle(pilot)
        lead_id = app.screen.claim.lead_id  # type: ignore[attr-defined]
        await pilot.press("a", "enter")  # no answer; the next card comes up
        await settle(pilot)
        clock.now += timedelta(minutes=5)
        # The prospect calls back at once: found by search, with the other card in hand.
        await pilot.press("slash", *"Bob", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CalledIn)
        question = str(app.screen.query_one(Static).render())
        assert question.startswith("Not to be called now: called 5 min ago (the gap is 1h).")
        await pilot.press("o")  # open it to read
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and app.screen.claim.lead_id == lead_id  # type: ignore[union-attr]
        assert "Not a call now: called 5 min ago" in text_of(app, "#call-state")
        assert not app.screen.query_one("#call-keys").display  # no call keys offered
        await pilot.press("1")  # a fact learnt is kept; the card reads afresh...
        await settle(pilot)
        app.screen._tick()  # type: ignore[attr-defined]  # ...and again as the minute passes
        await settle(pilot)
        assert "Not a call now: called 5 min ago" in text_of(app, "#call-state")
        await pilot.press("c")  # still no call may be logged on it
        await settle(pilot)
        assert app.screen.outcome is None  # type: ignore[attr-defined]
        await pilot.press("e")  # nor ended: it says why, not to log an outcome
        await settle(pilot)
        assert [n.message for n in app._notifications][-1].startswith("Not a call: called 5 min")
        assert "Not a call: called 5 min ago" in [n.message for n in app._notifications][-1]
        await pilot.press("escape")  # closes without a call
        await settle(pilot)
        assert app.screen.claim is None  # type: ignore[attr-defined]
        assert lead(staffed, lead_id).claimed_by is None and lead(staffed, lead_id).attempts == 1


async def test_a_callback_takes_the_suggested_time_with_enter(staffed: Desk) -> None:
    app = create_app(staffed, rep="ben")  # London, calling New York at 10:00 theirs
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        lead_id = app.screen.claim.lead_id  # type: ignore[attr-defined]
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, CallbackDialog)
        hours = str(app.screen.query_one("#callback-hours", Static).render())
        assert (
            hours
            == "Their calling hours today: 08:00-21:00 their time in New York (13:00-02:00 yours)."
        )
        suggested = str(app.screen.query_one("#callback-suggested", Static).render())
        assert suggested == (
            "Suggested: Mon 23 Nov 16:00 yours · Mon 11:00 theirs (Enter on an empty box books it)"
        )
        await pilot.press("enter", "enter")  # the suggestion, then the routing proposal
        await settle(pilot)
        booked = lead(staffed, lead_id)
        assert booked.callback_at is not None and f"{booked.callback_at:%H:%M}" == "16:00"


async def test_line_breaks_in_imported_notes_show_as_line_breaks(
    desk: Desk, tmp_path: Path
) -> None:
    add_rep(desk, "ana", "Ana Reyes", "rep", "America/New_York")
    path = tmp_path / "notes.csv"
    path.write_text(
        'Name,Phone,Notes\nBob Stone,+1 212 555 0101,"Met at booth 7\nwants a demo\x07"\n',
        encoding="utf-8",
    )
    import_file(desk, path, ImportOptions(imported_by="ops"))
    app = create_app(desk, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        extras = text_of(app, "#card-extras").splitlines()
        assert extras[:2] == ["Notes: Met at booth 7", "wants a demo␇"]  # a bell stays a mark


async def test_a_lead_who_calls_in_minutes_after_our_call_is_logged_as_their_call(
    staffed: Desk, clock: FrozenClock
) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        lead_id = app.screen.claim.lead_id  # type: ignore[attr-defined]
        await pilot.press("v", "enter")  # a voicemail left; the next card comes up
        await settle(pilot)
        clock.now += timedelta(minutes=4)
        await pilot.press("slash", *"Bob", "enter")  # they call back at once
        await settle(pilot)
        assert isinstance(app.screen, CalledIn)
        await pilot.press("enter")  # yes, they called in
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        assert text_of(app, "#call-state").startswith("They called in.")
        await pilot.press("c", "1", "3", "6", "8", "e")
        await settle(pilot)
        assert isinstance(app.screen, RoutingDialog)
        await pilot.press("enter")
        await settle(pilot)
        called = lead(staffed, lead_id)
        assert called.stage == "sales" and called.attempts == 1  # their call is no attempt
        inbound = rows(staffed, Touch)[-1]
        assert (inbound.lead_id, inbound.disposition, inbound.inbound) == (
            lead_id,
            "connected",
            True,
        )
        assert inbound.phone is None  # no number was dialled


async def test_a_renewal_failing_while_a_call_is_saved_is_not_the_save_failing(
    staffed: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qualdesk.services.calling import lease

    def slow_failure(*args: object, **kwargs: object) -> None:
        time.sleep(0.3)
        raise RuntimeError("database is locked")

    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("n")
        await settle(pilot)
        desk_screen = app.screen
        first = desk_screen.claim.lead_id  # type: ignore[attr-defined]
        await pilot.press("c", "e")
        await settle(pilot)
        assert isinstance(app.screen, RoutingDialog)
        monkeypatch.setattr(lease, "renew", slow_failure)
        desk_screen._renew()  # type: ignore[attr-defined]  # the renewal is on the line, failing
        await pilot.press("enter")  # save the call, behind it
        await settle(pilot)
        assert app.screen is desk_screen  # the routing dialog closed with the save
        await pilot.press("enter")  # a stray Enter finds nothing to confirm
        await settle(pilot)
        touches = [(t.lead_id, t.disposition) for t in rows(staffed, Touch)]
        assert touches == [(first, "connected")]  # the next lead was never called
        assert desk_screen.claim is not None and desk_screen.claim.lead_id != first  # type: ignore[attr-defined]
        said = [n.message for n in app._notifications]
        assert any("could not be renewed" in m for m in said)


async def test_at_80x24_the_leads_own_notes_are_a_page_down_away(staffed: Desk) -> None:
    from textual.containers import VerticalScroll

    app = create_app(staffed, rep="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")  # Bob, whose file had notes
        await settle(pilot)
        assert "PgDn: the lead's notes" in text_of(app, "#card-checklist")
        main = app.screen.query_one("#card-main", VerticalScroll)
        assert main.scroll_y == 0 and main.max_scroll_y > 0
        await pilot.press("pagedown")
        await settle(pilot)
        assert main.scroll_y > 0
        await pilot.press("a", "enter")  # the next card opens at its top
        await settle(pilot)
        assert main.scroll_y == 0


async def test_an_a_lead_without_the_required_criterion_says_why_it_is_nurtured(
    staffed: Desk,
) -> None:
    from textual.containers import VerticalScroll

    app = create_app(staffed, rep="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")  # Bob, an owner: 10 points before the call
        await settle(pilot)
        lead_id = app.screen.claim.lead_id  # type: ignore[attr-defined]
        await pilot.press("c", "1", "2", "3", "5", "8")  # 65 points, no Business pains
        await settle(pilot)
        why = "Grade A on score 65, but nurture: Business pains is required, not established"
        route_line = text_of(app, "#card-verdict")
        assert "if connected now: to nurture" in route_line and why in route_line
        # The extra line costs no criterion its place at 80x24.
        main = app.screen.query_one("#card-main", VerticalScroll)
        checklist = app.screen.query_one("#card-checklist", Static)
        assert main.scroll_y == 0 and checklist.region.bottom <= main.region.bottom
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, RoutingDialog)
        assert why in text_of(app, "#routing-proposal")
        await pilot.press("enter")
        await settle(pilot)
        assert lead(staffed, lead_id).stage == "nurture"
        await pilot.press("n", "c", "6")  # the grade agrees with the route: no note
        await settle(pilot)
        assert "\n" not in text_of(app, "#card-verdict")
