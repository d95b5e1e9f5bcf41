"""The desk: the rep works the queue, one call card at a time, from the keyboard.

The screen only shows and asks; every decision (which lead comes next,
where a lead goes, what is callable) is a service call. Writes run in
worker threads, so a busy database never freezes the keyboard.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Static, TextArea

from qualdesk.core.display import shown
from qualdesk.core.errors import QualdeskError
from qualdesk.core.hours import zone
from qualdesk.core.rules import DeskRules, Disposition
from qualdesk.core.stages import Outcome, Role
from qualdesk.db.models import Rep
from qualdesk.services import calls, drafts, queue, stats
from qualdesk.services.calls import CallCard
from qualdesk.services.desk import Desk
from qualdesk.services.problems import unexpected_line
from qualdesk.services.queue import Claim, ClaimLost, Outlook
from qualdesk.tui.screens.callback import CallbackChoice, CallbackDialog
from qualdesk.tui.screens.forms import ConfirmDialog, NoteDialog, TouchDialog
from qualdesk.tui.screens.queue import QueueScreen
from qualdesk.tui.screens.routing import RouteChoice, RoutingDialog
from qualdesk.tui.screens.search import SearchScreen
from qualdesk.tui.widgets.card import CallCardView
from qualdesk.tui.widgets.literal import NotesArea
from qualdesk.tui.widgets.repbar import RepBar

RENEW_EVERY = 120.0
# Call notes are kept as a draft once typing pauses this long, and at least this
# often while it goes on: a crash or a closed terminal loses seconds, not the call.
DRAFT_PAUSE = 1.5
DRAFT_EVERY = 5.0


class DeskScreen(Screen[None]):
    """The rep's desk: next lead, call card, checklist, dispositions, routing."""

    # Absolute: the screen's class is made per rules version (see desk_screen).
    CSS_PATH = Path(__file__).with_name("desk.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next", "Next lead", id="desk.next-lead"),
        Binding("e", "end", "End call", id="desk.end-call"),
        Binding("t", "touch", "Touch", id="desk.touch"),
        Binding("i", "notes", "Notes", id="desk.notes"),
        Binding(
            "escape",
            "back",
            "Leave notes / close a card opened by search",
            show=False,
            id="desk.back",
        ),
        Binding("slash", "search", "Search", id="desk.search"),
        Binding("q", "queue", "Queue", id="desk.queue"),
        # Team leads only (the action refuses others); hinted on the empty desk.
        Binding("ctrl+t", "team", "Team view", show=False, id="desk.team"),
    ]

    def __init__(self, desk: Desk, rep: Rep) -> None:
        super().__init__()
        self.desk = desk
        self.rep = rep
        self.rules: DeskRules = desk.rules().rules
        self.claim: Claim | None = None
        self.card: CallCard | None = None
        self.outcome: Disposition | None = None
        # The outcome logged before a disposition that ends the call at once
        # (no answer, callback, ...): Esc in its dialog brings it back.
        self.before: Disposition | None = None
        # A card opened by search outside the lead's hours: read it, log no call.
        self.read_only = False
        self.busy = False
        self.started_at: datetime | None = None
        # The first claim after signing in picks up a lead the rep's last desk left held.
        self.resume = True
        # Keeping the call notes as a draft: the text last kept, the pending save,
        # and an order for saves running in threads.
        self._draft_text = ""
        self._draft_timer: Timer | None = None
        self._draft_since: float | None = None
        self._draft_lock = threading.Lock()
        self._draft_asked = 0
        self._draft_done = 0

    # -- layout ---------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield RepBar(id="desk-rep")
        yield Static(id="desk-empty")
        with Vertical(id="desk-work", classes="-hidden"):
            yield CallCardView(id="desk-card")
            yield Static(id="desk-status")
            yield NotesArea(id="desk-notes", soft_wrap=True, show_line_numbers=False)
            yield Static(id="desk-keys")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(
            "#desk-notes", TextArea
        ).border_title = "Call notes (i to write, Esc to leave)"
        self._show_empty(None)
        self.refresh_counts()
        self.set_interval(RENEW_EVERY, self._renew)
        self.set_interval(60, self._tick)

    def on_resize(self) -> None:
        self.set_class(self.size.height < 32, "-short")

    # -- what applies now -----------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        holding = self.card is not None and not self.busy
        if action == "next":
            return (not self.busy and self.claim is None) or None
        if action == "criterion":
            return holding or None
        if action == "disposition":
            return holding or None
        if action == "end":
            return (holding and self.outcome is not None) or None
        if action in ("touch", "notes"):
            return holding or None
        if action == "back":
            chosen = self.claim is not None and self.claim.chosen and self.outcome is None
            return isinstance(self.focused, TextArea) or chosen
        return True

    # -- the queue --------------------------------------------------------

    def action_next(self) -> None:
        if self.claim is not None:
            hint = "press e to end it" if self.outcome else self._disposition_hint()
            self.notify(f"Finish this call first: {hint}", severity="warning")
            return
        self._claim_next()

    @work(thread=True, exclusive=True, group="desk", exit_on_error=False)
    def _claim_next(
        self,
        after: Callable[[], str] | None = None,
        dialog: RoutingDialog | None = None,
        answer: RouteChoice | None = None,
        take_back: bool | None = None,
    ) -> None:
        """Optionally finish something (end a call), then claim and load the next lead.

        The first claim after signing in asks first if the rep still holds a
        lead from another desk (`take_back` is the answer).
        """
        if dialog is None:
            self.app.call_from_thread(self._set_busy, True)
        message, ended, claim = "", False, None
        try:
            if after is not None:
                message = after()
                ended = True
            if self.resume and take_back is None and after is None:
                held = queue.held_elsewhere(self.desk, self.rep)
                if held is not None:
                    self.app.call_from_thread(self._ask_take_back, held)
                    return
            claim = queue.claim_next(self.desk, self.rep, resume=bool(take_back))
            self.resume = False
            card = calls.load_card(self.desk, claim) if claim else None
            outlook = None if claim else queue.outlook(self.desk, self.rep)
        except ClaimLost as exc:
            self.app.call_from_thread(self._close, dialog, None)
            self.app.call_from_thread(self._lost, str(exc))
            return
        except Exception as exc:  # shown as one line; the desk stays usable
            line = str(exc) if isinstance(exc, QualdeskError) else unexpected_line(exc)
            if claim is not None:
                # Claimed but not shown: give it back rather than hold it unseen.
                with contextlib.suppress(Exception):
                    queue.release(self.desk, claim)
            if ended:
                # The call is saved; only bringing up the next lead failed.
                self.app.call_from_thread(self._ended_then_failed, dialog, answer, message, line)
            elif dialog is not None:
                self.app.call_from_thread(dialog.failed, line)
            else:
                self.app.call_from_thread(self._fail, line)
            return
        self.app.call_from_thread(self._open, claim, card, outlook, message, dialog, answer)

    def _open(
        self,
        claim: Claim | None,
        card: CallCard | None,
        outlook: Outlook | None,
        message: str,
        dialog: RoutingDialog | None = None,
        answer: RouteChoice | None = None,
    ) -> None:
        """Show the lead just claimed (or why there is none), closing the routing dialog."""
        self._close(dialog, answer)
        self.busy = False
        self.claim, self.card, self.outcome, self.before = claim, card, None, None
        self.read_only = False
        draft = card.draft if card is not None else None
        self._draft_stop()
        self._draft_text = shown(draft.text, lines=True) if draft else ""
        notes = self.query_one("#desk-notes", TextArea)
        notes.text = self._draft_text
        notes.move_cursor(notes.document.end)  # typing goes on after the restored notes
        if message:
            self.notify(message, timeout=4)
        self.refresh_counts()
        if claim is None or card is None:
            self._show_empty(outlook)
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
        self.read_only = claim.chosen and card.callable_now is False
        self._paint()
        if self.read_only:
            question = Text.assemble(
                ("Outside their calling hours now. ", "bold yellow"),
                f"Open the card to read it or log another kind of touch?{self._opens(card)}",
            )
            self.app.push_screen(ConfirmDialog(question, "open it", "close it"),
                                 self._out_of_hours_answer)  # fmt: skip
        elif claim.unknown_zone:
            question = Text.assemble(
                ("Their local time is unknown. ", "bold yellow"),
                "The number has no time zone the desk can tell; call only if you know it is a "
                "sensible time for them.",
            )
            self.app.push_screen(ConfirmDialog(question, "call anyway", "skip it for now"),
                                 self._unknown_zone_answer)  # fmt: skip

    def _ask_take_back(self, held: queue.HeldLead) -> None:
        """The rep holds a lead from another desk: take it here, or leave it there?"""
        self._set_busy(False)
        self._show_empty(None)
        until = held.until.astimezone(zone(self.rep.time_zone))
        question = Text.assemble(
            (f"{shown(held.name)} (#{held.lead_id}) is still yours. ", "bold yellow"),
            "It is open in another qualdesk of yours, or your desk closed mid-call; any notes "
            "you typed on it are kept. Enter takes it here (another window that has it open "
            f"loses it). Esc leaves it where it is: it stays yours until {until:%H:%M}, then "
            "goes back to the queue.",
        )

        def answered(take: bool | None) -> None:
            self._claim_next(take_back=bool(take))

        self.app.push_screen(ConfirmDialog(question, "take it here", "leave it"), answered)

    def _close(self, dialog: RoutingDialog | None, answer: RouteChoice | None) -> None:
        """Close the routing dialog, and anything opened over it while it was saving."""
        if dialog is None or dialog not in self.app.screen_stack:
            return
        if not dialog.is_active:
            dialog.pop_until_active()
        dialog.dismiss(answer)

    def _opens(self, card: CallCard) -> str:
        """When an out-of-hours lead may next be called, in both zones."""
        if not (card.opens_at and card.zones):
            return ""
        theirs = card.opens_at.astimezone(zone(card.zones[0]))
        yours = card.opens_at.astimezone(zone(self.rep.time_zone))
        return f" They may be called from {theirs:%a %H:%M} their time ({yours:%a %H:%M} yours)."

    def _out_of_hours_answer(self, open_it: bool | None) -> None:
        if not open_it:
            self.action_back()

    def _unknown_zone_answer(self, call: bool | None) -> None:
        if call or self.claim is None:
            return
        claim = self.claim

        def skip() -> str:
            queue.release(self.desk, claim, skip=True)
            return "Skipped: it comes back in an hour."

        self._claim_next(after=skip)

    def _ended_then_failed(
        self, dialog: RoutingDialog | None, answer: RouteChoice | None, saved: str, line: str
    ) -> None:
        self._close(dialog, answer)
        self.busy = False
        self.claim, self.card, self.outcome = None, None, None
        self.notify(f"{saved}. Saved; the next lead could not be brought up: {line}",
                    severity="error", timeout=10)  # fmt: skip
        self._show_empty(None)

    def _show_empty(self, outlook: Outlook | None) -> None:
        self.query_one("#desk-work").add_class("-hidden")
        empty = self.query_one("#desk-empty", Static)
        empty.remove_class("-hidden")
        text = Text()
        if outlook is None:
            text.append("No lead open.\n\n", style="bold")
            text.append("Press ")
            text.append(" n ", style="reverse")
            text.append(" for the next lead, ")
            text.append(" q ", style="reverse")
            text.append(" to see the queue, ")
            text.append(" ? ", style="reverse")
            text.append(" for every key.")
            if self.rep.role == Role.LEAD.value:
                text.append("\nTeam lead: ")
                text.append(" Ctrl+T ", style="reverse")
                text.append(" opens the team view (figures, export to sales, reviews).")
        else:
            text.append("Nothing to call right now.\n\n", style="bold")
            text.append(outlook.explain(self.rep.time_zone))
            text.append("\n\nPress ")
            text.append(" n ", style="reverse")
            text.append(" to look again, ")
            text.append(" q ", style="reverse")
            text.append(" for the queue.")
        empty.update(text)
        self.refresh_bindings()

    def _paint(self) -> None:
        assert self.card is not None
        self.query_one("#desk-empty").add_class("-hidden")
        self.query_one("#desk-work").remove_class("-hidden")
        self.query_one(CallCardView).show(self.card, self.desk.clock(), self.rep.time_zone)
        self._paint_status()
        self.refresh_bindings()

    def _paint_status(self) -> None:
        status = Text()
        if self.outcome is None:
            status.append("On the call. ", style="bold")
            status.append("Log how it went with one key; 1-0 tick the checklist.")
        else:
            status.append(f"{self.outcome.label}. ", style="bold green")
            status.append("Work the checklist, then ")
            status.append(" e ", style="reverse")
            status.append(" to end the call and route the lead.")
        self.query_one("#desk-status", Static).update(status)
        keys = Text()
        for item in self.rules.dispositions:
            chosen = self.outcome is not None and item.key == self.outcome.key
            keys.append(f" {item.hotkey} ", style="reverse bold" if chosen else "reverse")
            keys.append(f" {item.label} ", style="bold" if chosen else "")
        self.query_one("#desk-keys", Static).update(keys)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        if busy and self.card is None:
            self.query_one("#desk-empty", Static).update(
                Text("Getting the next lead…", style="dim")
            )
        self.refresh_bindings()

    def _fail(self, message: str) -> None:
        self.busy = False
        self.notify(message, severity="error", timeout=8)
        if self.card is None:
            self._show_empty(None)
        self.refresh_bindings()

    def _lost(self, message: str) -> None:
        """The claim is gone (it ran out, or the lead left the desk): close the card.

        The rep's unsaved notes stay on screen, so nothing they wrote is lost.
        """
        card = self.card
        if card is None:
            self.busy = False
            return  # already closed (a renewal and a write both found it gone)
        if self.app.screen is not self and self in self.app.screen_stack:
            self.pop_until_active()  # a dialog about this card has nothing left to act on
        self.busy = False
        self.claim, self.card, self.outcome = None, None, None
        notes = self.query_one("#desk-notes", TextArea).text.strip()
        self._draft_stop()
        self.notify(f"You no longer hold this lead: {message}", severity="error", timeout=15)
        self._show_empty(None)
        text = Text()
        who = shown(card.lead.name or card.lead.company)
        text.append(f"The card of {who} (#{card.lead.id}) was closed: ", style="bold red")
        text.append(f"{message}.\n\n")
        if notes:
            text.append("Your notes from that card, not saved with a call (copy them if "
                        "needed; the draft kept as you typed comes back when you open the "
                        "lead again):\n", style="bold")  # fmt: skip
            text.append(shown(notes, lines=True))
            text.append("\n\n")
        text.append("Press ")
        text.append(" n ", style="reverse")
        text.append(" for the next lead.")
        self.query_one("#desk-empty", Static).update(text)

    # -- working the call -----------------------------------------------

    def action_criterion(self, index: int) -> None:
        """Tick or untick a criterion; ticking asks for an optional note."""
        if self.card is None or self.claim is None:
            return
        item = self.card.checklist[index]
        if item.established:
            self._write(lambda claim: calls.set_criterion(self.desk, claim, item.key, False))
            return

        def established(note: str | None) -> None:
            self._write(
                lambda claim: calls.set_criterion(self.desk, claim, item.key, True, note or "")
            )

        self.app.push_screen(NoteDialog(item.label, item.prompt, item.note), established)

    def action_disposition(self, key: str) -> None:
        if self.card is None or self.claim is None:
            return
        if self.read_only:
            # Opened by search outside their hours: the card may be read, not called.
            self.notify(
                f"Not a call: it is outside their calling hours.{self._opens(self.card)} "
                "t logs another kind of touch; Esc closes the card.",
                severity="warning",
                timeout=8,
            )
            return
        chosen = self.rules.disposition(key)
        if chosen.implies is Outcome.ROUTE:
            self.outcome = chosen
            self._paint_status()
            self.refresh_bindings()
        elif chosen.implies is Outcome.CALLBACK:
            claim, card = self.claim, self.card
            dialog = CallbackDialog(
                lambda typed: calls.plan_callback(self.desk, claim, self.rep, typed),
                shown(card.lead.name or card.lead.company),
                self._hours_line(card),
            )
            self.app.push_screen(dialog, lambda choice: self._callback_booked(chosen, choice))
        else:
            self.before, self.outcome = self.outcome, chosen
            self._route(chosen)

    def _hours_line(self, card: CallCard) -> str:
        """The lead's calling hours today, theirs and in the rep's time."""
        if not card.zones:
            return "Their time zone is unknown: choose a time you know suits them."
        theirs = zone(card.zones[0])
        today = self.desk.clock().astimezone(theirs)
        start, end = (datetime.strptime(part, "%H:%M") for part in card.window.split("-"))
        mine = zone(self.rep.time_zone)
        opens, shuts = (
            today.replace(hour=t.hour, minute=t.minute, second=0, microsecond=0).astimezone(mine)
            for t in (start, end)
        )
        place = card.zones[0].split("/")[-1].replace("_", " ")
        more = f"; the number may ring in {len(card.zones)} zones" if len(card.zones) > 1 else ""
        return (
            f"Their calling hours today: {card.window} their time in {place} "
            f"({opens:%H:%M}-{shuts:%H:%M} yours){more}."
        )

    def _callback_booked(self, chosen: Disposition, choice: CallbackChoice | None) -> None:
        if choice is None:
            return
        self.before, self.outcome = self.outcome, chosen
        self._route(chosen, choice)

    def action_end(self) -> None:
        if self.outcome is None:
            self.notify(
                "Log how the call went first: " + self._disposition_hint(), severity="warning"
            )
            return
        self._route(self.outcome)

    def _route(self, chosen: Disposition, callback: CallbackChoice | None = None) -> None:
        assert self.claim is not None and self.card is not None
        at = callback.plan.at if callback else None
        owner_only = callback.owner_only if callback else True
        try:
            proposed = calls.propose(self.desk, self.claim, chosen.key, at, owner_only)
        except QualdeskError as exc:
            if chosen.implies is not Outcome.ROUTE:
                self.outcome = self.before
            self._fail(str(exc))
            return
        dialog = RoutingDialog(
            chosen.label, proposed, self.rep.time_zone, self.card.zones,
            save=lambda answer: self._end_call(chosen, callback, answer, dialog),
            others_on_number=self.card.others_on_number,
        )  # fmt: skip
        self.app.push_screen(dialog, self._route_closed)

    def _route_closed(self, answer: RouteChoice | None) -> None:
        """The routing dialog closed: saved (the next card is already up), or called off."""
        if answer is not None:
            return
        if self.outcome is not None and self.outcome.implies is not Outcome.ROUTE:
            self.outcome = self.before
        self.before = None
        self._paint_status()
        self.refresh_bindings()

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
        claim, started = self.claim, self.started_at
        notes = self.query_one("#desk-notes", TextArea).text
        self._draft_stop()  # the notes are saved with the call, which drops the draft

        def end() -> str:
            ended = calls.end_call(
                self.desk, claim, chosen.key, notes=notes, started_at=started,
                callback_at=callback.plan.at if callback else None,
                owner_only=callback.owner_only if callback else True,
                override=answer.override,
            )  # fmt: skip
            said = f"{chosen.label}: {ended.route.label}"
            others = ended.stopped_by_dnc
            if others > 0:
                said += f"; {others} other lead{'s' if others > 1 else ''} on that number stopped"
            return said

        self._claim_next(after=end, dialog=dialog, answer=answer)

    def action_touch(self) -> None:
        if self.card is None:
            return
        channels = [c for c in self.rules.channels if c != "phone"]
        if not channels:
            self.notify("The rules list no channel besides the phone.", severity="warning")
            return

        def logged(result: tuple[str, str] | None) -> None:
            if result is not None:
                self._write(lambda claim: calls.log_touch(self.desk, claim, *result))

        self.app.push_screen(TouchDialog(channels), logged)

    def action_notes(self) -> None:
        if self.card is not None:
            self.query_one("#desk-notes", TextArea).focus()

    def action_back(self) -> None:
        """Leave the notes; or close a card opened by search, giving the lead back."""
        if isinstance(self.focused, TextArea):
            self.set_focus(None)
            return
        if self.claim is not None and self.claim.chosen and self.outcome is None:
            claim = self.claim
            notes = self._draft_flush()
            self.claim, self.card = None, None
            self._show_empty(None)
            self._release(claim, notes)

    @work(thread=True, group="write", exit_on_error=False)
    def _release(self, claim: Claim, notes: str | None) -> None:
        queue.release(self.desk, claim, notes=notes)

    # -- keeping the call notes as a draft ---------------------------------

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """Keep the call notes once typing pauses, and every few seconds while it goes on."""
        if event.text_area.id != "desk-notes" or self.claim is None:
            return
        if event.text_area.text == self._draft_text:
            return
        now = time.monotonic()
        if self._draft_since is None:
            self._draft_since = now
        if self._draft_timer is not None:
            self._draft_timer.stop()
        wait = min(DRAFT_PAUSE, self._draft_since + DRAFT_EVERY - now)
        self._draft_timer = self.set_timer(max(wait, 0.0), self._draft_due)

    def _draft_due(self) -> None:
        notes = self._draft_flush()
        if notes is not None and self.claim is not None:
            self._draft_asked += 1
            self._keep_draft(self.claim, notes, self._draft_asked)

    def _draft_flush(self) -> str | None:
        """Stop waiting; the notes to keep now, or None if they are kept already."""
        self._draft_stop()
        notes = self.query_one("#desk-notes", TextArea).text
        if notes == self._draft_text:
            return None
        self._draft_text = notes
        return notes

    def _draft_stop(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer, self._draft_since = None, None

    @work(thread=True, group="draft", exit_on_error=False)
    def _keep_draft(self, claim: Claim, notes: str, order: int) -> None:
        with self._draft_lock:
            if order < self._draft_done:
                return  # a later save already ran
            self._draft_done = order
            try:
                kept = drafts.save_draft(self.desk, claim, notes)
            except Exception as exc:  # the notes are still on screen; say so, once
                line = str(exc) if isinstance(exc, QualdeskError) else unexpected_line(exc)
                self.app.call_from_thread(
                    self.notify, f"Your notes could not be kept as a draft: {line}",
                    severity="warning", timeout=6,
                )  # fmt: skip
                return
        if not kept and self.claim is claim:
            # The claim is gone (another window took the lead, or it left the desk):
            # say so now rather than at the next renewal.
            self.app.call_from_thread(self._renew)

    @work(thread=True, group="write", exit_on_error=False)
    def _write(self, change: Callable[[Claim], Any]) -> None:
        """Make a change to the held lead, then paint its card afresh."""
        claim = self.claim
        if claim is None:
            return
        try:
            change(claim)
            card = calls.load_card(self.desk, claim)
        except ClaimLost as exc:
            if self.claim is claim:
                self.app.call_from_thread(self._lost, str(exc))
            return
        except Exception as exc:
            line = str(exc) if isinstance(exc, QualdeskError) else unexpected_line(exc)
            self.app.call_from_thread(self._fail, line)
            return
        self.app.call_from_thread(self._repaint, claim, card)

    def _repaint(self, claim: Claim, card: CallCard) -> None:
        if self.claim is claim:
            self.card = card
            if card.callable_now:
                self.read_only = False  # their hours opened while the card was up
            self._paint()
            self.refresh_counts()

    def _tick(self) -> None:
        """Once a minute: the clocks on the bar and the card move on."""
        self.refresh_counts()
        if self.card is not None and not self.busy:
            self._write(lambda claim: None)

    @work(thread=True, group="renew", exit_on_error=False)
    def _renew(self) -> None:
        claim = self.claim
        if claim is None:
            return
        try:
            queue.renew(self.desk, claim)
        except ClaimLost as exc:
            if self.claim is claim:
                self.app.call_from_thread(self._lost, str(exc))

    @work(thread=True, group="counts", exclusive=True, exit_on_error=False)
    def refresh_counts(self) -> None:
        counts = stats.rep_today(self.desk, self.rep)
        now = self.desk.clock()
        self.app.call_from_thread(self.query_one(RepBar).show, self.rep, now, counts)

    def _disposition_hint(self) -> str:
        return (
            ", ".join(f"{d.hotkey} {d.label.lower()}" for d in self.rules.dispositions[:4]) + ", …"
        )

    # -- finding leads ---------------------------------------------------

    def action_search(self) -> None:
        self.app.push_screen(SearchScreen(self.desk), self._open_found)

    def _open_found(self, lead_id: int | None) -> None:
        if lead_id is None:
            return
        if self.claim is not None and self.claim.lead_id == lead_id:
            return
        if self.claim is not None and not (self.claim.chosen and self.outcome is None):
            self.notify("Finish the call on this card first.", severity="warning")
            return
        self._open_lead(lead_id, self._draft_flush() if self.claim is not None else None)

    @work(thread=True, exclusive=True, group="desk", exit_on_error=False)
    def _open_lead(self, lead_id: int, notes: str | None = None) -> None:
        self.app.call_from_thread(self._set_busy, True)
        try:
            if self.claim is not None:
                queue.release(self.desk, self.claim, notes=notes)
            claim = queue.claim_lead(self.desk, self.rep, lead_id)
            card = calls.load_card(self.desk, claim)
        except Exception as exc:
            line = str(exc) if isinstance(exc, QualdeskError) else unexpected_line(exc)
            self.app.call_from_thread(self._fail, line)
            return
        self.app.call_from_thread(self._open, claim, card, None, "")

    def give_back(self) -> None:
        """Release the lead on the card (the app is closing); a lost claim needs nothing."""
        claim, notes = self.claim, self._draft_flush()
        self.claim = None
        if claim is None:
            return
        # The app is closing: keep the notes and give the lead back if the database
        # answers quickly, else its lease returns it to the queue soon enough.
        giving = threading.Thread(target=self._give_back, args=(claim, notes), daemon=True)
        giving.start()
        giving.join(timeout=2)

    def _give_back(self, claim: Claim, notes: str | None) -> None:
        with contextlib.suppress(Exception):
            queue.release(self.desk, claim, notes=notes)

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
        if self.claim is not None:
            self.notify("Finish this call first, then open the team view.", severity="warning")
            return
        self.app.push_screen(TeamScreen(self.desk, self.rep))


def desk_screen(desk: Desk, rep: Rep) -> DeskScreen:
    """The desk screen, with one key per disposition of the rules in force."""
    rules = desk.rules().rules
    keys = [
        Binding(d.hotkey, f"disposition('{d.key}')", d.label, show=False,
                id=f"desk.disposition.{d.key}")
        for d in rules.dispositions
    ] + [
        Binding(str((n + 1) % 10), f"criterion({n})", f"tick {c.label}", show=False,
                id=f"desk.criterion-{n + 1}")
        for n, c in enumerate(rules.criteria)
    ]  # fmt: skip
    screen_class: type[DeskScreen] = type("DeskScreen", (DeskScreen,), {"BINDINGS": keys})
    return screen_class(desk, rep)


def binding_ids(desk: Desk) -> set[str]:
    """Every binding id a user may remap in the config file."""
    from qualdesk.tui.app import QualdeskApp
    from qualdesk.tui.screens.callback import CallbackDialog
    from qualdesk.tui.screens.export import ExportDialog
    from qualdesk.tui.screens.forms import AskDialog, ConfirmDialog, NoteDialog, TouchDialog
    from qualdesk.tui.screens.help import HelpScreen
    from qualdesk.tui.screens.review import ReviewScreen
    from qualdesk.tui.screens.signin import SignInScreen
    from qualdesk.tui.screens.team import TeamScreen

    screens: list[type[DOMNode]] = [
        QualdeskApp, DeskScreen, RoutingDialog, CallbackDialog, TouchDialog, NoteDialog,
        ConfirmDialog, QueueScreen, SearchScreen, HelpScreen, SignInScreen, TeamScreen,
        ReviewScreen, ExportDialog, AskDialog,
    ]  # fmt: skip
    ids = {
        binding.id
        for screen in screens
        for binding in screen.BINDINGS
        if isinstance(binding, Binding) and binding.id
    }
    rules = desk.rules().rules
    return (
        ids
        | {f"desk.disposition.{d.key}" for d in rules.dispositions}
        | {f"desk.criterion-{n + 1}" for n in range(len(rules.criteria))}
    )
