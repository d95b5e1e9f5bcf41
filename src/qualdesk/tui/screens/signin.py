"""Signing in: pick who you are from the active reps, or give a handle and password."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from qualdesk.core.display import shown
from qualdesk.core.errors import QualdeskError
from qualdesk.core.passwords import MAX_LENGTH
from qualdesk.core.stages import Role
from qualdesk.db.models import Rep
from qualdesk.services.desk import Desk
from qualdesk.services.problems import unexpected_line
from qualdesk.services.reps import list_reps
from qualdesk.services.signin import change_own_password, sign_in
from qualdesk.tui.widgets.keys import legend
from qualdesk.tui.widgets.literal import LiteralInput

# Long enough for any password the desk stores; a longer one is refused, not cut.
TYPED_MAX = MAX_LENGTH + 1


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


class PasswordSignInScreen(Screen[Rep | None]):
    """Handle and password; Enter signs in. A refusal never says which one was wrong."""

    CSS_PATH = "signin.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Quit", id="signin.quit"),
    ]

    def __init__(self, desk: Desk, source: str, handle: str | None = None) -> None:
        super().__init__()
        self.desk = desk
        self.source = source
        self.handle = handle or ""
        self.checking = False

    @property
    def holding_keys(self) -> bool:
        """Keys typed while the password is checked wait for the desk it opens."""
        return self.checking

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="signin-box"):
            yield Static("Sign in to the desk", id="signin-title")
            yield LiteralInput(self.handle, placeholder="handle", max_length=40,
                               id="signin-handle")  # fmt: skip
            yield Input(placeholder="password", password=True, max_length=TYPED_MAX,
                        id="signin-password")  # fmt: skip
            yield Static("", id="signin-message")
            yield Static(
                legend(("Tab", "next box"), ("Enter", "sign in"), ("Esc", "quit")),
                id="signin-keys",
            )
        yield Footer()

    def on_mount(self) -> None:
        box = "#signin-password" if self.handle else "#signin-handle"
        self.query_one(box, Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        handle = self.query_one("#signin-handle", Input).value
        if event.input.id == "signin-handle" or not handle.strip():
            self.query_one("#signin-password", Input).focus()
            if not handle.strip():
                self.query_one("#signin-handle", Input).focus()
            return
        if not self.checking:
            self.checking = True
            self._say("Checking...")
            self._check(handle, self.query_one("#signin-password", Input).value)

    @work(thread=True, exclusive=True, group="sign-in")
    def _check(self, handle: str, password: str) -> None:
        """The password check takes a moment (a memory-hard hash): off the key path."""
        try:
            rep: Rep | str = sign_in(self.desk, handle, password, source=self.source)
        except QualdeskError as exc:
            rep = str(exc)
        except Exception as exc:  # the screen stays usable; the line says what happened
            rep = unexpected_line(exc)
        self.app.call_from_thread(self._checked, rep)

    def _checked(self, result: Rep | str) -> None:
        if isinstance(result, Rep):
            # Keys stay held until the desk this opens takes them up.
            self.dismiss(result)
            return
        self.checking = False
        password = self.query_one("#signin-password", Input)
        password.value = ""
        password.focus()
        self._say(result)

    def _say(self, line: str) -> None:
        self.query_one("#signin-message", Static).update(Text(shown(line)))

    def action_leave(self) -> None:
        self.dismiss(None)


class PasswordDialog(ModalScreen[bool]):
    """A rep changing their own password: the current one, then the new one twice."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="password.cancel"),
    ]

    def __init__(self, desk: Desk, rep: Rep, source: str) -> None:
        super().__init__()
        self.desk = desk
        self.rep = rep
        self.source = source
        self.changing = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="password"):
            yield Static(f"Change the password of {shown(self.rep.handle)}",
                         classes="dialog-title")  # fmt: skip
            for name, hint in (("current", "current password (empty if none)"),
                               ("new", "new password (8 characters or more)"),
                               ("again", "the new password again")):  # fmt: skip
                yield Input(placeholder=hint, password=True, max_length=TYPED_MAX,
                            id=f"password-{name}")  # fmt: skip
            yield Static("", id="password-message")
            yield Static(legend(("Enter", "next / change"), ("Esc", "cancel")),
                         classes="dialog-keys")  # fmt: skip

    def on_mount(self) -> None:
        self.query_one("#password-current", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        order = ["password-current", "password-new", "password-again"]
        at = order.index(event.input.id or order[0])
        if at < 2:
            self.query_one(f"#{order[at + 1]}", Input).focus()
            return
        current, new, again = (self.query_one(f"#{name}", Input).value for name in order)
        if new != again:
            self._say("the two new passwords differ")
            self.query_one("#password-new", Input).focus()
            return
        self.changing = True
        self._say("Changing...")
        self._change(current, new)

    @work(thread=True, exclusive=True, group="password")
    def _change(self, current: str, new: str) -> None:
        try:
            change_own_password(self.desk, self.rep, current, new, source=self.source)
        except QualdeskError as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        except Exception as exc:
            self.app.call_from_thread(self._refused, unexpected_line(exc))
            return
        self.app.call_from_thread(self.dismiss, True)

    def _refused(self, line: str) -> None:
        self.changing = False
        self._say(line)

    def _say(self, line: str) -> None:
        self.query_one("#password-message", Static).update(Text(shown(line)))

    def action_cancel(self) -> None:
        """Esc cancels, but not a change already under way: it says when it is done."""
        if not self.changing:
            self.dismiss(False)
