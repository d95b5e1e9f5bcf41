"""Exporting from the team view: to sales or back to marketing, the layout and file, watched."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, ProgressBar, RadioSet, Static

from qualdesk.core.display import shown
from qualdesk.core.errors import QualdeskError
from qualdesk.core.handoff import FORMATS, PROFILES
from qualdesk.core.words import counted
from qualdesk.db.models import Rep
from qualdesk.services.access import as_rep
from qualdesk.services.desk import Desk
from qualdesk.services.handoff.export import (
    ExportResult,
    default_name,
    export_leads,
    waiting_for_export,
)
from qualdesk.services.handoff.nurture import nurture_waiting
from qualdesk.services.problems import unexpected_line
from qualdesk.tui.browser import exports_folder, served_export_file
from qualdesk.tui.widgets.choice import Choice
from qualdesk.tui.widgets.keys import legend
from qualdesk.tui.widgets.literal import LiteralInput

# Where the leads go: (destination, with the disqualified too, as the choice reads).
DESTINATIONS = (
    ("sales", False, "sales"),
    ("nurture", False, "nurture"),
    ("nurture", True, "nurture + out"),
)


class ExportDialog(ModalScreen[ExportResult | None]):
    """Write the leads waiting for sales, or for marketing's nurture, with progress; say where."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "confirm", "Export", id="export.confirm", priority=True),
        Binding("escape", "cancel", "Close", id="export.cancel"),
    ]

    def __init__(self, desk: Desk, rep: Rep) -> None:
        super().__init__()
        self.desk = desk
        self.rep = rep
        self.running = False
        self.result: ExportResult | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="export"):
            yield Static(
                "Export: qualified leads to sales, nurtured ones back to marketing",
                classes="dialog-title",
            )
            yield Static("Counting the leads waiting…", id="export-waiting")
            with Horizontal(id="export-choices"):
                with Vertical():
                    yield Static("To", classes="export-label")
                    with RadioSet(id="export-to"):
                        for index, (_, _, label) in enumerate(DESTINATIONS):
                            yield Choice(label, value=index == 0)
                with Vertical():
                    yield Static("Layout (CRM)", classes="export-label")
                    with RadioSet(id="export-profile"):
                        for index, name in enumerate(PROFILES):
                            yield Choice(name, value=index == 0)
                with Vertical():
                    yield Static("Format", classes="export-label")
                    with RadioSet(id="export-format"):
                        for index, name in enumerate(FORMATS):
                            yield Choice(name, value=index == 0)
            yield LiteralInput(id="export-path")
            yield ProgressBar(id="export-progress", show_eta=False, classes="-hidden")
            yield Static(id="export-result")
            yield Static(
                legend(("Enter", "export"), ("↑↓ Space", "choose"),
                       ("Tab", "layout, format, file"), ("Esc", "close")),
                classes="dialog-keys", id="export-keys",
            )  # fmt: skip

    def on_resize(self) -> None:
        # At 24 rows the choices and the file name drop their frames, so all of it fits.
        self.set_class(self.size.height < 32, "-short")

    def on_mount(self) -> None:
        self._set_path()
        if self.served:
            where = Text(f"Written into {exports_folder()}", style="dim")
            self.query_one("#export-result", Static).update(where)
        # The choices first: typing there cannot wipe the file name by accident.
        self.query_one("#export-to", RadioSet).focus()
        self._count()

    @work(thread=True, exit_on_error=False)
    def _count(self) -> None:
        count = waiting_for_export(self.desk)
        nurtured, out = nurture_waiting(self.desk)
        words = (
            f"{counted(count, 'qualified lead')} "
            f"{'waits' if count == 1 else 'wait'} to be handed off."
            if count
            else "No qualified leads are waiting to be handed off."
        )
        back = (
            f"{counted(nurtured, 'nurtured lead')} {'waits' if nurtured == 1 else 'wait'} "
            "to go back to marketing"
            if nurtured
            else "No nurtured leads wait to go back to marketing"
        )
        more = f"; {out:,} disqualified with nurture + out." if out else "."
        self.app.call_from_thread(
            self.query_one("#export-waiting", Static).update, f"{words}\n{back}{more}"
        )

    def _choice(self, selector: str, names: tuple[str, ...]) -> str:
        pressed = self.query_one(selector, RadioSet).pressed_index
        return names[pressed if pressed >= 0 else 0]

    def _destination(self) -> tuple[str, bool]:
        pressed = self.query_one("#export-to", RadioSet).pressed_index
        to, include_out, _ = DESTINATIONS[pressed if pressed >= 0 else 0]
        return to, include_out

    @property
    def served(self) -> bool:
        """A browser tab's desk: it writes only in the server's exports folder, by file name."""
        return bool(getattr(self.app, "served", False))

    def _set_path(self) -> None:
        fmt = self._choice("#export-format", FORMATS)
        name = default_name(self.desk.clock(), fmt, self._destination()[0])
        self.query_one("#export-path", Input).value = (
            name if self.served else str(Path.cwd() / name)
        )

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        if event.radio_set.id == "export-to":
            # A name the dialog chose follows the destination; one typed is left alone.
            field = self.query_one("#export-path", Input)
            path = Path(field.value.strip())
            kind = "nurture" if self._destination()[0] == "nurture" else "handoff"
            for made in ("qualdesk-handoff-", "qualdesk-nurture-"):
                if path.name.startswith(made) and "batch" not in path.name:
                    rest = path.name.removeprefix(made)
                    field.value = str(path.with_name(f"qualdesk-{kind}-{rest}"))
        if event.radio_set.id == "export-format":
            field = self.query_one("#export-path", Input)
            fmt = self._choice("#export-format", FORMATS)
            path = Path(field.value.strip())
            if path.name and path.suffix.lower() in (".csv", ".jsonl"):
                field.value = str(path.with_suffix(f".{fmt}"))

    def action_confirm(self) -> None:
        if self.running:
            return
        if self.result is not None:
            self.dismiss(self.result)
            return
        self._start()

    def _start(self) -> None:
        typed = self.query_one("#export-path", Input).value.strip()
        if not typed:
            self._problem("Give the file to write.")
            return
        out = Path(typed)
        if self.served:
            try:
                out = served_export_file(typed)
            except QualdeskError as exc:
                self._problem(str(exc))
                return
        self.running = True
        self.query_one("#export-progress", ProgressBar).remove_class("-hidden")
        self.query_one("#export-result", Static).update("Writing…")
        self._export(
            out,
            self._choice("#export-format", FORMATS),
            self._choice("#export-profile", PROFILES),
            *self._destination(),
        )

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _export(self, out: Path, fmt: str, profile: str, to: str, include_out: bool) -> None:
        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(
                self.query_one("#export-progress", ProgressBar).update, total=total, progress=done
            )

        try:
            result = export_leads(
                self.desk, out=out, fmt=fmt, profile=profile, by=as_rep(self.rep),
                progress=progress, to=to, include_out=include_out,
            )  # fmt: skip
        except QualdeskError as exc:
            self.app.call_from_thread(self._problem, str(exc))
            return
        except Exception as exc:  # the screen stays usable; the line says what happened
            self.app.call_from_thread(self._problem, unexpected_line(exc))
            return
        self.app.call_from_thread(self._done, result)

    def _problem(self, line: str) -> None:
        self.running = False
        self.query_one("#export-progress", ProgressBar).add_class("-hidden")
        self.query_one("#export-result", Static).update(Text(line, style="bold red"))

    def _done(self, result: ExportResult) -> None:
        self.running = False
        self.result = result
        nurture = result.destination == "nurture"
        if result.file is None:
            self.query_one("#export-progress", ProgressBar).add_class("-hidden")
            which = "leads for marketing" if nurture else "qualified leads"
            said = Text(f"No {which} were waiting; nothing written.", style="yellow")
        elif nurture:
            out = (
                f", {result.out:,} out ({result.do_not_call:,} on do-not-call, marked)"
                if result.out
                else ""
            )
            said = Text.assemble(
                ("Handed ", "green"), (counted(result.exported, "lead"), "bold green"),
                (f" back to marketing as batch {result.batch_id} ({result.profile} "
                 f"{result.format}){out}\n", "green"),
                shown(str(result.file)),
            )  # fmt: skip
        else:
            said = Text.assemble(
                ("Handed off ", "green"), (counted(result.exported, "lead"), "bold green"),
                (f" as batch {result.batch_id} ({result.profile} {result.format})\n", "green"),
                shown(str(result.file)),
            )  # fmt: skip
        self._count()
        self.query_one("#export-result", Static).update(said)
        self.query_one("#export-keys", Static).update(legend(("Enter", "close"), ("Esc", "close")))

    def action_cancel(self) -> None:
        if self.running:
            self.notify("The export is being written; it closes when done.", severity="warning")
            return
        self.dismiss(self.result)
