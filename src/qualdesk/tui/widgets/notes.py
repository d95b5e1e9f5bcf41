"""The call notes box: what the rep types, kept as a draft once typing pauses."""

from __future__ import annotations

import time

from textual.message import Message
from textual.timer import Timer
from textual.widgets import TextArea

from qualdesk.core.display import shown
from qualdesk.tui.widgets.literal import NotesArea

# The notes are kept once typing pauses this long, and at least this often while it
# goes on: a crash or a closed terminal loses seconds, not the call.
DRAFT_PAUSE = 1.5
DRAFT_EVERY = 5.0


class CallNotes(NotesArea):
    """Notes for the call on the card; posts DraftDue when what was typed should be kept."""

    DEFAULT_CSS = """
    CallNotes {
        height: 5;
        border: round $primary-lighten-2;
    }
    CallNotes:focus {
        border: round $accent;
    }
    """

    class DraftDue(Message):
        """The notes have changed since they were last kept: keep these."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, soft_wrap=True, show_line_numbers=False)
        self.border_title = "Call notes (i to write, Esc to leave)"
        # The text last handed over to be kept, the pending save, and when typing began.
        self.kept = ""
        self._timer: Timer | None = None
        self._since: float | None = None

    def load(self, text: str) -> None:
        """Show these notes (a new card's, or a draft brought back) as already kept."""
        self.stop()
        self.kept = shown(text, lines=True)
        self.text = self.kept
        self.move_cursor(self.document.end)  # typing goes on after the restored notes

    def flush(self) -> str | None:
        """Stop waiting; the notes to keep now, or None if they are kept already."""
        self.stop()
        if self.text == self.kept:
            return None
        self.kept = self.text
        return self.kept

    def stop(self) -> None:
        """Forget the pending save (the notes are saved with the call, or the card closed)."""
        if self._timer is not None:
            self._timer.stop()
        self._timer, self._since = None, None

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area is not self or self.text == self.kept:
            return
        now = time.monotonic()
        if self._since is None:
            self._since = now
        if self._timer is not None:
            self._timer.stop()
        wait = min(DRAFT_PAUSE, self._since + DRAFT_EVERY - now)
        self._timer = self.set_timer(max(wait, 0.0), self._due)

    def _due(self) -> None:
        text = self.flush()
        if text is not None:
            self.post_message(self.DraftDue(text))
