"""Keys typed ahead land where they would have landed typed slowly.

Textual hands a key to the focused widget's queue and moves on at once; the
key's effect (a binding on the screen, a dialog closing, a callback run by
the screen beneath) happens later, as it bubbles up one queue at a time. A
fast typist's keys overtake each other: a Backspace, which Input runs as a
binding once the key reaches the app, lands after the letter typed behind
it, and a digit typed as a dialog closes goes into the closing dialog.

The gate delivers one key at a time. The next key goes out only once every
queue in the app has drained from the last one (its bubbling, the dialog it
opened or closed, the callbacks it ran), and no screen holds keys while work
that decides where they land is under way (the next card loading). A screen
holds keys by answering True from `holding_keys`; it must take that up
before it starts the work, on the UI thread, so no key slips through.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from textual import events
from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump

# However busy the app, a key is delivered once its queues have churned this long
# without draining (a widget that never rests must not swallow the keyboard).
DRAIN_LIMIT = 1.0
# A screen that holds keys for longer than this has hung: keys go out regardless.
HOLD_LIMIT = 30.0
# Held this long, the way out (Ctrl+Q) overtakes the keys waiting: a rep stuck
# behind a stalled database can always leave.
URGENT_AFTER = 1.0
# Polls yield to the event loop at once at first, then every few milliseconds.
EAGER_POLLS = 64
POLL_EVERY = 0.002

Typed = events.Key | events.Paste


class DeliverKey(Message, bubble=False):
    """Posted to the app by the gate: hand this key (or paste) on now."""

    def __init__(self, event: Typed, delivered: asyncio.Event) -> None:
        super().__init__()
        self.event = event
        self.delivered = delivered


class KeyGate:
    """Keys and pastes from the terminal, delivered in order, each after the last settled."""

    def __init__(self, app: App[Any], urgent: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.urgent = urgent
        self.waiting: deque[Typed] = deque()
        self._runner: asyncio.Task[None] | None = None
        self._held_since: float | None = None

    def take(self, event: Typed) -> bool:
        """Take a key to deliver later; False if it is to be delivered now.

        A key is delivered now when nothing is waiting and the app has settled,
        or when it is an urgent key (the way out) and a screen has held the
        keys for a while.
        """
        if not self.waiting and self.settled():
            return False
        if isinstance(event, events.Key) and event.key in self.urgent and self._stuck():
            return False
        self.waiting.append(event)
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._run())
        return True

    def settled(self) -> bool:
        """Whether everything the last key set off is done, and no screen holds keys."""
        return not self.held() and self.drained()

    def held(self) -> bool:
        """Whether a screen holds keys while work that decides where they land is under way."""
        held = getattr(self.app, "holding_keys", False) or any(
            getattr(screen, "holding_keys", False) for screen in self.app.screen_stack
        )
        if not held:
            self._held_since = None
        elif self._held_since is None:
            self._held_since = time.monotonic()
        return held

    def _stuck(self) -> bool:
        return self.held() and time.monotonic() - (self._held_since or 0.0) >= URGENT_AFTER

    def drained(self) -> bool:
        """Every queue of the app, its screens and their widgets is empty."""
        for screen in self.app.screen_stack:
            if screen._callbacks:
                return False
            for node in screen.walk_children(with_self=True):
                if _busy(node):
                    return False
        return not _busy(self.app)

    async def _run(self) -> None:
        while self.waiting and self.app.is_running:
            await self._until_settled()
            event = self._urgent() or self.waiting.popleft()
            delivered = asyncio.Event()
            if not self.app.post_message(DeliverKey(event, delivered)):
                self.waiting.clear()  # the app is closing
                return
            await delivered.wait()

    def _urgent(self) -> Typed | None:
        """The way out, taken from among the waiting keys when a screen has held them too long.

        The keys typed before it were typed into a desk that did not answer:
        they are dropped, and the rep is told how many, rather than landing on
        the question the way out asks.
        """
        if not self._stuck():
            return None
        for event in self.waiting:
            if isinstance(event, events.Key) and event.key in self.urgent:
                dropped = 0
                while self.waiting[0] is not event:
                    self.waiting.popleft()
                    dropped += 1
                self.waiting.popleft()
                if dropped:
                    keys = f"{dropped} keys" if dropped > 1 else "1 key"
                    were = "were" if dropped > 1 else "was"
                    self.app.notify(
                        f"{keys} typed while the desk was waiting for the database {were} not "
                        "used: type them again.",
                        severity="warning",
                        timeout=10,
                    )
                return event
        return None

    async def _until_settled(self) -> None:
        started = time.monotonic()
        polls = 0
        while self.app.is_running:
            now = time.monotonic()
            if self.held():
                if now - (self._held_since or now) >= HOLD_LIMIT or self._urgent_waits():
                    return
                started = now  # draining is timed from the end of the hold
            elif self.drained() or now - started >= DRAIN_LIMIT:
                return
            polls += 1
            await asyncio.sleep(0 if polls < EAGER_POLLS else POLL_EVERY)

    def _urgent_waits(self) -> bool:
        return self._stuck() and any(
            isinstance(event, events.Key) and event.key in self.urgent for event in self.waiting
        )


def _busy(pump: MessagePump) -> bool:
    return bool(pump._message_queue.qsize() or pump._next_callbacks)
