"""Every key of the desk by its binding id: what a user may remap in the config file."""

from __future__ import annotations

from textual.binding import Binding, BindingType
from textual.dom import DOMNode

from qualdesk.services.desk import Desk
from qualdesk.tui.screens.answer import AnswerDialog
from qualdesk.tui.screens.callback import CallbackDialog
from qualdesk.tui.screens.desk import DeskScreen, rules_bindings
from qualdesk.tui.screens.export import ExportDialog
from qualdesk.tui.screens.forms import AskDialog, ConfirmDialog, TouchDialog
from qualdesk.tui.screens.help import HelpScreen
from qualdesk.tui.screens.lead import LeadDialog
from qualdesk.tui.screens.questions import CalledIn
from qualdesk.tui.screens.queue import QueueScreen
from qualdesk.tui.screens.review import ReviewScreen
from qualdesk.tui.screens.routing import RoutingDialog
from qualdesk.tui.screens.search import SearchScreen
from qualdesk.tui.screens.signin import SignInScreen
from qualdesk.tui.screens.team import TeamScreen

SCREENS: tuple[type[DOMNode], ...] = (
    DeskScreen,
    RoutingDialog,
    CallbackDialog,
    TouchDialog,
    AnswerDialog,
    LeadDialog,
    ConfirmDialog,
    CalledIn,
    QueueScreen,
    SearchScreen,
    HelpScreen,
    SignInScreen,
    TeamScreen,
    ReviewScreen,
    ExportDialog,
    AskDialog,
)


def binding_ids(desk: Desk, *app_bindings: BindingType) -> set[str]:
    """Every binding id a user may remap: the screens', the app's, and the rules' own keys."""
    bindings = [
        *(binding for screen in SCREENS for binding in screen.BINDINGS),
        *app_bindings,
        *rules_bindings(desk.rules().rules),
    ]
    return {binding.id for binding in bindings if isinstance(binding, Binding) and binding.id}
