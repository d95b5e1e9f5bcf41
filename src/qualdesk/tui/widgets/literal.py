"""Text boxes that never hand the terminal a control character.

An Input or TextArea draws its text as it is: an escape sequence pasted from
an e-mail or a web page would reach the terminal and act there. Pasted text
and starting values are drawn literally instead (core.display): ESC as ␛,
bidi and zero-width characters as marks the rep can see and delete.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Input, TextArea

from qualdesk.core.display import shown


class LiteralInput(Input):
    """A one-line Input whose starting value and pastes are drawn literally."""

    def __init__(self, value: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(shown(value) if value else value, *args, **kwargs)

    def _on_paste(self, event: events.Paste) -> None:
        # Textual calls each class's own handler in turn, this one first: Input's then
        # inserts the text as cleaned here.
        event.text = shown(event.text.splitlines()[0]) if event.text else event.text


class NotesArea(TextArea):
    """A notes editor whose pastes and loaded text are drawn literally (line breaks kept)."""

    async def _on_paste(self, event: events.Paste) -> None:
        # As above: TextArea's own handler runs next and inserts the cleaned text.
        event.text = shown(event.text, lines=True)
