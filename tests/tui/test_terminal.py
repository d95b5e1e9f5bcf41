"""Keys from a real terminal: the desk run in tmux, typed at in bursts as a fast rep does.

tmux sends each key as a terminal would; `send-keys` with several keys
writes them at once, and a pause of 20 ms between calls is a fast typist.
The desk must end where the same keys typed slowly would leave it: Escape
followed at once by a digit is Escape and the digit (never Alt+digit), and
a search box given eight Backspaces after "umbrella" holds only what was
typed next. Without tmux the test skips, except under CI, where it fails.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select
from textual._xterm_parser import XTermParser

from qualdesk.db.models import ChecklistAnswer, Lead, Touch
from qualdesk.services.access import Actor
from qualdesk.services.desk import Desk, open_desk
from qualdesk.services.intake.importer import ImportOptions, import_file
from qualdesk.services.reps import add_rep
from qualdesk.services.rules import load_rules
from qualdesk.tui.terminal import ESC, IDLE_WAIT, KeyReader
from tests.conftest import REPO

LEADS = """Name,Company,Title,Phone
Bob Stone,Acme,Owner,+1 212 555 0101
Grace Hopper,Navy,Admiral,+1 212 555 0102
Ada Lovelace,Analytical,,+44 20 7946 0958
Umberto Eco,Umbrella Ltd,,+39 06 4991 0000
"""
GAP = 0.02  # between keys: a fast typist


# -- the reader, key by key --------------------------------------------------


def keys_of(reader: KeyReader, *reads: str, wait: float = 0.0) -> list[str]:
    found = []
    for data in reads:
        found += [getattr(event, "key", type(event).__name__) for event in reader.feed(data)]
    if wait:
        time.sleep(wait)
        found += [getattr(event, "key", type(event).__name__) for event in reader.tick()]
    return found


@pytest.mark.parametrize(
    ("reads", "keys"),
    [
        ((ESC + "8",), ["escape", "8"]),  # written together: still two keys
        ((ESC, "8"), ["escape", "8"]),  # apart
        ((ESC + "a" + ESC + "3",), ["escape", "a", "escape", "3"]),
        (("ab" + ESC + "i",), ["a", "b", "escape", "i"]),
        ((ESC + "[A",), ["up"]),  # an arrow key's sequence
        ((ESC, "[A"), ["up"]),  # split across reads
        ((ESC + "OP",), ["f1"]),
        ((ESC + ESC + "8",), ["escape", "escape", "8"]),  # a double-tapped Esc, then a tick
        ((ESC, ESC + "8"), ["escape", "escape", "8"]),
        ((ESC + "\r",), ["escape", "enter"]),  # back to the proposal, then confirm it
        ((ESC + "\x7f",), ["escape", "backspace"]),
        ((ESC + "\t",), ["escape", "tab"]),
    ],
)
def test_escape_then_a_key_is_two_keys(reads: tuple[str, ...], keys: list[str]) -> None:
    assert keys_of(KeyReader(), *reads) == keys


@pytest.mark.parametrize(
    "data",
    [
        ESC + "[200~ab" + ESC + "[201~",  # a paste
        ESC + "[200~a" + ESC + "b" + ESC + "[201~",  # a paste carrying ESC
        ESC + "[1;5A",  # Ctrl+Up
    ],
)
def test_everything_else_is_read_as_textual_reads_it(data: str) -> None:
    ours = [repr(event) for event in KeyReader().feed(data)]
    theirs = [repr(event) for event in XTermParser().feed(data)]
    assert ours == theirs


def test_a_paste_end_split_across_reads_ends_the_paste() -> None:
    reader = KeyReader()
    assert keys_of(reader, ESC + "[200~abc" + ESC + "[20", "1~", ESC + "8") == [
        "Paste",
        "escape",
        "8",
    ]


def test_escape_alone_is_the_escape_key_after_a_moment() -> None:
    reader = KeyReader()
    assert keys_of(reader, ESC) == []
    assert keys_of(reader, wait=reader.delay + 0.05) == ["escape"]
    assert reader.wait() == IDLE_WAIT  # nothing pending: the input loop may sleep


# -- the desk in a real terminal -----------------------------------------------


def _tmux() -> str:
    found = shutil.which("tmux")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("tmux is missing: .ci/run installs it (apt-get install tmux)")
        pytest.skip("tmux is not installed: the real-terminal test needs it")
    return found


class Terminal:
    """A tmux session running a command, typed at and read back."""

    def __init__(self, tmux: str, name: str, command: str, size: tuple[int, int]) -> None:
        self.tmux, self.name = tmux, name
        width, height = size
        self._run("new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), command)

    def _run(self, *args: str) -> str:
        done = subprocess.run(
            [self.tmux, *args], capture_output=True, text=True, timeout=10, check=False
        )
        return done.stdout

    def type(self, *keys: str, gap: float = GAP) -> None:
        """Each key its own write, `gap` seconds apart."""
        for key in keys:
            self._run("send-keys", "-t", self.name, key)
            time.sleep(gap)

    def screen(self) -> str:
        return self._run("capture-pane", "-p", "-t", self.name)

    def wait_for(self, check: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.05)
        raise AssertionError(f"{what} did not happen; the screen:\n{self.screen()}")

    def close(self) -> None:
        self._run("kill-session", "-t", self.name)


@pytest.fixture
def desk_file(tmp_path: Path) -> Iterator[Path]:
    """A desk whose leads may be called at any hour, so the test runs whenever CI does."""
    path = tmp_path / "desk.db"
    desk = open_desk(path)
    text = (REPO / "data" / "desk.toml").read_text(encoding="utf-8")
    text = text.split("[calling_hours]")[0] + '[calling_hours]\nstart = "00:00"\nend = "24:00"\n'
    rules = tmp_path / "any-hour.toml"
    rules.write_text(text, encoding="utf-8")
    load_rules(desk, rules, Actor("test", "lead"))
    add_rep(desk, "ana", "Ana Reyes", "rep", "America/New_York")
    leads = tmp_path / "leads.csv"
    leads.write_text(LEADS, encoding="utf-8")
    import_file(desk, leads, ImportOptions(imported_by="ops"))
    desk.close()
    yield path


def _read(path: Path, read: Callable[[Desk], object]) -> object:
    desk = open_desk(path)
    try:
        return read(desk)
    finally:
        desk.close()


def _lead(path: Path, lead_id: int) -> Lead:
    def read(desk: Desk) -> Lead:
        with desk.db.reading() as session:
            found = session.get(Lead, lead_id)
            assert found is not None
            return found

    found = _read(path, read)
    assert isinstance(found, Lead)
    return found


def _ticked(path: Path, lead_id: int) -> set[str]:
    def read(desk: Desk) -> set[str]:
        with desk.db.reading() as session:
            rows = session.scalars(
                select(ChecklistAnswer)
                .where(col(ChecklistAnswer.lead_id) == lead_id)
                .order_by(col(ChecklistAnswer.id))
            )
            standing = {row.criterion: row.established for row in rows}
        return {key for key, established in standing.items() if established}

    found = _read(path, read)
    assert isinstance(found, set)
    return found


def _touches(path: Path) -> list[tuple[int, str, str]]:
    def read(desk: Desk) -> list[tuple[int, str, str]]:
        with desk.db.reading() as session:
            return [
                (t.lead_id, t.disposition or "", t.notes)
                for t in session.scalars(select(Touch).order_by(col(Touch.id)))
            ]

    found = _read(path, read)
    assert isinstance(found, list)
    return found


def test_a_fast_rep_in_a_real_terminal_loses_no_key(desk_file: Path, tmp_path: Path) -> None:
    tmux = _tmux()
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "XDG_STATE_HOME": str(tmp_path / "xdg-state"),
        "TERM": "xterm-256color",
    }
    command = " ".join(
        [
            "env",
            *(f"{key}={shlex.quote(value)}" for key, value in env.items()),
            shlex.quote(sys.executable),
            "-m",
            "qualdesk",
            "--db",
            shlex.quote(str(desk_file)),
            "desk",
            "--rep",
            "ana",
        ]
    )
    terminal = Terminal(tmux, f"qualdesk-test-{os.getpid()}", command, (120, 40))
    try:
        terminal.wait_for(lambda: "No lead open" in terminal.screen(), "the desk opening")
        # A connected call qualified in seven keys, typed as fast as a rep types.
        terminal.type("n")
        terminal.wait_for(lambda: "Bob Stone" in terminal.screen(), "the first card")
        terminal.type("c", "1", "3", "6", "8", "e", "Enter")
        terminal.wait_for(lambda: _lead(desk_file, 1).stage == "sales", "the lead going to sales")
        assert _ticked(desk_file, 1) == {"vertical", "decision_makers", "pains", "budget"}
        terminal.wait_for(lambda: "Grace Hopper" in terminal.screen(), "the next card")
        # Notes, then Escape and a digit written together (one send-keys call), twice.
        terminal.type("i", *"ok")
        for key in ("Escape 8", "Escape 9"):
            terminal._run("send-keys", "-t", terminal.name, *key.split())
            time.sleep(GAP)
        terminal.type("a", "Enter")
        terminal.wait_for(lambda: len(_touches(desk_file)) == 2, "the no-answer on the second card")
        assert _touches(desk_file)[1] == (2, "no_answer", "ok")
        assert _ticked(desk_file, 2) == {"budget", "competition"}
        # The inbound caller: a search typed with Backspaces, opened with the card in hand.
        terminal.wait_for(lambda: "Ada Lovelace" in terminal.screen(), "the third card")
        terminal.type("/", *"umbrella", *["BSpace"] * 8, *"Grace", "Enter")
        terminal.wait_for(
            lambda: _lead(desk_file, 2).claimed_by is not None, "Grace's card opening"
        )
        assert _lead(desk_file, 3).claimed_by is None  # the card in hand went back
        terminal.type("C-q", "C-q")
        terminal.wait_for(lambda: _lead(desk_file, 2).claimed_by is None, "the desk quitting")
    finally:
        terminal.close()
