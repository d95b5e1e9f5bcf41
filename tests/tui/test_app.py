"""The desk app driven with Pilot: signing in, the lead list, help, key remapping."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList, Static

from qualdesk.core.errors import QualdeskError
from qualdesk.services.access import administrator
from qualdesk.services.desk import Desk
from qualdesk.services.intake.importer import ImportOptions, import_file
from qualdesk.services.reps import add_rep, set_active
from qualdesk.tui.app import create_app
from qualdesk.tui.screens.desk import DeskScreen
from qualdesk.tui.screens.help import HelpScreen
from qualdesk.tui.screens.signin import SignInScreen
from tests.conftest import WriteCsv
from tests.tui.conftest import text_of

SIZE = (120, 36)


@pytest.fixture
def staffed(desk: Desk, write_csv: WriteCsv) -> Desk:
    add_rep(desk, "ana", "Ana Reyes", "rep", "America/New_York")
    add_rep(desk, "ben", "Ben Okafor", "rep", "Europe/London")
    add_rep(desk, "old", "Gone Away", "rep", "UTC")
    set_active(desk, "old", False, by=administrator())
    rows = [
        ["Bob [/] [link=x]", "Acme [b]", "", "", "+1 305 555 0100", "US"],
        ["Ada Lovelace", "Analytical", "", "", "+44 20 7946 0958", "UK"],
    ]
    import_file(desk, write_csv(rows), ImportOptions(imported_by="ops"))
    return desk


async def test_signing_in_from_the_picker(staffed: Desk) -> None:
    app = create_app(staffed)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, SignInScreen)
        options = app.screen.query_one(OptionList)
        assert options.option_count == 2  # the deactivated rep is not offered
        await pilot.press("down", "enter")
        assert isinstance(app.screen, DeskScreen)
        assert app.rep is not None and app.rep.handle == "ben"
        await app.workers.wait_for_complete()
        await pilot.pause()
        rep_line = str(app.screen.query_one("#desk-rep", Static).render())
        assert "Ben Okafor" in rep_line and "Europe/London" in rep_line


async def test_escape_on_the_picker_quits(staffed: Desk) -> None:
    app = create_app(staffed)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape")
    assert app.return_code == 0 and app.rep is None


async def test_help_lists_keys_with_their_ids_and_closes(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        keys = text_of(app, "#help-keys")
        assert "desk.next-lead" in keys and "app.quit" in keys and "app.help" in keys
        await pilot.press("escape")
        assert isinstance(app.screen, DeskScreen)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)


async def test_keys_can_be_remapped_by_id(staffed: Desk) -> None:
    app = create_app(staffed, rep="ana", keymap={"app.help": "f2"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, DeskScreen)
        await pilot.press("f2")
        assert isinstance(app.screen, HelpScreen)


async def test_an_empty_desk_says_so(desk: Desk) -> None:
    add_rep(desk, "ana", "Ana", "rep", "UTC")
    app = create_app(desk, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        empty = str(app.screen.query_one("#desk-empty", Static).render())
        assert "nothing waiting: every lead is worked for now" in empty


def test_unknown_or_deactivated_reps_cannot_sign_in(staffed: Desk) -> None:
    with pytest.raises(QualdeskError, match="no rep with handle 'ghost'"):
        create_app(staffed, rep="ghost")
    with pytest.raises(QualdeskError, match="deactivated"):
        create_app(staffed, rep="old")
