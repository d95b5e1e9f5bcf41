"""Keys in dialogs: the hint line ("Enter book   Esc cancel")."""

from __future__ import annotations

from rich.text import Text


def legend(*pairs: tuple[str, str]) -> Text:
    """Keys in bold, each followed by what it does."""
    text = Text()
    for index, (key, meaning) in enumerate(pairs):
        if index:
            text.append("   ")
        text.append(key, style="bold")
        text.append(f" {meaning}")
    return text
