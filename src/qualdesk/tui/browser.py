"""The desk in a browser tab: Textual's web driver, leaving as a closed terminal does.

`qualdesk serve` runs one desk process per browser tab, on pipes, with this
driver. textual-serve tells the process to quit (a "quit" packet on its
input) when the tab closes or the connection drops; Textual's own web driver
then exits the app on the spot, so a lead in hand would stay held until its
lease ran out. Here a quit from the server, the server's input closing (the
server itself gone) and Ctrl+C at the server's terminal (which reaches every
desk process it started) all become SIGTERM, which the desk answers as it does
for a closed terminal: the notes are kept as a draft and the lead goes back to
the queue at once.

Keys are read with the terminal desk's KeyReader, so Escape and the key typed
after it stay two keys however fast a rep types ahead.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import selectors
import signal
import sys
from codecs import getincrementaldecoder

from textual.drivers._byte_stream import ByteStream
from textual.drivers.web_driver import WebDriver, _ExitInput

from qualdesk.tui.terminal import KeyReader

# Set by `qualdesk serve` for each tab's desk process: where the browser is.
ADDRESS_ENV = "QUALDESK_BROWSER_ADDRESS"


def served_source() -> str:
    """Where a served desk's rep is, for the sign-in log: "browser" and its address if known."""
    address = os.environ.get(ADDRESS_ENV, "").strip()
    return f"browser {address}"[:200] if address else "browser"


def runs_in_browser(driver_class: type[object]) -> bool:
    """Whether an app with this driver is drawn in a browser (textual-serve's pipes)."""
    return issubclass(driver_class, WebDriver)


class DeskWebDriver(WebDriver):
    """Textual's web driver, with every way of being told to go leading to the desk's quit."""

    def start_application_mode(self) -> None:
        super().start_application_mode()
        # Textual's web driver exits at once on SIGINT; the desk gives its lead back first.
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signal.SIGINT, self.leave)

    def on_meta(self, packet_type: str, payload: dict[str, object]) -> None:
        if packet_type == "quit":  # the tab closed or the connection dropped
            self.leave()
            return
        super().on_meta(packet_type, payload)

    def leave(self) -> None:
        """Quit as for a closed terminal: the desk's SIGTERM handler gives the lead back.

        Before the desk has mounted (and after it has gone), the web driver's
        own SIGTERM handler exits the app; nothing is held then.
        """
        os.kill(os.getpid(), signal.SIGTERM)

    def run_input_thread(self) -> None:
        """Read the server's packets: keys through KeyReader, the rest as Textual does."""
        reader = KeyReader(self._debug)
        decode = getincrementaldecoder("utf-8")(errors="replace").decode
        packets = ByteStream()
        fileno = sys.__stdin__.fileno() if sys.__stdin__ is not None else 0
        with selectors.DefaultSelector() as selector:
            selector.register(fileno, selectors.EVENT_READ)
            while not self.exit_event.is_set():
                for _key, mask in selector.select(reader.wait()):
                    if not mask & selectors.EVENT_READ:
                        continue
                    data = os.read(fileno, 4096)
                    if not data:  # the server is gone: nobody will type here again
                        if not self.exit_event.is_set():
                            self.leave()
                        return
                    for kind, payload in packets.feed(data):
                        if kind == "D":
                            for message in reader.feed(decode(payload)):
                                self.process_message(message)
                        else:
                            self._read_meta(kind, payload)
                for message in reader.tick():
                    self.process_message(message)

    def _read_meta(self, kind: str, payload: bytes) -> None:
        # A packet that is not JSON, or an "exit" (textual-serve sends neither): dropped.
        with contextlib.suppress(ValueError, _ExitInput):
            self._on_meta(kind, payload)
