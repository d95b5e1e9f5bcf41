"""The desk application: built by a factory so tests pass in the desk and the clock."""

from __future__ import annotations

import asyncio
import contextlib
import signal
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
from qualdesk.tui.keygate import DeliverKey, KeyGate
from qualdesk.tui.keymap import binding_ids
from qualdesk.tui.screens import questions
from qualdesk.tui.screens.desk import DeskScreen, desk_screen
from qualdesk.tui.screens.forms import ConfirmDialog
from qualdesk.tui.screens.help import HelpScreen
from qualdesk.tui.screens.signin import SignInScreen


class QualdeskApp(App[None]):
    """The desk: sign in, then work."""

    CSS_PATH = "app.tcss"
    TITLE = "qualdesk"
    # The desk's keys are in the footer and in help (F1); a palette would only crowd them.
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1,question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(
        self,
        desk: Desk,
        rep: Rep | None = None,
        keymap: dict[str, str] | None = None,
        preferences: DeskPreferences | None = None,
    ):
        super().__init__()
        self.desk = desk
        self.rep = rep
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
        if self.rep is None:
            self.push_screen(SignInScreen(self.desk), self.sign_in)
        else:
            self.sign_in(self.rep)

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
        self.push_screen(desk_screen(self.desk, rep, self.preferences))

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
        loop = asyncio.get_running_loop()
        for number in self._signals:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(number)

    def _quit_now(self) -> None:
        self._quit([s for s in self.screen_stack if isinstance(s, DeskScreen)])

    def _quit_answer(self, quit_now: bool | None) -> None:
        self.asking_to_quit = None
        if quit_now:
            self._quit([s for s in self.screen_stack if isinstance(s, DeskScreen)])

    def _quit(self, desks: list[DeskScreen]) -> None:
        for screen in desks:
            screen.give_back()
        self.exit()


def create_app(
    desk: Desk,
    rep: str | None = None,
    keymap: dict[str, str] | None = None,
    preferences: DeskPreferences | None = None,
) -> QualdeskApp:
    """The desk app for a desk, signed in as `rep` (a handle) or asking who is there."""
    signed_in = find_rep(desk, rep) if rep else None
    if signed_in is not None and not signed_in.active:
        raise QualdeskError(f"rep {signed_in.handle!r} is deactivated (qualdesk reps activate)")
    return QualdeskApp(desk, signed_in, keymap, preferences)
