"""Signing in: pick who you are from the active reps."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from qualdesk.core.display import shown
from qualdesk.core.stages import Role
from qualdesk.db.models import Rep
from qualdesk.services.desk import Desk
from qualdesk.services.reps import list_reps
from qualdesk.tui.widgets.keys import legend


def _option(rep: Rep) -> Option:
    """A rep as the list shows them: name, handle, role (team leads stand out) and zone."""
    text = Text()
    text.append(shown(rep.name), style="bold")
    text.append(f"  {shown(rep.handle)}  ", style="dim")
    if rep.role == Role.LEAD.value:
        text.append("team lead", style="bold yellow")
    else:
        text.append(shown(rep.role))
    text.append(f"  {shown(rep.time_zone)}", style="dim")
    return Option(text, id=rep.handle)


class SignInScreen(Screen[Rep | None]):
    """A list of the desk's active reps; Enter signs in as the highlighted one."""

    CSS_PATH = "signin.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Quit", id="signin.quit"),
    ]

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.reps = list_reps(desk, active_only=True)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="signin-box"):
            yield Static("Who is signing in?", id="signin-title")
            if self.reps:
                yield OptionList(*(_option(rep) for rep in self.reps), id="signin-reps")
                yield Static(
                    legend(("↑↓", "choose"), ("Enter", "sign in"), ("Esc", "quit")),
                    id="signin-keys",
                )
            else:
                yield Static(
                    "No reps on this desk yet. Add one from a shell:\n"
                    "  qualdesk reps add HANDLE --name NAME",
                    id="signin-empty",
                )
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        chosen = next(r for r in self.reps if r.handle == event.option.id)
        self.dismiss(chosen)

    def action_leave(self) -> None:
        self.dismiss(None)
