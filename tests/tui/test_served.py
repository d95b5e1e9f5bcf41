"""A served desk (a browser tab's, `qualdesk desk --served`) driven with Pilot: what the
server tells it in its environment: passwords on an exposed server whatever the rules
say, closing when nobody signs in, and exports into one folder by file name only.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

from qualdesk.services.access import administrator
from qualdesk.services.desk import Desk
from qualdesk.services.reps import add_rep
from qualdesk.services.signin import set_password, sign_in_log
from qualdesk.tui.app import QualdeskApp, create_app
from qualdesk.tui.browser import expire_sign_in
from qualdesk.tui.screens.desk import DeskScreen
from qualdesk.tui.screens.export import ExportDialog
from qualdesk.tui.screens.signin import PasswordSignInScreen, SignInScreen
from qualdesk.tui.screens.team import TeamScreen
from tests.conftest import FrozenClock
from tests.tui.conftest import lead, settle, text_of
from tests.tui.test_team import call

SIZE = (120, 40)


@pytest.fixture
def served_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """What a served desk's environment says unless a test says otherwise: not exposed,
    exports into tmp_path/exports; the desk runs from another folder."""
    monkeypatch.delenv("QUALDESK_SERVED_EXPOSED", raising=False)
    monkeypatch.delenv("QUALDESK_SIGN_IN_WITHIN_SECONDS", raising=False)
    folder = tmp_path / "exports"
    monkeypatch.setenv("QUALDESK_EXPORTS", str(folder))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return folder


async def pick(app: QualdeskApp, pilot: object, handle: str) -> None:
    """Sign in from the list of reps as `handle`."""
    assert isinstance(app.screen, SignInScreen)
    handles = [rep.handle for rep in app.screen.reps]
    app.screen.query_one(OptionList).highlighted = handles.index(handle)
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)
    assert isinstance(app.screen, DeskScreen)


async def test_an_exposed_served_desk_asks_for_a_password_whatever_the_rules_say(
    staffed: Desk, served_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_password(staffed, administrator(), "ana", "ana-password-1", source="test")
    assert staffed.rules().rules.sign_in == "none"
    monkeypatch.setenv("QUALDESK_SERVED_EXPOSED", "1")
    app = create_app(staffed, served=True, source="browser 192.0.2.9")
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, PasswordSignInScreen)
        app.screen.query_one("#signin-handle", Input).value = "ana"
        app.screen.query_one("#signin-password", Input).focus()
        await pilot.press(*"ana-password-1", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and app.rep is not None
    events = [(e.handle, e.event, e.detail) for e in sign_in_log(staffed, administrator())]
    assert ("ana", "signed in", "") in events  # checked, and recorded once
    assert [e for e in events if e[1] == "signed in"] == [("ana", "signed in", "")]


@pytest.mark.parametrize("served, exposed", [(True, "0"), (True, ""), (False, "1")])
async def test_otherwise_the_rules_say_how_to_sign_in(
    staffed: Desk, served_env: Path, monkeypatch: pytest.MonkeyPatch, served: bool, exposed: str
) -> None:
    """A loopback server's tab, and a terminal desk whatever its environment says."""
    monkeypatch.setenv("QUALDESK_SERVED_EXPOSED", exposed)
    app = create_app(staffed, served=served)
    async with app.run_test(size=SIZE):
        assert isinstance(app.screen, SignInScreen)


async def test_a_served_desk_nobody_signs_in_on_closes_itself(
    staffed: Desk, served_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUALDESK_SIGN_IN_WITHIN_SECONDS", "0.2")
    app = create_app(staffed, served=True)
    async with app.run_test(size=SIZE) as pilot:
        while app.is_running:  # bounded by the time given; the test's own bound is pytest's
            await pilot.pause(0.05)
    assert app.rep is None


async def test_a_served_desk_signed_in_in_time_stays(staffed: Desk, served_env: Path) -> None:
    app = create_app(staffed, served=True)
    async with app.run_test(size=SIZE) as pilot:
        waiting = app.screen
        await pick(app, pilot, "ana")
        assert not expire_sign_in(app, waiting)  # its time comes: someone is in
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, DeskScreen)

        app.sign_out("idle 30 min")  # the sign-in screen again: a time of its own
        await settle(pilot)
        again = app.screen
        assert not expire_sign_in(app, waiting) and app.is_running
        assert isinstance(again, SignInScreen) and expire_sign_in(app, again)
        await settle(pilot)
    assert not app.is_running


async def test_a_password_being_checked_is_answered_before_the_desk_closes(
    staffed: Desk, served_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUALDESK_SERVED_EXPOSED", "1")
    app = create_app(staffed, served=True)
    async with app.run_test(size=SIZE):
        screen = app.screen
        assert isinstance(screen, PasswordSignInScreen)
        screen.checking = True
        assert not expire_sign_in(app, screen) and app.is_running
        screen.checking = False
        assert expire_sign_in(app, screen)


async def open_export(app: QualdeskApp, pilot: object) -> Input:
    await pilot.press("ctrl+t")  # type: ignore[attr-defined]
    await settle(pilot)
    assert isinstance(app.screen, TeamScreen)
    await pilot.press("x")  # type: ignore[attr-defined]
    await settle(pilot)
    assert isinstance(app.screen, ExportDialog)
    return app.screen.query_one("#export-path", Input)


async def test_a_served_desk_exports_by_file_name_into_its_folder_only(
    staffed: Desk, clock: FrozenClock, served_env: Path, tmp_path: Path
) -> None:
    folder = served_env
    add_rep(staffed, "lee", "Lee Morgan", "lead", "UTC")
    lead_id = call(staffed, clock, "ana", qualify=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    app = create_app(staffed, served=True)
    async with app.run_test(size=SIZE) as pilot:
        await pick(app, pilot, "lee")
        field = await open_export(app, pilot)
        assert field.value.startswith("qualdesk-handoff-") and "/" not in field.value
        assert str(folder) in text_of(app, "#export-result")  # where it goes, said at once

        refused = f"Give a file name only; exports from the browser go into {folder}"
        for typed in (
            "../handoff.csv",
            str(outside / "handoff.csv"),
            "sub/handoff.csv",
            "..",
            ".",
            "a\\handoff.csv",
            "tab\there.csv",
        ):
            field.value = typed
            await pilot.press("enter")
            await settle(pilot)
            assert text_of(app, "#export-result") == refused, typed
            assert isinstance(app.screen, ExportDialog)
        assert not folder.exists() and not any(outside.iterdir())
        assert lead(staffed, lead_id).stage == "sales"

        field.value = "handoff.csv"
        await pilot.press("enter")
        await settle(pilot)
        said = text_of(app, "#export-result")
        assert "Handed off 1 lead as batch 1" in said
        assert str(folder / "handoff.csv") in said  # the whole path written
    assert (folder / "handoff.csv").read_text(encoding="utf-8").count("\n") == 2
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert lead(staffed, lead_id).stage == "handed_off"
    assert not list(Path.cwd().iterdir())  # nothing written where the desk runs


async def test_a_link_in_the_exports_folder_is_not_followed(
    staffed: Desk, clock: FrozenClock, served_env: Path, tmp_path: Path
) -> None:
    folder = served_env
    folder.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (folder / "handoff.csv").symlink_to(outside, target_is_directory=True)
    add_rep(staffed, "lee", "Lee Morgan", "lead", "UTC")
    call(staffed, clock, "ana", qualify=True)
    app = create_app(staffed, served=True)
    async with app.run_test(size=SIZE) as pilot:
        await pick(app, pilot, "lee")
        field = await open_export(app, pilot)
        field.value = "handoff.csv"
        await pilot.press("enter")
        await settle(pilot)
        said = text_of(app, "#export-result")
        assert said == f"{folder / 'handoff.csv'}: a file is already there; choose another name"
    assert not any(outside.iterdir())


async def test_the_terminal_desk_still_exports_to_any_path(
    staffed: Desk, clock: FrozenClock, served_env: Path, tmp_path: Path
) -> None:
    add_rep(staffed, "lee", "Lee Morgan", "lead", "UTC")
    call(staffed, clock, "ana", qualify=True)
    out = tmp_path / "anywhere" / "handoff.csv"
    out.parent.mkdir()
    app = create_app(staffed, rep="lee")
    async with app.run_test(size=SIZE) as pilot:
        field = await open_export(app, pilot)
        assert field.value.startswith(str(Path.cwd()))
        field.value = str(out)
        await pilot.press("enter")
        await settle(pilot)
        assert str(out) in text_of(app, "#export-result")
    assert out.is_file() and not served_env.exists()
