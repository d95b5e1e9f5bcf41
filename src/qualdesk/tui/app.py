"""The desk application: built by a factory so tests pass in the desk and the clock."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.driver import Driver
from textual.notifications import SeverityLevel
from textual.worker import Worker, WorkerState

from qualdesk.core.display import shown
from qualdesk.core.errors import QualdeskError
from qualdesk.db.models import Rep
from qualdesk.services.desk import Desk
from qualdesk.services.locations import DeskPreferences
from qualdesk.services.problems import unexpected_line
from qualdesk.services.reps import find_rep
from qualdesk.services.signin import record_sign_in, record_sign_out, requires_password
from qualdesk.tui.browser import close_unless_signed_in, served_exposed
from qualdesk.tui.keygate import DeliverKey, KeyGate
from qualdesk.tui.keymap import binding_ids
from qualdesk.tui.screens import questions
from qualdesk.tui.screens.desk import QUIT_WAIT, DeskScreen, desk_screen
from qualdesk.tui.screens.forms import ConfirmDialog
from qualdesk.tui.screens.help import HelpScreen
from qualdesk.tui.screens.signin import PasswordDialog, PasswordSignInScreen, SignInScreen

# How often the desk looks for a rep gone idle (the rules say how long is too long).
IDLE_CHECK_SECONDS = 20
# How long a closed desk waits for the database to take back its lead (a quit waits QUIT_WAIT).
CLOSED_WAIT = 10.0


class QualdeskApp(App[None]):
    """The desk: sign in, then work."""

    CSS_PATH = "app.tcss"
    TITLE = "qualdesk"
    # The desk's keys are in the footer and in help (F1); a palette would only crowd them.
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1,question_mark", "help", "Help", id="app.help"),
        Binding("f2", "password", "Password", id="app.password", show=False),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(
        self,
        desk: Desk,
        rep: Rep | None = None,
        keymap: dict[str, str] | None = None,
        preferences: DeskPreferences | None = None,
        *,
        source: str = "",
        handle: str | None = None,
        served: bool = False,
    ):
        super().__init__()
        self.desk = desk
        self.rep = rep
        # Where this desk runs, for the sign-in log and the live floor.
        self.served = served
        self.source = source or f"terminal on {socket.gethostname()} (pid {os.getpid()})"
        # A handle to offer on the password sign-in screen (--rep, the config's rep).
        self.handle = handle
        self.last_key_at: datetime = desk.clock()
        # Keys typed as the desk starts wait for its first screen.
        self.holding_keys = True
        self.floor_beat: object | None = None
        self.user_keys = keymap or {}
        self.preferences = preferences or DeskPreferences()
        self.asking_to_quit: ConfirmDialog | None = None
        self._signals: list[int] = []
        # Keys typed ahead are delivered in order, each once the last has settled.
        self.keys = KeyGate(self, urgent=frozenset({"ctrl+q"}))

    def get_driver_class(self) -> type[Driver]:
        """On Linux and macOS, the terminal driver that keeps Escape and the next key apart."""
        driver = super().get_driver_class()
        if driver.__name__ == "LinuxDriver" and driver.__module__.startswith("textual."):
            from qualdesk.tui.terminal import DeskTerminal

            return DeskTerminal
        return driver

    async def on_event(self, event: events.Event) -> None:
        """Keys and pastes from the terminal go through the gate, in the order typed."""
        typed = isinstance(event, events.Key | events.Paste) and not event.is_forwarded
        if typed:
            self.last_key_at = self.desk.clock()
        if typed and self.keys.take(event):  # type: ignore[arg-type]
            return
        await super().on_event(event)

    async def on_deliver_key(self, message: DeliverKey) -> None:
        """The gate's turn for a key that waited: handle it as it would have been on arrival."""
        try:
            await super().on_event(message.event)
        finally:
            message.delivered.set()

    def on_mount(self) -> None:
        if self.user_keys:
            self.set_keymap(self.user_keys)
            unknown = sorted(set(self.user_keys) - binding_ids(self.desk, *self.BINDINGS))
            if unknown:
                self.notify(
                    f"The config file remaps unknown key ids: {', '.join(unknown)} "
                    "(F1 lists every id).",
                    severity="warning",
                    timeout=10,
                )
        self.sub_title = self.desk.rules().rules.name
        self._quit_on_signals()
        self.set_interval(IDLE_CHECK_SECONDS, self.sign_out_if_idle, name="idle sign-out")
        if self.rep is None:
            self.push_screen(self.sign_in_screen(), self.sign_in)
        else:
            self.sign_in(self.rep)
        self.call_after_refresh(self._started)

    def _started(self) -> None:
        self.holding_keys = False

    def sign_in_screen(self) -> SignInScreen | PasswordSignInScreen:
        """The screen that asks who is there, as the rules in force want it asked.

        On a served desk nobody signs in on in time, it closes the desk.
        """
        screen: SignInScreen | PasswordSignInScreen
        if self.asks_password():
            screen = PasswordSignInScreen(self.desk, self.source, self.handle)
        else:
            screen = SignInScreen(self.desk)
        if self.served:
            close_unless_signed_in(self, screen)
        return screen

    def asks_password(self) -> bool:
        """Whether reps sign in here with a password: the rules ask for it, or this desk is
        served by a server other machines reach (then whatever the rules say)."""
        return requires_password(self.desk) or (self.served and served_exposed())

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is drawn literally: messages carry names and text from files."""
        super().notify(
            shown(message, lines=True), title=shown(title), severity=severity, timeout=timeout,
            markup=False,
        )  # fmt: skip

    def action_help_quit(self) -> None:
        """Ctrl+C does not quit (it copies in a text box): say which key does."""
        for active in self.active_bindings.values():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(f"Press {self.get_key_display(active.binding)} to quit.", title="Quit?")
                return

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed: one line on screen, the traceback in the log file."""
        if event.state is not WorkerState.ERROR or event.worker.error is None:
            return
        error = event.worker.error
        if isinstance(error, QualdeskError):
            self.notify(str(error), severity="error", timeout=10)
        else:
            self.notify(unexpected_line(error), severity="error", timeout=15)

    def sign_in(self, rep: Rep | None) -> None:
        """Open the desk for the rep who signed in."""
        if rep is None:
            self.exit()
            return
        self.rep = rep
        self.last_key_at = self.desk.clock()
        if not self.asks_password():  # a password sign-in is recorded as it is checked
            self._record_presence(record_sign_in, rep, source=self.source)
        self._start_floor(rep)
        self.push_screen(desk_screen(self.desk, rep, self.preferences))

    def sign_out_if_idle(self) -> None:
        """Sign out a desk left without a key press for the rules' idle time."""
        if self.rep is None:
            return
        idle_for = self.desk.rules().rules.idle_sign_out
        if self.desk.clock() - self.last_key_at >= idle_for:
            minutes = int(idle_for.total_seconds() // 60)
            self.sign_out(f"idle {minutes} min")
            self.notify(
                f"Signed out after {minutes} minutes without a key press; any lead held went "
                "back to the queue, its notes kept as a draft.",
                severity="warning",
                timeout=30,
            )

    def sign_out(self, why: str) -> None:
        """Give back the lead held (notes kept as a draft), record it, and ask who is there."""
        rep = self.rep
        for screen in [s for s in self.screen_stack if isinstance(s, DeskScreen)]:
            screen.give_back()
        self._stop_floor(why)
        if rep is not None:
            self._record_presence(record_sign_out, rep, source=self.source, why=why)
        self.rep = None
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(self.sign_in_screen(), self.sign_in)

    def action_password(self) -> None:
        """A rep changes their own password (F2)."""
        if self.rep is None or isinstance(self.screen, PasswordDialog):
            return
        rep = self.rep

        def done(changed: bool | None) -> None:
            if changed:
                self.notify(f"Password changed for {rep.handle}.")

        self.push_screen(PasswordDialog(self.desk, rep, self.source), done)

    def _start_floor(self, rep: Rep) -> None:
        """The live floor's record of this desk (who, where, doing what), kept fresh."""
        from qualdesk.tui.floorbeat import FloorBeat

        if self.served:  # the browser's address, and this tab's own process
            where = self.source.removeprefix("browser").strip() or "tab"
            place = f"{where} pid {os.getpid()}"
            beat = FloorBeat(self.desk, rep, source="browser", place=place)
        else:
            beat = FloorBeat(self.desk, rep, source="terminal")
        beat.start(self)
        self.floor_beat = beat

    def _stop_floor(self, why: str) -> None:
        beat, self.floor_beat = self.floor_beat, None
        if beat is not None:
            beat.stop(why)  # type: ignore[attr-defined]

    def _record_presence(self, record: Callable[..., None], rep: Rep, **how: str) -> None:
        """Record a sign-in or sign-out; a failure to record never stops the desk."""
        try:
            record(self.desk, rep, **how)
        except Exception as exc:
            self.log.error(f"sign-in log not written: {exc!r}")

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    async def action_quit(self) -> None:
        """Quit, giving back a lead still held so it returns to the queue at once.

        With a card open, ask first: its outcome and notes are not saved yet.
        Ctrl+Q again (or Enter) quits.
        """
        desks = [screen for screen in self.screen_stack if isinstance(screen, DeskScreen)]
        open_card = next((d.card for d in desks if d.card is not None), None)
        asking = self.asking_to_quit is not None and self.asking_to_quit in self.screen_stack
        if open_card is not None and not asking:
            who = open_card.lead.name or open_card.lead.company
            self.asking_to_quit = questions.quit_with_card(who)
            self.push_screen(self.asking_to_quit, self._quit_answer)
            return
        self._quit(desks)

    def _quit_on_signals(self) -> None:
        """A closed terminal (SIGHUP) or a shutdown (SIGTERM) quits as Ctrl+Q twice does.

        The notes are kept as a draft and the lead goes back to the queue at
        once, rather than waiting held for its lease to run out.
        """
        loop = asyncio.get_running_loop()
        for name in ("SIGHUP", "SIGTERM"):
            number = getattr(signal, name, None)
            if number is None:
                continue  # not on this system
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(number, self._quit_now)
                self._signals.append(number)

    def on_unmount(self) -> None:
        if self.rep is not None:  # closed without the quit key (a test, an error)
            self._stop_floor("closed")
            self._record_presence(record_sign_out, self.rep, source=self.source, why="closed")
            self.rep = None
        loop = asyncio.get_running_loop()
        for number in self._signals:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(number)

    def _quit_now(self) -> None:
        self._quit([s for s in self.screen_stack if isinstance(s, DeskScreen)], why="closed")

    def _quit_answer(self, quit_now: bool | None) -> None:
        self.asking_to_quit = None
        if quit_now:
            self._quit([s for s in self.screen_stack if isinstance(s, DeskScreen)])

    def _quit(self, desks: list[DeskScreen], why: str = "quit") -> None:
        # Closed (a tab, a terminal): nobody waits on this desk any more, and many may close
        # at once (a server stopping), so it waits longer for the database to take the lead.
        wait = CLOSED_WAIT if why == "closed" else QUIT_WAIT
        for screen in desks:
            screen.give_back(wait)
        self._stop_floor(why)
        if self.rep is not None:
            self._record_presence(record_sign_out, self.rep, source=self.source, why=why)
            self.rep = None
        self.exit()


def create_app(
    desk: Desk,
    rep: str | None = None,
    keymap: dict[str, str] | None = None,
    preferences: DeskPreferences | None = None,
    *,
    served: bool = False,
    source: str = "",
) -> QualdeskApp:
    """The desk app for a desk, signed in as `rep` (a handle) or asking who is there.

    On a desk that asks for passwords, `rep` is only offered on the sign-in
    screen; a served desk (a browser tab's) always asks who is there, with a
    password whatever the rules say when its server lets other machines in
    (qualdesk serve sets QUALDESK_SERVED_EXPOSED=1 for its desks).
    """
    if served:
        return QualdeskApp(desk, None, keymap, preferences, source=source or "browser", served=True)
    if requires_password(desk):
        return QualdeskApp(desk, None, keymap, preferences, source=source, handle=rep)
    signed_in = find_rep(desk, rep) if rep else None
    if signed_in is not None and not signed_in.active:
        raise QualdeskError(f"rep {signed_in.handle!r} is deactivated (qualdesk reps activate)")
    return QualdeskApp(desk, signed_in, keymap, preferences, source=source)
