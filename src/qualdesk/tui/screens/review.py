"""Reviewing sales' rejections: the lead as handed off, its touches, sales' reason, a ruling."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from qualdesk.core.display import shown
from qualdesk.core.errors import QualdeskError
from qualdesk.core.hours import zone
from qualdesk.core.periods import PeriodProblem, read_day
from qualdesk.core.stages import Stage
from qualdesk.db.models import Rep
from qualdesk.services.desk import Desk
from qualdesk.services.handoff import review
from qualdesk.services.handoff.review import Rejection, ReviewCard
from qualdesk.tui.screens.forms import AskDialog
from qualdesk.tui.widgets.tables import fill

COLUMNS = ("#", "Name", "Company", "Campaign", "Rejected", "Sales' reason", "Ruling")
# On a narrow terminal (80 columns): who, when, why and the ruling, cut to fit; the
# company and campaign are in the card below.
NARROW_COLUMNS = ("#", "Name", "Rejected", "Sales' reason", "Ruling")
NARROW_LIMITS = (None, 20, None, 30, None)
NARROW = 110
SAMPLE = 20


class ReviewScreen(Screen[None]):
    """Rejected leads to rule on: all waiting, or a random sample of a month."""

    CSS_PATH = "review.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "v",
            "rule(True)",
            "Valid",
            id="review.valid",
            tooltip="Rule the rejection valid: the lead goes to nurture",
        ),
        Binding(
            "i",
            "rule(False)",
            "Invalid",
            id="review.invalid",
            tooltip="Rule the rejection invalid: the lead goes back to sales",
        ),
        Binding("a", "all", "All", id="review.all", tooltip="Every rejection waiting for a ruling"),
        Binding("s", "sample", "Sample", id="review.sample", tooltip="A sample of a month"),
        Binding("escape", "close", "Back", id="review.close", tooltip="Back to the team view"),
    ]

    def __init__(self, desk: Desk, rep: Rep) -> None:
        super().__init__()
        self.desk = desk
        self.rep = rep
        self.rejections: list[Rejection] = []
        self.card: ReviewCard | None = None
        self.scope = "every rejection waiting for a ruling"
        self.month: date | None = None
        self.sample_size = SAMPLE

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="review-summary")
        yield DataTable(id="review-list", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="review-detail"):
            yield Static(id="review-card")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def on_resize(self) -> None:
        self.set_class(self.size.height < 32, "-short")
        if self.rejections:
            self._fill(self.rejections)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "rule":
            return (self.card is not None and self.card.rejection.ruling is None) or None
        return True

    # -- the list -------------------------------------------------------

    def load(self) -> None:
        self.query_one("#review-summary", Static).update(f"Finding {self.scope}…")
        self._load(self.month)

    @work(thread=True, exclusive=True, group="list", exit_on_error=False)
    def _load(self, month: date | None) -> None:
        found = (
            review.month_sample(self.desk, month, self.sample_size, self.rep.time_zone)
            if month
            else review.to_review(self.desk)
        )
        self.app.call_from_thread(self._show, found)

    def _show(self, found: list[Rejection]) -> None:
        self.rejections = found
        waiting = sum(1 for r in found if r.ruling is None)
        summary = Text.assemble(
            ("Review ", "bold"), f"{self.scope}: {len(found)} shown, {waiting} to rule on.   ",
            ("v", "bold"), " valid (to nurture)  ", ("i", "bold"), " invalid (back to sales)",
        )  # fmt: skip
        self.query_one("#review-summary", Static).update(summary)
        table = self._fill(found)
        if found:
            table.focus()
            self._open(found[0])
        else:
            self.card = None
            self.query_one("#review-card", Static).update(
                Text("Nothing to review here.", style="dim")
            )
            self.refresh_bindings()

    def _fill(self, found: list[Rejection]) -> DataTable[Text | str]:
        """The list of rejections, narrower on a narrow terminal (no sideways scrolling)."""
        here = zone(self.rep.time_zone)
        narrow = (self.size.width or 120) < NARROW
        rows: list[tuple[Text | str, ...]] = []
        for r in found:
            ruling = Text(r.ruling or "to review", style="yellow" if r.ruling is None else "dim")
            reason = Text(r.reason or "(no reason)")
            rejected = r.rejected_at.astimezone(here)
            if narrow:
                rows.append((str(r.lead_id), Text(r.name), f"{rejected:%d %b}", reason, ruling))
            else:
                where = (Text(r.company), Text(r.campaign))
                rows.append(
                    (str(r.lead_id), Text(r.name), *where, f"{rejected:%d %b %Y}", reason, ruling)
                )
        table: DataTable[Text | str] = self.query_one("#review-list", DataTable)
        keys = [str(r.verdict_id) for r in found]
        if narrow:
            fill(table, NARROW_COLUMNS, rows, keys=keys, limits=NARROW_LIMITS)
        else:
            fill(table, COLUMNS, rows, keys=keys)
        return table

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id != "review-list" or event.row_key.value is None:
            return
        verdict_id = int(str(event.row_key.value))
        chosen = next((r for r in self.rejections if r.verdict_id == verdict_id), None)
        if chosen is not None and (self.card is None or self.card.rejection != chosen):
            self.card = None  # nothing to rule on until this row's card is painted
            self.refresh_bindings()
            self._open(chosen)

    def action_all(self) -> None:
        self.month, self.scope = None, "every rejection waiting for a ruling"
        self.load()

    def action_sample(self) -> None:
        now = self.desk.clock().astimezone(zone(self.rep.time_zone))
        self.app.push_screen(
            AskDialog(
                "Sample which month, and how many?",
                f"A month and a count ('2026-10 30'; {SAMPLE} if left out): rejections "
                "drawn at random from that month, the same draw for every reviewer; ruled "
                "ones stay in the sample as done.",
                placeholder=f"{now:%Y-%m} {SAMPLE}",
                value=f"{now:%Y-%m} {SAMPLE}",
                check=lambda typed: self._read_sample(typed)[2],
            ),
            self._sample,
        )

    def _read_sample(self, typed: str) -> tuple[date | None, int, str | None]:
        """The month and count typed, or what is wrong with them."""
        words = typed.split()
        size = SAMPLE
        if len(words) > 1 and words[-1].lstrip("+-").isdigit():
            size = int(words.pop())
        if not 1 <= size <= 1000:
            return None, size, f"A sample of {size}? Choose 1 to 1000 rejections."
        month = " ".join(words)
        if not month:
            return None, size, "Type a month: 2026-10, or oct 2026."
        try:
            day = read_day(month + ("-01" if len(month) == 7 else ""), self.desk.clock(),
                           self.rep.time_zone, "month")  # fmt: skip
        except PeriodProblem:
            return None, size, f"{month!r} is not a month (try 2026-10 or oct 2026)."
        return day.replace(day=1), size, None

    def _sample(self, typed: str | None) -> None:
        month, size, _ = self._read_sample(typed or "")
        if month is None:
            return
        self.month, self.sample_size = month, size
        self.scope = f"a sample of {size} from {self.month:%B %Y}"
        self.load()

    # -- one rejection ---------------------------------------------------

    def _open(self, rejection: Rejection) -> None:
        self._card(rejection)

    @work(thread=True, exclusive=True, group="card", exit_on_error=False)
    def _card(self, rejection: Rejection) -> None:
        card = review.review_card(self.desk, rejection)
        self.app.call_from_thread(self._paint, card)

    def _highlighted(self) -> int | None:
        """The verdict id of the highlighted row."""
        table = self.query_one("#review-list", DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(str(row_key.value))

    def _paint(self, card: ReviewCard) -> None:
        if card.rejection.verdict_id != self._highlighted():
            return  # the reviewer has moved on; the highlighted row's card is on its way
        self.card = card
        self.refresh_bindings()
        here = zone(self.rep.time_zone)
        r = card.rejection
        text = Text()
        text.append(shown(r.name or r.company), style="bold")
        title = f" · {shown(card.title)}" if card.title else ""
        text.append(f"{title} · {shown(r.company)}   #{r.lead_id}\n")
        text.append(f"{card.phone}  {shown(card.email)}  source {shown(card.source) or '-'}, "
                    f"campaign {shown(r.campaign) or '-'}\n")  # fmt: skip
        text.append("Sales rejected it ", style="bold red")
        text.append(f"on {r.rejected_at.astimezone(here):%d %b %Y}: ")
        text.append(f"{shown(r.reason) or '(no reason given)'}\n", style="red")
        if card.handed_off_at is not None:
            have = sum(1 for c in card.checklist if c.get("established"))
            text.append("\nAt hand-off ", style="bold")
            text.append(
                f"(batch {card.batch_id}, {card.handed_off_at.astimezone(here):%d %b %Y}, "
                f"rules version {card.rules_version}): score {card.score}, grade {card.grade}, "
                f"{have} of {len(card.checklist)} established\n"
            )
            for item in card.checklist:
                mark, style = ("✔", "green") if item.get("established") else ("·", "dim")
                text.append(f"  {mark} ", style=style)
                text.append(f"{item.get('label', item.get('key', ''))}",
                            style="bold" if item.get("established") else "")  # fmt: skip
                if item.get("required"):
                    text.append(" (required)", style="dim")
                if item.get("note"):
                    text.append(f"  {shown(str(item['note']))}", style="cyan")
                text.append("\n")
        else:
            text.append("\nNo hand-off is on record for this lead.\n", style="yellow")
        text.append(f"\nTouches ({len(card.touches)})\n", style="bold")
        for touch in card.touches:
            text.append(f"  {touch.when.astimezone(here):%d %b %H:%M}  {touch.channel:<8} "
                        f"{touch.disposition or '-':<14} {touch.rep:<8} ")  # fmt: skip
            text.append(shown(" ".join(touch.notes.split())), style="cyan")
            text.append("\n")
        if r.ruling is not None:
            text.append(f"\nRuled {r.ruling}", style="bold")
            text.append(f" by {card.reviewer}: {shown(card.note)}\n")
        self.query_one("#review-card", Static).update(text)

    def action_rule(self, valid: bool) -> None:
        card = self.card
        if card is None or card.rejection.ruling is not None:
            return
        if card.rejection.verdict_id != self._highlighted():
            return  # its card is still loading
        rejection = card.rejection
        what = (
            "valid: the lead goes to nurture"
            if valid
            else "invalid: the lead goes back to sales in the next export"
        )
        self.app.push_screen(
            AskDialog(
                f"{rejection.name or rejection.company} (#{rejection.lead_id}): rejection {what}",
                "Your note: why (it stays with the ruling).",
                placeholder=(
                    "e.g. no budget was established on the call"
                    if valid
                    else "e.g. budget confirmed on the call: see the notes"
                ),
                check=lambda note: None if note else "A ruling needs a note: say why.",
            ),
            lambda note: self._rule(rejection, valid, note),
        )

    def _rule(self, rejection: Rejection, valid: bool, note: str | None) -> None:
        if note is None:
            return
        if not note:
            self.notify("A ruling needs a note; nothing saved.", severity="warning")
            return
        self._save(rejection, valid, note)

    @work(thread=True, exclusive=True, group="rule", exit_on_error=False)
    def _save(self, rejection: Rejection, valid: bool, note: str) -> None:
        try:
            stage = review.rule(self.desk, rejection.verdict_id, self.rep, valid=valid, note=note)
        except QualdeskError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        where = "to nurture" if stage is Stage.NURTURE else "back to sales for the next export"
        name = rejection.name or rejection.company
        self.app.call_from_thread(self._ruled, f"{name}: rejection ruled, lead {where}.")

    def _ruled(self, said: str) -> None:
        self.notify(said)
        self.load()

    def action_close(self) -> None:
        self.dismiss(None)
