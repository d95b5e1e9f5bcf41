"""Hostile text from lead files and sales: stored as received, drawn literally, safe in exports.

(A C0 or C1 control character in a key field, such as an ANSI escape in a
name, refuses the row at import with its reason; see the last test. Anywhere
else, in notes, campaigns, extra columns and sales' reasons, it is kept.)

Names, notes and companies carrying Rich markup, ANSI escapes, bidi
overrides, zero-width characters or spreadsheet formulas go through the
whole loop: import, call card, queue, search, team view, review, export.
"""

from __future__ import annotations

import csv
import html
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from textual import events
from textual.widgets import TextArea

from qualdesk.db.models import Lead, Rep
from qualdesk.services.access import Actor
from qualdesk.services.calling.calls import end_call, set_criterion
from qualdesk.services.calling.queue import claim_next
from qualdesk.services.desk import Desk
from qualdesk.services.handoff.export import export_leads
from qualdesk.services.handoff.feedback import read_feedback
from qualdesk.services.intake.importer import ImportOptions, import_file
from qualdesk.services.reps import add_rep, find_rep
from qualdesk.tui.app import QualdeskApp, create_app
from qualdesk.tui.screens.desk import DeskScreen
from qualdesk.tui.screens.forms import ConfirmDialog
from qualdesk.tui.screens.queue import QueueScreen
from qualdesk.tui.screens.review import ReviewScreen
from qualdesk.tui.screens.search import SearchScreen
from qualdesk.tui.screens.team import TeamScreen
from tests.conftest import FrozenClock
from tests.tui.conftest import settle

SIZE = (160, 45)
NAME = "Bob [b]bold[/b]\u200b [/]"
NAME_DRAWN = "Bob [b]bold[/b]‹ZWSP› [/]"
COMPANY = '=HYPERLINK("http://evil.example","click")'
TITLE = "CEO\u202etxt.exe"
NOTES = "\x1b[2J\x1b[31mred \u200bhidden [link=http://x]x[/link]"
CAMPAIGN = "Spring [red]\u2066sale\u2069\x1b[0m"
REASON = "\x1b[5m=cmd|' /C calc'!A0"
RAW = ("\x1b", "\u202e", "\u200b", "\u2066", "\u2069")
QUALIFYING = ("vertical", "pains", "budget", "urgency")


@pytest.fixture
def hostile(desk: Desk, tmp_path: Path) -> tuple[Desk, int]:
    ana = add_rep(desk, "ana", "Ana [i]Reyes", "rep", "America/New_York")
    # `reps add` refuses a control character in a name now; a desk may hold one from before.
    with desk.db.writing() as session:
        stored = session.get(Rep, ana.id)
        assert stored is not None
        stored.name = "Ana [i]Reyes\x1b[0m"
        session.add(stored)
    add_rep(desk, "lee", "Lee Morgan", "lead", "America/New_York")
    path = tmp_path / "hostile.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Name", "Company", "Title", "Phone", "Campaign", "Notes"])
        out.writerow([NAME, COMPANY, TITLE, "+1 212 555 0101", CAMPAIGN, NOTES])
    summary = import_file(desk, path, ImportOptions(imported_by="ops"))
    assert summary.imported == 1, summary
    with desk.db.reading() as session:
        lead = session.exec(select(Lead)).one()
    return desk, int(lead.id or 0)


def drawn(app: QualdeskApp) -> str:
    """Every character on the screen, as the terminal would be sent it."""
    return html.unescape(app.export_screenshot()).replace("\u00a0", " ")


def assert_literal(screen: str, *pieces: str) -> None:
    for piece in pieces:
        assert piece in screen, piece
    for char in RAW:
        assert char not in screen, repr(char)


def test_hostile_values_are_stored_as_received(hostile: tuple[Desk, int]) -> None:
    desk, lead_id = hostile
    with desk.db.reading() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        assert (lead.name, lead.company, lead.title, lead.campaign) == (
            NAME, COMPANY, TITLE, CAMPAIGN,
        )  # fmt: skip
        assert lead.extra == {"Notes": NOTES}


async def test_hostile_text_is_drawn_literally_on_every_screen(
    hostile: tuple[Desk, int], clock: FrozenClock, tmp_path: Path
) -> None:
    desk, lead_id = hostile
    app = create_app(desk, rep="ana")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert_literal(drawn(app), "Ana [i]Reyes␛[0m")
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and app.screen.card is not None
        assert_literal(
            drawn(app), NAME_DRAWN, "CEO‹RLO›txt.exe", COMPANY,
            "␛[2J␛[31mred ‹ZWSP›hidden [link=http://x]x[/link]", "Spring [red]‹LRI›sale‹PDI›␛[0m",
        )  # fmt: skip
        # What the rep types is kept as typed, and drawn literally too.
        await pilot.press("i", *"[b]")
        notes = app.screen.query_one("#desk-notes", TextArea)
        app.post_message(events.Paste(" \x1b[H\u202e"))  # pasted from somewhere, as a terminal does
        await pilot.pause()
        await pilot.press("escape")
        assert notes.text == "[b] ␛[H‹RLO›"
        await pilot.press("1", "r")  # tick, then the answer
        await settle(pilot)
        await pilot.press(*"[on red]", "enter")
        await settle(pilot)
        assert_literal(drawn(app), "[on red]")
        # The quit question names the lead.
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert_literal(drawn(app), f"{NAME_DRAWN} goes back")
        await pilot.press("escape")
        await settle(pilot)
        app.notify(f"{NAME} {REASON}")
        await pilot.pause()
        assert_literal(drawn(app), "␛[5m=cmd|' /C calc'!A0")
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert_literal(drawn(app))
        await pilot.press("escape", "slash")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"Bob")
        await settle(pilot)
        assert_literal(drawn(app), NAME_DRAWN)
        await pilot.press("escape")
        await settle(pilot)

    # Qualify it, hand it off, and sales reject it with a hostile reason.
    ana = find_rep(desk, "ana")
    claim = claim_next(desk, ana, resume=True)  # the card was still open when the app closed
    assert claim is not None and claim.lead_id == lead_id
    for key in QUALIFYING:
        set_criterion(desk, claim, key, True, note=f"{key} \x1b[1m[b]noted")
    end_call(desk, claim, "connected", notes=f"call notes {NOTES}")
    clock.now += timedelta(minutes=5)
    handoff = tmp_path / "handoff.csv"
    export_leads(desk, out=handoff, by=Actor("lee", "lead"))
    with handoff.open(newline="", encoding="utf-8-sig") as handle:
        exported = next(csv.DictReader(handle))
    # Spreadsheet formulas are neutralised; the rest leaves as received.
    assert "'" + COMPANY in exported.values()
    assert NAME in exported.values() or any(NAME in v for v in exported.values())
    verdicts = tmp_path / "verdicts.csv"
    with verdicts.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Lead ID", "Verdict", "Reason"])
        out.writerow([lead_id, "rejected", REASON])
    assert read_feedback(desk, verdicts, by=Actor("lee", "lead")).rejected == 1

    app = create_app(desk, rep="lee")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, TeamScreen)
        assert_literal(drawn(app), "Spring [red]‹LRI›sale‹PDI›␛[0m")
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert_literal(
            drawn(app), "␛[5m=cmd|' /C calc'!A0", NAME_DRAWN, "␛[1m[b]noted",
            "␛[2J␛[31mred ‹ZWSP›hidden",
        )  # fmt: skip


def test_an_escape_in_a_key_field_refuses_the_row_and_keeps_it_as_sent(
    desk: Desk, tmp_path: Path
) -> None:
    path = tmp_path / "escape.csv"
    row = ["Eve \x1b[2J", "Acme", "+1 212 555 0102"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["Name", "Company", "Phone"], row])
    summary = import_file(desk, path, ImportOptions(imported_by="ops"))
    assert (summary.imported, summary.rejected) == (0, 1)
    assert summary.rejected_rows[0].reason == "control character in 'Name'"
    assert summary.rejects_file is not None
    with open(summary.rejects_file, newline="", encoding="utf-8-sig") as handle:
        kept = list(csv.reader(handle))
    assert kept[1][2:] == row  # after "Reject Line" and "Reject Reason", exactly as sent
