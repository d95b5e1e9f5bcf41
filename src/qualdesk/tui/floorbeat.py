"""The desk's line on the live floor: its session opened at sign-in, a beat every few seconds.

Each beat reads what the rep is doing from the screens (the desk's card,
call and routing dialog, or the team view) on the app's thread, then writes
it from a thread worker, so a slow database never holds a key. A beat that
fails is logged once per run of failures and never shown to the rep: the
floor is the team lead's view, and it shows the desk as gone meanwhile.
"""

from __future__ import annotations

import os
import socket
import threading
from datetime import datetime
from functools import partial
from typing import Any

from textual.app import App
from textual.timer import Timer

from qualdesk.core.floor import BEAT_EVERY, TEAM, WAITING
from qualdesk.db.models import Rep
from qualdesk.services import floor
from qualdesk.services.desk import Desk
from qualdesk.services.problems import log_unexpected
from qualdesk.tui.screens.desk import DeskScreen
from qualdesk.tui.screens.team import TeamScreen

# On sign-out or quit, how long ending the session may hold the app; past it, the
# floor finds the desk gone a few beats later.
STOP_WAIT = 2.0


def terminal_place() -> str:
    """Where a terminal desk runs: the host and the process."""
    return f"{socket.gethostname()} pid {os.getpid()}"


class FloorBeat:
    """Keeps one signed-in desk on the live floor: opens its session, beats, ends it."""

    def __init__(
        self, desk: Desk, rep: Rep, *, source: str = "terminal", place: str | None = None
    ) -> None:
        self.desk = desk
        self.rep = rep
        self.source = source
        self.place = terminal_place() if place is None else place
        self.session_id: int | None = None
        self._app: App[Any] | None = None
        self._timer: Timer | None = None
        self._started_at: datetime | None = None
        self._stopped = False
        # One write at a time: a beat due while the last is still being written is skipped.
        self._writing = threading.Lock()
        self._failing = False

    def start(self, app: App[Any]) -> None:
        """Open the session (in a worker) and beat every few seconds until `stop`."""
        self._app = app
        self._started_at = self.desk.clock()
        self.beat_now()
        self._timer = app.set_interval(BEAT_EVERY.total_seconds(), self.beat_now, name="floor-beat")

    def reading(self) -> tuple[str, int | None, datetime]:
        """What the rep is doing now, the lead on their card, and their last key press."""
        app = self._app
        assert app is not None and self._started_at is not None
        stack = app.screen_stack
        state: str = WAITING
        lead_id: int | None = None
        if any(isinstance(screen, TeamScreen) for screen in stack):
            state = TEAM
        else:
            desk = next((s for s in reversed(stack) if isinstance(s, DeskScreen)), None)
            if desk is not None:
                state, lead_id = desk.floor_state()
        last_key = getattr(app, "last_key_at", None)
        return state, lead_id, last_key if isinstance(last_key, datetime) else self._started_at

    def beat_now(self) -> None:
        """Say what the rep is doing now (read here, written by a worker)."""
        if self._app is None or self._stopped:
            return
        state, lead_id, last_key_at = self.reading()
        self._app.run_worker(
            partial(self._write, state, lead_id, last_key_at),
            name="floor beat", group="floor-beat", thread=True, exit_on_error=False,
        )  # fmt: skip

    def _write(self, state: str, lead_id: int | None, last_key_at: datetime) -> None:
        if not self._writing.acquire(blocking=False):
            return
        try:
            if self._stopped:
                return
            heard = self._beat(state, lead_id, last_key_at) if self.session_id else None
            if heard is None or not heard.open:
                # None yet, or ended meanwhile (a newer desk of this rep took it for gone).
                self.session_id = floor.open_session(
                    self.desk, self.rep, source=self.source, place=self.place,
                    last_key_at=last_key_at,
                )  # fmt: skip
                heard = self._beat(state, lead_id, last_key_at)
            self._failing = False
            if not heard.holding and self._app is not None:
                self._app.call_from_thread(self._lost, lead_id)
        except Exception as exc:  # a beat must never reach the rep
            if not self._failing:
                log_unexpected(exc)
            self._failing = True
        finally:
            self._writing.release()

    def _beat(self, state: str, lead_id: int | None, last_key_at: datetime) -> floor.Heard:
        assert self.session_id is not None
        return floor.beat(
            self.desk, self.session_id, state=state, lead_id=lead_id, last_key_at=last_key_at
        )

    def _lost(self, lead_id: int | None) -> None:
        """The rep no longer holds the lead on their card (a team lead released it): the
        desk checks its hold now, and closes the card as any lost hold closes it."""
        assert self._app is not None
        desks = [s for s in self._app.screen_stack if isinstance(s, DeskScreen)]
        for desk in desks:
            if desk.claim is not None and desk.claim.lead_id == lead_id:
                desk._renew()

    def stop(self, why: str) -> None:
        """The rep signs out or the desk closes: no more beats, and the session ends.

        Waits at most STOP_WAIT for the database; a session left open shows as
        gone on the floor, and the rep's next sign-in ends it.
        """
        self._stopped = True
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        ending = threading.Thread(target=self._end, args=(why,), daemon=True)
        ending.start()
        ending.join(STOP_WAIT)

    def _end(self, why: str) -> None:
        if not self._writing.acquire(timeout=STOP_WAIT):
            return
        try:
            if self.session_id is not None:
                floor.end_session(self.desk, self.session_id, why)
                self.session_id = None
        except Exception as exc:  # quitting must not fail on the floor
            log_unexpected(exc)
        finally:
            self._writing.release()
