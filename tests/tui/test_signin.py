"""Signing in at the desk with a password, changing it, and signing out when idle."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Input

from qualdesk.services.access import administrator, as_rep
from qualdesk.services.desk import Desk
from qualdesk.services.reps import find_rep
from qualdesk.services.resources import data_file
from qualdesk.services.rules import load_rules
from qualdesk.services.signin import set_password, sign_in, sign_in_log
from qualdesk.tui.app import create_app
from qualdesk.tui.screens.desk import DeskScreen
from qualdesk.tui.screens.signin import PasswordDialog, PasswordSignInScreen, SignInScreen
from tests.conftest import FrozenClock
from tests.tui.conftest import lead, settle, text_of

SIZE = (100, 30)


@pytest.fixture
def locked_down(staffed: Desk, tmp_path: Path) -> Desk:
    """The staffed desk with passwords, and rules that ask for them."""
    from qualdesk.services.reps import add_rep

    add_rep(staffed, "lee", "Lee Morgan", "lead", "UTC")
    for handle in ("ana", "ben", "lee"):
        set_password(staffed, administrator(), handle, f"{handle}-password-1", source="test")
    rules = tmp_path / "password.toml"
    text = data_file("desk.toml").read_text(encoding="utf-8")
    rules.write_text(text.replace('sign_in = "none"', 'sign_in = "password"'), "utf-8")
    lee = find_rep(staffed, "lee")
    load_rules(staffed, rules, as_rep(lee), password="lee-password-1")
    return staffed


async def _type(pilot: object, box: str, text: str) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    app.screen.query_one(box, Input).focus()
    await pilot.press(*text)  # type: ignore[attr-defined]


async def test_a_wrong_password_is_refused_and_the_right_one_opens_the_desk(
    locked_down: Desk,
) -> None:
    app = create_app(locked_down)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, PasswordSignInScreen)
        await _type(pilot, "#signin-handle", "ana")
        await pilot.press("enter")
        await _type(pilot, "#signin-password", "not-it-at-all")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PasswordSignInScreen)
        assert text_of(app, "#signin-message") == "handle or password not accepted"
        assert app.screen.query_one("#signin-password", Input).value == ""
        await pilot.press(*"ana-password-1", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        assert app.rep is not None and app.rep.handle == "ana"
    events = [(e.handle, e.event) for e in sign_in_log(locked_down, administrator())]
    assert events[:3] == [("ana", "signed out"), ("ana", "signed in"), ("ana", "failed")]


async def test_the_handle_given_is_offered_and_the_password_still_asked(
    locked_down: Desk,
) -> None:
    app = create_app(locked_down, rep="ben")
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, PasswordSignInScreen)
        assert app.screen.query_one("#signin-handle", Input).value == "ben"
        assert app.focused is app.screen.query_one("#signin-password", Input)
        await pilot.press(*"ben-password-1", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and app.rep is not None
        assert app.rep.handle == "ben"


async def test_a_rep_changes_their_own_password_with_f2(locked_down: Desk) -> None:
    app = create_app(locked_down, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"ana-password-1", "enter")
        await settle(pilot)
        await pilot.press("f2")
        assert isinstance(app.screen, PasswordDialog)
        await pilot.press(*"wrong-one", "enter", *"ana-password-2", "enter")
        await pilot.press(*"ana-password-2", "enter")
        await settle(pilot)
        assert "current password" in text_of(app, "#password-message")
        app.screen.query_one("#password-current", Input).value = "ana-password-1"
        app.screen.query_one("#password-again", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
    assert sign_in(locked_down, "ana", "ana-password-2", source="test").handle == "ana"


async def test_an_idle_desk_signs_out_and_gives_back_its_lead(
    staffed: Desk, clock: FrozenClock
) -> None:
    app = create_app(staffed, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DeskScreen) and screen.card is not None
        held = screen.card.lead.id
        assert held is not None and lead(staffed, held).claimed_by is not None
        # The rep's last key press, 29 then 30 minutes ago (the lease is kept meanwhile).
        app.last_key_at = clock.now - timedelta(minutes=29)
        app.sign_out_if_idle()
        assert isinstance(app.screen, DeskScreen)
        app.last_key_at = clock.now - timedelta(minutes=30)
        app.sign_out_if_idle()
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert app.rep is None
        assert lead(staffed, held).claimed_by is None
    log = sign_in_log(staffed, administrator(), "ana")
    assert (log[0].event, log[0].detail) == ("signed out", "idle 30 min")


async def test_keys_typed_straight_after_the_password_land_on_the_desk(
    locked_down: Desk,
) -> None:
    from tests.tui.conftest import burst

    app = create_app(locked_down, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, *"ana-password-1", "enter", "n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DeskScreen) and screen.card is not None
        assert screen.card.lead.claimed_by is not None


async def test_escape_does_not_cancel_a_password_change_under_way(locked_down: Desk) -> None:
    app = create_app(locked_down, rep="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"ana-password-1", "enter")
        await settle(pilot)
        await pilot.press("f2")
        dialog = app.screen
        assert isinstance(dialog, PasswordDialog)
        dialog.changing = True  # as between Enter and the change's end
        await pilot.press("escape")
        assert app.screen is dialog
        dialog.changing = False
        await pilot.press("escape")
        assert isinstance(app.screen, DeskScreen)
