"""Keys in dialogs: the hint line ("Enter book   Esc cancel") and Enter that waits for typing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Input


def legend(*pairs: tuple[str, str]) -> Text:
    """Keys in bold, each followed by what it does."""
    text = Text()
    for index, (key, meaning) in enumerate(pairs):
        if index:
            text.append("   ")
        text.append(key, style="bold")
        text.append(f" {meaning}")
    return text


def after_typing(screen: Screen[Any], callback: Callable[[], object]) -> None:
    """Run `callback` once the focused input has taken every key typed before Enter.

    A dialog's Enter is a priority binding (it must work from any field), so
    the app handles it at once, while characters typed just before it may
    still wait in the input's queue. Queuing a note behind them, which then
    hands the callback back to the screen (a dialog may close itself only
    from its own queue, not from a child's), means a fast typist's last
    characters are never lost.
    """

    def run() -> None:
        # A second Enter queued behind the first finds the dialog already closed.
        if screen.is_active:
            callback()  # its result (a dialog's dismissal) is never awaited here

    focused = screen.focused
    if isinstance(focused, Input):
        focused.call_later(screen.call_later, run)
    else:
        run()
