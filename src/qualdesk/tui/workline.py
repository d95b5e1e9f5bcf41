"""A screen's database work, done off the UI thread in the order it was asked for.

A rep ticks criterion 1, unticks it, then ends the call, all within a few
milliseconds: the ticks must reach the database in that order, and the
end of the call must see both. Each job runs in turn on the line's own
thread; what it returns (a Message) is posted to the screen, so the screen
learns of results the Textual way and never waits on the database. The
thread is the line's own, not a Textual worker, so that a desk closing can
wait for its last writes without needing the event loop it is blocking.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from textual.dom import DOMNode
from textual.message import Message

Job = Callable[[], Message | None]


class JobFailed(Message):
    """A job raised instead of returning its result (a job is meant to say what went wrong)."""

    def __init__(self, error: BaseException, tag: str = "") -> None:
        super().__init__()
        self.error = error
        # What the job was submitted as (the screen's own word for it).
        self.tag = tag


class WorkLine:
    """Jobs for one screen, run one after another on one thread."""

    def __init__(self, owner: DOMNode, name: str) -> None:
        self.owner = owner
        self.name = name
        self._jobs: deque[tuple[Job, str]] = deque()
        self._changed = threading.Condition()
        self._busy = False
        self._thread: threading.Thread | None = None

    @property
    def idle(self) -> bool:
        """Whether every job asked for has run."""
        with self._changed:
            return not self._jobs and not self._busy

    def submit(self, job: Job, tag: str = "") -> None:
        """Queue a job behind those already asked for; `tag` comes back if it raises."""
        with self._changed:
            self._jobs.append((job, tag))
            self._changed.notify_all()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()

    def wait(self, timeout: float) -> bool:
        """Wait until every job asked for has run; False if some are still running."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._jobs and not self._busy, timeout)

    def _run(self) -> None:
        while True:
            with self._changed:
                self._busy = False
                self._changed.notify_all()
                self._changed.wait_for(lambda: bool(self._jobs))
                job, tag = self._jobs.popleft()
                self._busy = True
            try:
                message = job()
            except BaseException as error:  # the line goes on; the screen says what failed
                message = JobFailed(error, tag)
            if message is not None:
                self.owner.post_message(message)
