"""Reading keys from a real terminal: Escape then a key is two keys, never Alt+key.

A terminal sends Escape as the byte ESC, and Alt+8 (or, in some macOS
terminals, Option+8) as ESC and "8" written together. Textual waits a
moment after ESC to tell them apart, so a rep who presses Esc and then a
digit within that moment gets one key, Alt+8, which a notes box types as
"•": the Esc and the tick are both lost. The desk has no Alt keys, so here
ESC followed by any key (a printable one, Enter, Backspace, Tab, another
Escape) is Escape and that key, whether they came together or apart; Alt+
Backspace reads as Escape then Backspace (Ctrl+W deletes a word). ESC
followed by "[" or "O" still starts the sequences terminals send for arrows,
function keys and pastes, and a paste's text is left as it came, even when
its end marker is split across two reads.
"""

from __future__ import annotations

import os
import selectors
import time
from codecs import getincrementaldecoder
from collections.abc import Iterable, Iterator

from textual import constants, events
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

ESC = "\x1b"
# After ESC, these begin a terminal sequence (CSI, SS3): left to the parser.
SEQUENCE_STARTS = "[O"
PASTE_START, PASTE_END = ESC + "[200~", ESC + "[201~"
# How long the input loop sleeps when nothing is pending.
IDLE_WAIT = 0.1


class KeyReader(XTermParser):
    """Textual's terminal parser, with Escape and a key after it kept apart."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        # An ESC that ended the last read, held back until the next byte tells what it is.
        self._escape_at: float | None = None
        self._pasting = False
        # The end of the last read, to see a paste marker split across two reads.
        self._tail = ""

    def feed(self, data: str) -> Iterator[Message]:
        if not data:
            yield from self._escape_now()
            yield from super().feed(data)
            return
        if self._escape_at is not None:
            self._escape_at = None
            if data[0] in SEQUENCE_STARTS:
                data = ESC + data  # the rest of a sequence split across reads
            else:
                yield events.Key("escape", ESC)
        yield from self._split(data)

    def tick(self) -> Iterator[Message]:
        if self._escape_at is not None and time.monotonic() >= self._escape_at + self.delay:
            yield from self._escape_now()
        yield from super().tick()

    @property
    def delay(self) -> float:
        """How long an ESC alone waits for the rest of a sequence."""
        return constants.ESCAPE_DELAY

    def wait(self) -> float:
        """How long the input loop may sleep before `tick` has work."""
        if self._escape_at is None:
            return IDLE_WAIT
        return max(0.0, self._escape_at + self.delay - time.monotonic())

    def _escape_now(self) -> Iterator[Message]:
        if self._escape_at is not None:
            self._escape_at = None
            yield events.Key("escape", ESC)

    def _split(self, data: str) -> Iterator[Message]:
        """Parse a read, turning each ESC before a key (not a sequence) into the Escape key."""
        self._straddling_marker(data)
        start = 0
        at = data.find(ESC)
        while at != -1:
            if data.startswith(PASTE_START, at):
                self._pasting = True
            elif data.startswith(PASTE_END, at):
                self._pasting = False
            elif not self._pasting:
                after = data[at + 1 : at + 2]
                if not after:
                    yield from self._parse(data[start:at])
                    self._escape_at = time.monotonic()
                    return
                if after not in SEQUENCE_STARTS:
                    yield from self._parse(data[start:at])
                    yield events.Key("escape", ESC)
                    start = at + 1
            at = data.find(ESC, at + 1)
        yield from self._parse(data[start:])

    def _straddling_marker(self, data: str) -> None:
        """A paste's start or end marker that began in the last read and ends in this one."""
        joined = self._tail + data
        for marker, pasting in ((PASTE_START, True), (PASTE_END, False)):
            at = joined.find(marker)
            if at != -1 and at < len(self._tail) < at + len(marker):
                self._pasting = pasting
        self._tail = joined[-(len(PASTE_END) - 1) :]

    def _parse(self, piece: str) -> Iterable[Message]:
        # An empty feed means the end of input to the parser: never send one mid-stream.
        return super().feed(piece) if piece else ()


class DeskTerminal(LinuxDriver):
    """The Linux and macOS terminal driver, reading keys with KeyReader."""

    def run_input_thread(self) -> None:
        reader = KeyReader(self._debug)
        decode = getincrementaldecoder("utf-8")(errors="replace").decode
        with selectors.SelectSelector() as selector:
            selector.register(self.fileno, selectors.EVENT_READ)
            while not self.exit_event.is_set():
                for _key, mask in selector.select(reader.wait()):
                    if not mask & selectors.EVENT_READ:
                        continue
                    text = decode(os.read(self.fileno, 4096))
                    if not text:  # the input closed (a pipe): nothing more will come
                        self.exit_event.wait()
                        break
                    for message in reader.feed(text):
                        self.process_message(message)
                for message in reader.tick():
                    self.process_message(message)
