"""A rep's call desk (the real app, headless) that types call notes and then waits to be killed.

    python -m tests.stress.tui_rep DB HANDLE NOTES --epoch WALL

It takes the next lead, types NOTES into the call notes as a rep would,
prints the lead id, and waits: the test kills it with kill -9, as a laptop
dies, or closes it with SIGHUP or SIGTERM, and checks what the database kept.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import datetime, timedelta
from pathlib import Path

from qualdesk.services.desk import open_desk
from qualdesk.tui.app import create_app
from qualdesk.tui.screens.desk import DeskScreen
from tests.stress.rep import MONDAY


async def work(db: Path, handle: str, notes: str, epoch: float) -> None:
    def clock() -> datetime:
        return MONDAY + timedelta(seconds=time.time() - epoch)

    desk = open_desk(db, clock=clock, upgrade=False)
    app = create_app(desk, rep=handle)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        deadline = time.monotonic() + 30
        while not (isinstance(app.screen, DeskScreen) and app.screen.card is not None):
            if time.monotonic() > deadline:
                raise SystemExit("no card came up within 30 s")
            await asyncio.sleep(0.02)
        await pilot.press("i")
        for char in notes:
            await pilot.press("space" if char == " " else char)
            await asyncio.sleep(0.01)  # typing speed, about a hundred keys a second
        print(app.screen.card.lead.id, flush=True)
        # Killed (or sent a signal) long before this; a signal makes the app quit.
        deadline = time.monotonic() + 120
        while app.is_running and time.monotonic() < deadline:
            await asyncio.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("handle")
    parser.add_argument("notes")
    parser.add_argument("--epoch", type=float, required=True)
    args = parser.parse_args()
    asyncio.run(work(args.db, args.handle, args.notes, args.epoch))


if __name__ == "__main__":
    main()
