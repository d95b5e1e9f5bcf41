"""A radio button whose mark shows whether it is chosen, not only its colour."""

from __future__ import annotations

from typing import Any

from textual.widgets import RadioButton

ON, OFF = "●", " "


class Choice(RadioButton):
    """One choice of a RadioSet: `●` when chosen, empty when not.

    Textual's radio button tells the two apart by colour alone, which a
    colour-blind rep, a monochrome terminal or a screen read as text loses.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.BUTTON_INNER = ON if self.value else OFF

    def watch_value(self) -> None:
        self.BUTTON_INNER = ON if self.value else OFF
        super().watch_value()
