"""The desk: the rep works the queue, one call card at a time, from the keyboard.

The screen coordinates: its widgets draw themselves (the card, the call bar,
the notes, the idle panel), every decision (which lead comes next, where a
lead goes, whether a call may be logged) is a service call, and every
service call runs on the screen's work line, in the order the keys asked
for it, with its result coming back as a Message. While the work that
decides where the next keys land is under way (the next card, the routing
proposal), the screen holds the keys (see keygate).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header

from qualdesk.core.callbacks import plan_callback
from qualdesk.core.display import shown
from qualdesk.core.edits import LABELS
from qualdesk.core.hours import zone
from qualdesk.core.rules import DeskRules, Disposition
from qualdesk.core.stages import Outcome, Role
from qualdesk.db.models import Rep
from qualdesk.services.calling import calls, leads, queue
from qualdesk.services.calling.calls import CallCard
from qualdesk.services.calling.lease import Claim
from qualdesk.services.desk import Desk
from qualdesk.services.figures import stats
from qualdesk.services.locations import DeskPreferences
from qualdesk.tui.deskwork import DeskWork, Moved, one_line
from qualdesk.tui.messages import (
    CallbackAsked,
    CardLost,
    CardRead,
    CardReady,
    CountsRead,
    DraftNotKept,
    EditRefused,
    LeadEdited,
    RouteProposed,
    TakeBackAsked,
    WorkFailed,
)
from qualdesk.tui.screens import questions
from qualdesk.tui.screens.answer import AnswerDialog
from qualdesk.tui.screens.callback import CallbackChoice, CallbackDialog
from qualdesk.tui.screens.forms import TouchDialog
from qualdesk.tui.screens.lead import LeadDialog
from qualdesk.tui.screens.queue import QueueScreen
from qualdesk.tui.screens.routing import RouteChoice, RoutingDialog
from qualdesk.tui.screens.search import SearchScreen
from qualdesk.tui.widgets.callbar import CallBar
from qualdesk.tui.widgets.card import CallCardView
from qualdesk.tui.widgets.idle import IdlePanel
from qualdesk.tui.widgets.notes import CallNotes
from qualdesk.tui.widgets.repbar import RepBar
from qualdesk.tui.workline import JobFailed, WorkLine

RENEW_EVERY = 120.0
# The bar's counts and the card's clocks move on once a minute.
TICK_EVERY = 60.0
# On quitting, how long the last writes (and giving the lead back) may take.
QUIT_WAIT = 2.0
# Below this height (an 80x24 terminal) the card packs itself into one line per fact.
SHORT = 32
# The work line's tag for work that holds keys until it is done.
MOVING = "moving"


class DeskScreen(Screen[None]):
    """The rep's desk: next lead, call card, checklist, dispositions, routing."""

    # Absolute: the screen's class is made per rules version (see desk_screen).
    CSS_PATH = Path(__file__).with_name("desk.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        # The footer shows the short words; help (F1) the tooltips.
        Binding("n", "next", "Next lead", id="desk.next-lead", tooltip="Claim the next lead"),
        Binding("e", "end", "End", id="desk.end-call", tooltip="End the call and route the lead"),
        Binding(
            "r",
            "answer",
            "Answer",
            id="desk.answer",
            tooltip="Write the prospect's answer to a criterion (↑↓ another)",
        ),
        Binding("t", "touch", "Touch", id="desk.touch", tooltip="Log a touch on another channel"),
        Binding("i", "notes", "Notes", id="desk.notes", tooltip="Write call notes (Esc leaves)"),
        Binding("f", "edit", "Fix", id="desk.edit-lead", tooltip="Fix the lead's details"),
        Binding(
            "escape",
            "back",
            "Back",
            show=False,
            id="desk.back",
            tooltip="Leave the notes; close a card opened by search or not to be called now",
        ),
        Binding(
            "slash",
            "search",
            "Find",
            id="desk.search",
            tooltip="Find a lead (an inbound caller), even with a card open",
        ),
        Binding("q", "queue", "Queue", id="desk.queue", tooltip="The queue: what comes next"),
        Binding(
            "pagedown",
            "scroll_card(True)",
            "More",
            show=False,
            id="desk.card-down",
            tooltip="Scroll the card down: the lead's notes and columns below the checklist",
        ),
        Binding(
            "pageup",
            "scroll_card(False)",
            "Back up",
            show=False,
            id="desk.card-up",
            tooltip="Scroll the card back up",
        ),
        # Team leads only (the action refuses others); hinted on the empty desk.
        Binding("ctrl+t", "team", "Team view", show=False, id="desk.team"),
    ]

    def __init__(self, desk: Desk, rep: Rep, preferences: DeskPreferences | None = None) -> None:
        super().__init__()
        self.desk = desk
        self.rep = rep
        self.preferences = preferences or DeskPreferences()
        self.rules: DeskRules = desk.rules().rules
        self.claim: Claim | None = None
        self.card: CallCard | None = None
        self.outcome: Disposition | None = None
        # The outcome logged before a disposition that ends the call at once
        # (no answer, callback, ...): Esc in its dialog brings it back.
        self.before: Disposition | None = None
        # Why no call may be logged on this card (opened by search when the lead may
        # not be called now); empty when calls may be logged.
        self.not_a_call = ""
        # The lead called the desk: the call is theirs, the rules on calling do not apply.
        self.inbound = False
        self.started_at: datetime | None = None
        # The first claim after signing in picks up a lead the rep's last desk left held.
        self.resume = True
        # The criterion last ticked: the answer key opens it.
        self.last_ticked = 0
        # Criteria ticked or unticked on this call (toggled back: not changed), so
        # ending a call that was no conversation says they are kept.
        self.changed_on_call: set[int] = set()
        # Work under way that decides where the next keys land (a card coming, a
        # routing proposal): keys wait for it (keygate), and the desk shows it.
        self.moving = False
        # The routing dialog saving the call, closed when the next card is up.
        self.saving: RoutingDialog | None = None
        # The screen on top when the work that holds keys began: keys for it wait.
        self._held_under: Screen[object] | None = None
        self.line = WorkLine(self, "qualdesk-desk")
        self.work = DeskWork(desk, rep)
        # Changes asked for on the card: only the card read after the last one is shown,
        # so a tick shown at once is not undone by an older read.
        self._changes = 0
        # Listing every key for help, whether it applies now or not.
        self._listing_keys = False

    # -- layout ---------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield RepBar(id="desk-rep")
        yield IdlePanel(id="desk-empty")
        with Vertical(id="desk-work", classes="-hidden"):
            yield CallCardView(id="desk-card")
            yield CallBar(id="desk-call")
            yield CallNotes(id="desk-notes")
        yield Footer()

    def on_mount(self) -> None:
        self._show_idle()
        self.refresh_counts()
        self.set_interval(RENEW_EVERY, self._renew)
        self.set_interval(TICK_EVERY, self._tick)

    def on_resize(self) -> None:
        short = self.size.height < SHORT
        self.set_class(short, "-short")
        view = self.query_one(CallCardView)
        if view.has_class("-short") != short:
            view.set_class(short, "-short")
            if self.card is not None:
                view.show_checklist(self.card)

    @property
    def holding_keys(self) -> bool:
        """Whether keys wait: a card is coming or a routing proposal is being worked out.

        Only keys meant for the screen that was on top when the work began wait
        (the desk, or the dialog saving the call or the lead): a question asked
        over it meanwhile (the way out, Ctrl+Q) is answered at once.
        """
        return self.moving and self.app.screen is self._held_under

    @contextlib.contextmanager
    def every_key(self) -> Iterator[None]:
        """While listing keys for help, every key counts as shown (dimmed if it does not apply)."""
        self._listing_keys = True
        try:
            yield
        finally:
            self._listing_keys = False

    # -- what applies now -----------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """True: shown and usable; None: shown dimmed; False: not shown (it has no meaning now)."""
        holding = self.card is not None
        usable = holding and not self.moving
        hide: bool | None = None if self._listing_keys else False
        if action == "next":
            # With a card open, the call bar says what to do instead.
            return (not self.moving and self.claim is None) or hide
        if action in ("criterion", "disposition", "touch", "notes", "answer", "edit"):
            return usable or (None if holding else hide)
        if action == "end":
            # Usable before an outcome is logged too: it says to log one first.
            return usable or (None if holding else hide)
        if action == "team":
            # Offered to team leads; a rep who presses it is told whose it is, but help
            # does not list it for them.
            return self.rep.role == Role.LEAD.value or not self._listing_keys
        if action == "back":
            return isinstance(self.focused, CallNotes) or self._may_close() or hide
        return True

    # -- the work line --------------------------------------------------

    def _move(self, job: Callable[[], Message | None]) -> None:
        """Work that brings another card (or none): keys wait for it, the desk says so."""
        if self.card is None and self.saving is None:
            self.query_one(IdlePanel).show_loading()
        self._hold(job)

    def _hold(self, job: Callable[[], Message | None]) -> None:
        """Work whose result decides where the next keys land: they wait for it.

        Its result (and only its result: every such job answers with a message
        saying it moves the desk) lets them go again (`_arrived`).
        """
        self.moving = True
        self._held_under = self.app.screen
        self.refresh_bindings()
        self.line.submit(job, tag=MOVING)

    def _arrived(self) -> None:
        """The work that moved the desk is done: keys may go on."""
        self.moving = False
        if self.saving is not None:
            dialog, self.saving = self.saving, None
            # A quit question asked while the call was saved was about that call: withdrawn.
            asked = getattr(self.app, "asking_to_quit", None)
            if asked is not None and asked in self.app.screen_stack and asked.is_active:
                asked.dismiss(False)
            dialog.close(RouteChoice())
        self.refresh_bindings()

    def _fetch(
        self, after: Callable[[], str] | None = None, take_back: bool | None = None
    ) -> Callable[[], Moved]:
        """The job: finish something first (end a call), then claim and read the next card."""
        first_claim = self.resume and take_back is None and after is None
        return self.work.fetch(
            after=after, take_back=take_back, first_claim=first_claim, holding=self.claim
        )

    def _change(self, claim: Claim, change: Callable[[], object]) -> None:
        """A change to the held lead, then its card read afresh."""
        self._changes += 1
        self.line.submit(self.work.change(claim, change, self._changes))

    # -- the queue --------------------------------------------------------

    def action_next(self) -> None:
        if self.claim is not None:
            hint = "press e to end it" if self.outcome else self._disposition_hint()
            self.notify(f"Finish this call first: {hint}", severity="warning")
            return
        self._move(self._fetch())

    @on(TakeBackAsked)
    def _ask_take_back(self, message: TakeBackAsked) -> None:
        """The rep holds a lead from another desk: take it here, or leave it there?"""
        self._arrived()
        self._show_idle()
        held = message.held
        until = held.until.astimezone(zone(self.rep.time_zone))

        def answered(take: bool | None) -> None:
            self._move(self._fetch(take_back=bool(take)))

        self.app.push_screen(questions.take_back(held.name, held.lead_id, until), answered)

    @on(CardReady)
    def _card_ready(self, message: CardReady) -> None:
        """Show the lead just claimed (or why there is none)."""
        self._arrived()
        self.resume = False
        claim, card = message.claim, message.card
        self.claim, self.card, self.outcome, self.before = claim, card, None, None
        self.not_a_call, self.last_ticked, self.inbound = "", 0, False
        self.changed_on_call = set()
        notes = self._notes()
        draft = card.draft if card is not None else None
        notes.load(draft.text if draft else "")
        if message.said:
            self.notify(message.said, timeout=4)
        self.refresh_counts()
        if claim is None or card is None:
            self._show_idle(message.outlook)
            return
        if claim.resumed:
            self.notify("Picked up where your other desk left this lead.", timeout=6)
        if draft is not None:
            here = zone(self.rep.time_zone)
            saved = draft.saved_at.astimezone(here)
            today = self.desk.clock().astimezone(here).date() == saved.date()
            when = f"{saved:%H:%M}" if today else f"{saved:%H:%M} on {saved:%a %d %b}"
            self.notify(f"Your notes from {when}, kept as a draft, are back.", timeout=6)
        self.started_at = self.desk.clock()
        if card.blocked is not None:
            self.not_a_call = f"{card.blocked.reason}.{self._opens(card)}"
        self._paint()
        if card.blocked is not None and claim.chosen:
            dialog = questions.CalledIn(card.blocked.reason, self._opens(card))
            self.app.push_screen(dialog, self._called_in_answer)
        elif claim.unknown_zone:
            self.app.push_screen(questions.unknown_zone(), self._unknown_zone_answer)

    def _opens(self, card: CallCard) -> str:
        """When a lead that may not be called now may next be called, in both zones."""
        until = card.blocked.until if card.blocked else card.opens_at
        if until is None:
            return ""
        yours = until.astimezone(zone(self.rep.time_zone))
        if not card.zones:
            return f" They may be called from {yours:%a %H:%M} your time."
        theirs = until.astimezone(zone(card.zones[0]))
        return f" They may be called from {theirs:%a %H:%M} their time ({yours:%a %H:%M} yours)."

    def _called_in_answer(self, answer: str | None) -> None:
        if answer == "inbound" and self.card is not None:
            # They called the desk: their call is logged, whatever the rules on calling say.
            self.inbound, self.not_a_call = True, ""
            self._paint_call()
        elif answer != "read":
            self.action_back()

    def _unknown_zone_answer(self, call: bool | None) -> None:
        if call or self.claim is None:
            return
        self._move(self._fetch(after=self.work.skip(self.claim)))

    @on(CardLost)
    def _card_lost(self, message: CardLost) -> None:
        """The claim is gone (it ran out, or the lead left the desk): close the card.

        The rep's unsaved notes stay on screen, so nothing they wrote is lost.
        """
        if message.moving:
            self._arrived()
        card = self.card
        if card is None or self.claim is not message.claim:
            return  # already closed (a renewal and a write both found it gone)
        if self.app.screen is not self and self in self.app.screen_stack:
            self.pop_until_active()  # a dialog about this card has nothing left to act on
        self.claim, self.card, self.outcome = None, None, None
        notes = self._notes()
        text = notes.text.strip()
        notes.stop()
        self.notify(f"You no longer hold this lead: {message.why}", severity="error", timeout=15)
        self._show_idle()
        self.query_one(IdlePanel).show_lost(
            card.lead.name or card.lead.company, card.lead.id or 0, message.why, text
        )

    @on(WorkFailed)
    def _work_failed(self, message: WorkFailed) -> None:
        if message.moving:
            saving = self.saving
            if message.saved:
                # The call is saved; only bringing up the next lead failed.
                self._arrived()
                self.claim, self.card, self.outcome = None, None, None
                self.notify(
                    f"{message.saved}. Saved; the next lead could not be brought up: "
                    f"{message.line}",
                    severity="error",
                    timeout=10,
                )
                self._show_idle()
                return
            if saving is not None:
                self.saving = None  # the dialog stays up and says why
                self.moving = False
                saving.failed(message.line)
                self.refresh_bindings()
                return
            self._arrived()
        self.notify(message.line, severity="error", timeout=8)
        if self.card is None:
            self._show_idle()

    @on(JobFailed)
    def _job_failed(self, message: JobFailed) -> None:
        error = message.error
        line = one_line(error) if isinstance(error, Exception) else repr(error)
        self._work_failed(WorkFailed(line, moving=message.tag == MOVING))

    def _show_idle(self, outlook: queue.Outlook | None = None) -> None:
        self.query_one("#desk-work").add_class("-hidden")
        panel = self.query_one(IdlePanel)
        panel.remove_class("-hidden")
        if outlook is None:
            panel.show_idle(self.rep.role == Role.LEAD.value)
        else:
            panel.show_outlook(outlook, self.rep.time_zone)
        self.refresh_bindings()

    def _paint(self) -> None:
        assert self.card is not None
        self.query_one(IdlePanel).add_class("-hidden")
        self.query_one("#desk-work").remove_class("-hidden")
        self.query_one(CallCardView).show(self.card, self.desk.clock(), self.rep.time_zone)
        self._paint_call()

    def _paint_call(self) -> None:
        self.query_one(CallBar).show(
            self.outcome, self.rules.dispositions, self.not_a_call, inbound=self.inbound
        )
        self.refresh_bindings()

    def _notes(self) -> CallNotes:
        return self.query_one(CallNotes)

    # -- working the call -----------------------------------------------

    def action_criterion(self, index: int) -> None:
        """Tick or untick a criterion at once; ask_answer_on_tick also asks for the answer."""
        if self.card is None or self.claim is None:
            return
        item = self.card.checklist[index]
        established = not item.established
        self.changed_on_call ^= {index}
        self._set_criterion(index, established, item.note)
        if established:
            self.last_ticked = index
            if self.preferences.ask_answer_on_tick:
                self._ask_answer(index)

    def _set_criterion(self, index: int, established: bool, note: str) -> None:
        """Show the change at once, and write it behind whatever was asked for before."""
        assert self.card is not None and self.claim is not None
        checklist = list(self.card.checklist)
        checklist[index] = dataclasses.replace(checklist[index], established=established, note=note)
        self.card = dataclasses.replace(self.card, checklist=checklist)
        self.query_one(CallCardView).show_checklist(self.card)
        claim, key = self.claim, checklist[index].key
        self._change(claim, lambda: calls.set_criterion(self.desk, claim, key, established, note))

    def action_scroll_card(self, down: bool) -> None:
        if self.card is not None:
            self.query_one(CallCardView).scroll_card(down)

    def action_answer(self) -> None:
        """Write what the prospect said for a criterion (the last ticked; ↑↓ another)."""
        if self.card is not None:
            self._ask_answer(self.last_ticked)

    def _ask_answer(self, index: int) -> None:
        assert self.card is not None
        claim = self.claim

        def answered(notes: dict[int, str] | None) -> None:
            if not notes or self.card is None or self.claim is not claim:
                return
            for which, note in notes.items():
                item = self.card.checklist[which]
                self._set_criterion(which, item.established, note)

        self.app.push_screen(AnswerDialog(self.card.checklist, index), answered)

    def action_disposition(self, key: str) -> None:
        if self.card is None or self.claim is None:
            return
        if self.not_a_call:
            self._say_not_a_call()
            return
        chosen = self.rules.disposition(key)
        if chosen.implies is Outcome.ROUTE:
            self.outcome = chosen
            self._paint_call()
        elif chosen.implies is Outcome.CALLBACK:
            # The suggested time is read first; the time typed after k waits for the box.
            self._hold(self.work.callback(self.claim, chosen))
        else:
            self._propose(chosen)

    @on(CallbackAsked)
    def _callback_asked(self, message: CallbackAsked) -> None:
        self._arrived()
        if self.claim is not message.claim or self.card is None:
            return
        card, chosen, facts = self.card, message.chosen, message.facts
        # Each time typed is checked against the facts read once: no database per key.
        dialog = CallbackDialog(
            lambda typed: plan_callback(facts, typed, self.desk.clock()),
            shown(card.lead.name or card.lead.company),
            card.hours_today,
            message.suggested,
        )
        self.app.push_screen(dialog, lambda choice: self._callback_booked(chosen, choice))

    def _callback_booked(self, chosen: Disposition, choice: CallbackChoice | None) -> None:
        if choice is not None:
            self._propose(chosen, choice)

    def _say_not_a_call(self) -> None:
        """Opened by search when the lead may not be called: read it, log no call."""
        self.notify(
            f"Not a call: {self.not_a_call} t logs another kind of touch, f fixes the lead, "
            "Esc closes the card.",
            severity="warning",
            timeout=8,
        )

    def action_end(self) -> None:
        if self.card is None or self.claim is None:
            return
        if self.not_a_call:
            self._say_not_a_call()
            return
        if self.outcome is None:
            self.notify(
                "Log how the call went first: " + self._disposition_hint(), severity="warning"
            )
            return
        self._propose(self.outcome)

    def _propose(self, chosen: Disposition, callback: CallbackChoice | None = None) -> None:
        """Work out where the lead would go (behind the writes before it), then ask."""
        assert self.claim is not None
        self._hold(self.work.propose(self.claim, chosen, callback, self.inbound))

    @on(RouteProposed)
    def _route_proposed(self, message: RouteProposed) -> None:
        self._arrived()
        if self.claim is not message.claim or self.card is None:
            return
        chosen, callback = message.chosen, message.callback
        if chosen.implies is not Outcome.ROUTE:
            self.before, self.outcome = self.outcome, chosen
            self._paint_call()

        def save(answer: RouteChoice) -> None:
            self._end_call(chosen, callback, answer, dialog)

        dialog = RoutingDialog(
            chosen.label,
            message.route,
            self.rep.time_zone,
            self.card.zones,
            save=save,
            others_on_number=self.card.others_on_number,
            checklist_changed=0 if chosen.connect else len(self.changed_on_call),
        )
        self.app.push_screen(dialog, self._route_closed)

    def _route_closed(self, answer: RouteChoice | None) -> None:
        """The routing dialog closed: saved (the next card is already up), or called off."""
        if answer is not None:
            return
        if self.outcome is not None and self.outcome.implies is not Outcome.ROUTE:
            self.outcome = self.before
        self.before = None
        if self.card is not None:
            self._paint_call()

    def _end_call(
        self,
        chosen: Disposition,
        callback: CallbackChoice | None,
        answer: RouteChoice,
        dialog: RoutingDialog,
    ) -> None:
        """Log the call and route the lead, then bring up the next card.

        The dialog stays up until the work is done, so the screen is painted
        once, with the next card, and the rep never sees the old card again.
        """
        assert self.claim is not None
        notes = self._notes()
        text = notes.text
        notes.stop()  # the notes are saved with the call, which drops the draft
        started, claim = self.started_at, self.claim
        end = self.work.end_call(
            claim,
            chosen,
            notes=text,
            started=started,
            callback=callback,
            answer=answer,
            inbound=self.inbound,
        )
        self.saving = dialog
        self._move(self._fetch(after=end))

    def action_touch(self) -> None:
        if self.card is None or self.claim is None:
            return
        channels = [c for c in self.rules.channels if c != "phone"]
        if not channels:
            self.notify("The rules list no channel besides the phone.", severity="warning")
            return
        claim = self.claim

        def logged(result: tuple[str, str] | None) -> None:
            if result is not None and self.claim is claim:
                self._change(claim, lambda: calls.log_touch(self.desk, claim, *result))

        self.app.push_screen(TouchDialog(channels), logged)

    def action_edit(self) -> None:
        """Fix the lead's details: name, title, company, email, numbers."""
        if self.card is None or self.claim is None:
            return
        claim = self.claim

        def save(asked: dict[str, str], reason: str) -> None:
            self._save_edit(claim, asked, reason, dialog)

        dialog = LeadDialog(leads.details_of(self.card.lead), save)
        self.app.push_screen(dialog)

    def _save_edit(
        self, claim: Claim, asked: dict[str, str], reason: str, dialog: LeadDialog
    ) -> None:
        """Save the edit behind the card's other work; the form stays up until it is saved."""
        self._hold(self.work.edit(claim, asked, reason, dialog))

    @on(LeadEdited)
    def _lead_edited(self, message: LeadEdited) -> None:
        self._arrived()
        if message.dialog in self.app.screen_stack:
            message.dialog.dismiss(True)
        if self.claim is not message.claim:
            return
        self.card = message.card
        self._paint()
        if not message.changes:
            self.notify("Nothing changed: the lead has those details already.", timeout=4)
            return
        fields = ", ".join(LABELS.get(change.field, change.field) for change in message.changes)
        self.notify(f"Saved: {fields}.", timeout=4)

    @on(EditRefused)
    def _edit_refused(self, message: EditRefused) -> None:
        self.moving = False
        self.refresh_bindings()
        message.dialog.failed(message.line, message.field)

    def action_notes(self) -> None:
        if self.card is not None:
            self._notes().focus()

    def action_back(self) -> None:
        """Leave the notes; or close a card opened by search, giving the lead back."""
        notes = self._notes()
        if self.focused is notes:
            self.set_focus(None)
            return
        if self._may_close():
            self._put_back()
            self._show_idle()

    def _may_close(self) -> bool:
        """A card opened by search, or one that takes no call now, closes without a call."""
        if self.claim is None or self.outcome is not None:
            return False
        return self.claim.chosen or bool(self.not_a_call)

    def _put_back(self) -> None:
        """Give the lead on the card back as it was: no touch, its notes kept as a draft."""
        claim = self.claim
        if claim is None:
            return
        notes = self._notes().flush()
        self.claim, self.card, self.outcome, self.before = None, None, None, None
        self.line.submit(self.work.release(claim, notes))

    # -- keeping the call notes as a draft ---------------------------------

    @on(CallNotes.DraftDue)
    def _keep_draft(self, message: CallNotes.DraftDue) -> None:
        if self.claim is not None:
            self.line.submit(self.work.keep_draft(self.claim, message.text))

    @on(DraftNotKept)
    def _draft_not_kept(self, message: DraftNotKept) -> None:
        if message.lost:
            # The claim is gone (another window took the lead, or it left the desk):
            # find out why now rather than at the next renewal.
            self._renew()
            return
        self.notify(
            f"Your notes could not be kept as a draft: {message.line}",
            severity="warning",
            timeout=6,
        )

    # -- the card over time -----------------------------------------------

    @on(CardRead)
    def _card_read(self, message: CardRead) -> None:
        if message.problem and self.claim is message.claim:
            self.notify(message.problem, severity="error", timeout=8)
        if self.claim is not message.claim or message.order != self._changes:
            return
        self.card = message.card
        if self.not_a_call and message.card.blocked is None:
            # Whatever stopped calls has lifted (their hours opened, the gap passed):
            # the call starts now, and is checked as of now.
            self.not_a_call = ""
            self.started_at = self.desk.clock()
        self._paint()
        self.refresh_counts()

    def _tick(self) -> None:
        """Once a minute: the clocks on the bar and the card move on."""
        self.refresh_counts()
        if self.claim is not None and not self.moving:
            self._change(self.claim, lambda: None)

    def _renew(self) -> None:
        if self.claim is not None:
            self.line.submit(self.work.renew(self.claim))

    @work(thread=True, group="counts", exclusive=True, exit_on_error=False)
    def refresh_counts(self) -> None:
        counts = stats.rep_today(self.desk, self.rep)
        self.post_message(CountsRead(counts, self.desk.clock()))

    @on(CountsRead)
    def _counts_read(self, message: CountsRead) -> None:
        self.query_one(RepBar).show(self.rep, message.now, message.counts)

    def _disposition_hint(self) -> str:
        return (
            ", ".join(f"{d.hotkey} {d.label.lower()}" for d in self.rules.dispositions[:4]) + ", …"
        )

    # -- finding leads ---------------------------------------------------

    def action_search(self) -> None:
        self.app.push_screen(SearchScreen(self.desk), self._open_found)

    def _open_found(self, lead_id: int | None) -> None:
        """Open a lead found by search; the card in hand goes back to the queue untouched."""
        if lead_id is None or (self.claim is not None and self.claim.lead_id == lead_id):
            return
        if self.claim is not None and self.outcome is not None and self.card is not None:

            def answered(leave: bool | None) -> None:
                if leave:
                    self._open_lead(lead_id)

            who = self.card.lead.name or self.card.lead.company
            self.app.push_screen(questions.leave_call(self.outcome.label, who), answered)
            return
        self._open_lead(lead_id)

    def _open_lead(self, lead_id: int) -> None:
        held, notes = self.claim, None
        if held is not None:
            box = self._notes()
            box.stop()  # kept with the card's release, in the transaction of the open
            notes = box.text
        self._move(self.work.open_lead(lead_id, held, notes))

    def give_back(self, wait: float = QUIT_WAIT) -> None:
        """The app is closing: keep the notes and give the lead back, if the database answers
        within `wait` seconds.

        Otherwise its lease returns it to the queue soon enough.
        """
        self._put_back()
        self.line.wait(wait)

    def floor_state(self) -> tuple[str, int | None]:
        """What the rep is doing, for the live floor (core.floor.STATES), and the lead held."""
        if self.claim is None or self.card is None:
            return "waiting", None
        lead_id = self.claim.lead_id
        ending = (RoutingDialog, CallbackDialog)
        if self.saving is not None or any(isinstance(s, ending) for s in self.app.screen_stack):
            return "routing", lead_id
        if self.outcome is not None or self.inbound:
            return "call", lead_id
        return "card", lead_id

    def action_queue(self) -> None:
        self.app.push_screen(QueueScreen(self.desk, self.rep))

    def action_team(self) -> None:
        from qualdesk.tui.screens.team import TeamScreen

        if self.rep.role != Role.LEAD.value:
            self.notify(
                f"The team view is for team leads; {self.rep.handle} is a {self.rep.role}.",
                severity="warning",
            )
            return
        if self.claim is not None and self.card is not None:
            if self.outcome is not None:
                self.notify(
                    "Finish this call first (e ends it), then open the team view.",
                    severity="warning",
                )
                return

            def answered(put_back: bool | None) -> None:
                if put_back:
                    self._put_back()
                    self._show_idle()
                    self.app.push_screen(TeamScreen(self.desk, self.rep))

            who = self.card.lead.name or self.card.lead.company
            self.app.push_screen(questions.team_view_with_card(who), answered)
            return
        self.app.push_screen(TeamScreen(self.desk, self.rep))


def desk_screen(desk: Desk, rep: Rep, preferences: DeskPreferences | None = None) -> DeskScreen:
    """The desk screen, with one key per disposition and criterion of the rules in force."""
    screen_class: type[DeskScreen] = type(
        "DeskScreen", (DeskScreen,), {"BINDINGS": rules_bindings(desk.rules().rules)}
    )
    return screen_class(desk, rep, preferences)


def rules_bindings(rules: DeskRules) -> list[BindingType]:
    """The keys the rules give the desk: one per disposition, one per criterion (1-9, 0)."""
    keys: list[BindingType] = [
        Binding(
            d.hotkey,
            f"disposition('{d.key}')",
            d.label,
            show=False,
            id=f"desk.disposition.{d.key}",
        )
        for d in rules.dispositions
    ]
    keys += [
        Binding(
            str((n + 1) % 10),
            f"criterion({n})",
            f"tick {c.label}",
            show=False,
            id=f"desk.criterion-{n + 1}",
        )
        for n, c in enumerate(rules.criteria)
    ]
    return keys
