"""The desk's app fixtures and the helpers every TUI test shares."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select
from textual import events
from textual.app import App
from textual.widgets import Static
from textual.worker import WorkerCancelled

from qualdesk.db.models import Lead
from qualdesk.services.desk import Desk
from qualdesk.services.intake.importer import ImportOptions, import_file
from qualdesk.services.reps import add_rep
from qualdesk.tui.screens.help import KeyTable
from qualdesk.tui.widgets.keys import KeyRow

SIZE = (120, 40)
SMALL = (80, 24)
LEADS = """Name,Company,Title,Phone,Notes
Bob [/] [link=x],Acme [b],Owner,+1 212 555 0101,Met at [red]booth[/red]
Grace Hopper,Navy,Admiral,+1 212 555 0102,
Ada Lovelace,Analytical,,+44 20 7946 0958,
"""
# The characters a terminal sends for the keys tests name.
CHARACTERS = {"enter": "\r", "escape": "\x1b", "backspace": "\x7f", "tab": "\t", "space": " "}


@pytest.fixture
def staffed(desk: Desk, tmp_path: Path) -> Desk:
    """Two reps (ana in New York, ben in London) and three leads, one with hostile text."""
    add_rep(desk, "ana", "Ana Reyes", "rep", "America/New_York")
    add_rep(desk, "ben", "Ben Okafor", "rep", "Europe/London")
    path = tmp_path / "leads.csv"
    path.write_text(LEADS, encoding="utf-8")
    import_file(desk, path, ImportOptions(imported_by="ops"))
    return desk


async def settle(pilot: Any) -> None:
    """Wait until keys typed ahead are delivered, the app's work is done and its results shown."""
    app = pilot.app
    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):  # an exclusive worker made way for another
            await app.workers.wait_for_complete()
        while not _quiet(app):
            await asyncio.sleep(0.005)
        await pilot.pause()


def _quiet(app: App[Any]) -> bool:
    """No key waiting at the gate, no job waiting on a screen's work line."""
    if getattr(app, "keys", None) is not None and app.keys.waiting:  # type: ignore[attr-defined]
        return False
    lines = [getattr(screen, "line", None) for screen in app.screen_stack]
    return all(line is None or line.idle for line in lines)


def burst(app: App[Any], *keys: str) -> None:
    """Type keys with no pause between them, as a fast typist or a terminal's paste of keys.

    Each key goes in as the terminal driver would hand it over; nothing waits
    for the app to take one before the next arrives.
    """
    for key in keys:
        character = key if len(key) == 1 else CHARACTERS.get(key)
        app.post_message(events.Key(key, character))


def text_of(app: App[Any], selector: str) -> str:
    """The text a Static shows (a row of keys, or the help's table, as plain text)."""
    static = app.screen.query_one(selector, Static)
    if isinstance(static.content, KeyRow | KeyTable):
        return str(static.content)
    return str(static.render())


def lead(desk: Desk, lead_id: int) -> Lead:
    with desk.db.reading() as session:
        found = session.get(Lead, lead_id)
        assert found is not None
        return found


def rows(desk: Desk, model: type) -> list[Any]:
    with desk.db.reading() as session:
        key = model.id if hasattr(model, "id") else model.phone_e164  # type: ignore[attr-defined]
        return list(session.scalars(select(model).order_by(col(key))))
