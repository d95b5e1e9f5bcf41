"""The call card: everything about the lead a rep holds, shown literally.

Text from lead files is never read as markup: every value goes into a rich
Text, so a name such as "Bob [/]" shows as typed and cannot break the screen.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from qualdesk.core.display import shown
from qualdesk.core.hours import zone
from qualdesk.core.routing import ROUTE_LABELS
from qualdesk.services.calling.calls import CallCard
from qualdesk.tui.widgets.tables import fill

HISTORY = ("When (you)", "Channel", "Outcome", "Rep", "Note")


def their_time(card: CallCard, now: datetime, narrow: bool = False) -> Text:
    """The lead's local time now, and whether they may be called (shorter when narrow)."""
    text = Text()
    if not card.zones:
        text.append("their time zone is unknown", style="bold yellow")
        return text
    local = now.astimezone(zone(card.zones[0]))
    walls = [now.astimezone(zone(z)).replace(tzinfo=None) for z in card.zones]
    if min(walls) == max(walls):
        text.append(f"{'' if narrow else 'their time '}{local:%a %H:%M}", style="bold")
    else:
        text.append(f"their time {min(walls):%a %H:%M} to {max(walls):%a %H:%M}", style="bold")
    place = card.zones[0].split("/")[-1].replace("_", " ")
    more = f" +{len(card.zones) - 1} zones" if len(card.zones) > 1 else ""
    if narrow:
        text.append(f" {place}{more} ({card.window})  ", style="dim")
    else:
        text.append(f" ({place}{more}, hours {card.window})  ", style="dim")
    if card.callable_now:
        until = (
            f" until {card.closes_at.astimezone(zone(card.zones[0])):%H:%M}"
            if card.closes_at
            else ""
        )
        said = f"✔{until}" if narrow else f"✔ callable{until}"
        text.append(said, style="bold green")
    else:
        opens = (
            f": opens {card.opens_at.astimezone(zone(card.zones[0])):%a %H:%M}"
            f"{'' if narrow else ' theirs'}"
            if card.opens_at
            else ""
        )
        text.append(f"✘ not callable now{opens}", style="bold red")
    return text


class CallCardView(Vertical):
    """The lead, the checklist and the history of the claimed lead.

    Each line of the lead and of the checklist is one screen line, cut short
    with an ellipsis when the terminal is narrow; with the class -short (an
    80x24 terminal) the lead's details and its route are too, so the name,
    number, local time, route and all ten criteria fit at once.
    """

    DEFAULT_CSS = """
    CallCardView #card-title, CallCardView #card-phone, CallCardView #card-checklist,
    CallCardView.-short #card-meta, CallCardView.-short #card-verdict {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    CallCardView.-short #card-main {
        scrollbar-size-vertical: 0;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown: tuple[CallCard, datetime, str] | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="card-main"):
            yield Static(id="card-title")
            yield Static(id="card-phone")
            yield Static(id="card-meta")
            yield Static(id="card-verdict")
            yield Static(id="card-checklist")
            yield Static(id="card-extras")
        history: DataTable[Text | str] = DataTable(
            id="card-history", cursor_type="none", show_cursor=False, zebra_stripes=True
        )
        history.add_columns(*HISTORY)
        yield history

    def show(self, card: CallCard, now: datetime, rep_zone: str) -> None:
        """Paint a card (another lead's from its top)."""
        if self.shown is None or self.shown[0].lead.id != card.lead.id:
            self.query_one("#card-main", VerticalScroll).scroll_home(animate=False)
        self.shown = (card, now, rep_zone)
        self._paint(card, now, rep_zone)

    def on_resize(self) -> None:
        if self.shown is not None:
            self._paint(*self.shown)

    def _paint(self, card: CallCard, now: datetime, rep_zone: str) -> None:
        lead = card.lead
        title = Text()
        title.append(shown(lead.name or lead.company), style="bold")
        for part in (lead.title, lead.company if lead.name else ""):
            if part:
                title.append(" · ")
                title.append(shown(part))
        title.append(f"   #{lead.id}", style="dim")
        self.query_one("#card-title", Static).update(title)
        phone = Text()
        phone.append(card.phone, style="bold")
        if card.main_phone:
            phone.append(f" (main: {card.main_phone})", style="dim")
        elif card.others_on_number:
            others = card.others_on_number
            phone.append(
                f" (shared with {others} other lead{'s' if others > 1 else ''})", style="yellow"
            )
        elif lead.shares_phone:
            phone.append(" (shared number)", style="yellow")
        phone.append("  ")
        phone.append_text(their_time(card, now, narrow=(self.size.width or 120) < 100))
        self.query_one("#card-phone", Static).update(phone)
        meta = Text()
        meta.append(shown(card.why), style="italic")
        meta.append(f"   attempts {lead.attempts} of {card.max_attempts}", style="dim")
        for label, value in (("source", lead.source), ("campaign", lead.campaign),
                             ("industry", lead.industry), ("size", lead.company_size)):  # fmt: skip
            if value:
                meta.append(f"   {label} ", style="dim")
                meta.append(shown(value))
        self.query_one("#card-meta", Static).update(meta)
        extras = Text()
        for key, value in lead.extra.items():
            extras.append(f"{shown(key)}: ", style="dim")
            extras.append(f"{shown(str(value), lines=True)}\n")
        extras.rstrip()
        self.query_one("#card-extras", Static).update(
            extras if extras.plain else Text("no extra columns", style="dim")
        )
        self.show_checklist(card)
        self.query_one("#card-verdict", Static).update(self._verdict(card))
        history = self.query_one("#card-history", DataTable)
        history.set_class(not card.history, "-hidden")
        tz = zone(rep_zone)
        rows = [
            (f"{touch.when.astimezone(tz):%d %b %H:%M}", touch.channel, touch.disposition,
             touch.rep, Text(shown(touch.notes.replace("\n", " "))))
            for touch in card.history
        ]  # fmt: skip
        fill(history, HISTORY, rows)

    def show_checklist(self, card: CallCard) -> None:
        """Paint the checklist alone (a tick shows at once, before the database has it)."""
        # Short, the lead's own notes and columns are below the checklist, out of view.
        below = "   PgDn: the lead's notes" if self.has_class("-short") and card.lead.extra else ""
        self.query_one("#card-checklist", Static).update(self._checklist(card, below))

    def scroll_card(self, down: bool) -> None:
        """A page down or up the lead's details, checklist and the lead's notes."""
        main = self.query_one("#card-main", VerticalScroll)
        if down:
            main.scroll_page_down(animate=False)
        else:
            main.scroll_page_up(animate=False)

    @staticmethod
    def _checklist(card: CallCard, below: str = "") -> Text:
        text = Text()
        have = sum(1 for c in card.checklist if c.established)
        text.append(f"Checklist: {have} of {len(card.checklist)} established", style="bold")
        text.append(f"{below}\n", style="dim")
        for item in card.checklist:
            mark, style = ("✔", "green") if item.established else ("·", "dim")
            text.append(f" {item.key_label} ", style="reverse")
            text.append(f" {mark} ", style=style)
            text.append(f"{item.label:<17}", style="bold" if item.established else "")
            text.append(f"{item.points:>3}{'*' if item.required else ' '} ", style="dim")
            if item.note:
                text.append(shown(item.note), style="cyan")
            else:
                text.append(item.prompt, style="dim")
            text.append("\n")
        text.rstrip()
        return text

    @staticmethod
    def _verdict(card: CallCard) -> Text:
        verdict = card.verdict
        text = Text()
        text.append(f"Score {verdict.score} · Grade {verdict.grade}", style="bold")
        text.append("   if connected now: ", style="dim")
        route = card.if_connected
        text.append(ROUTE_LABELS[route.stage], style="bold green" if verdict.qualified else "bold")
        text.append(f" ({shown(route.reason)})", style="dim")
        if route.grade_note:
            # Its own line, so that at 80 columns the why is not cut off with the reason.
            text.append(f"\n{shown(route.grade_note)}", style="yellow")
        return text
