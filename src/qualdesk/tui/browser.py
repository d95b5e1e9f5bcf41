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

What else a served desk does differently, each told by the server in the
desk's environment: it asks for a password whatever the rules say when the
server lets other machines in (EXPOSED_ENV), it closes itself when nobody
signs in on it within SIGN_IN_WITHIN_SECONDS, and its exports go into one
folder (EXPORTS_ENV), named by a file name only.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import selectors
import signal
import sys
from codecs import getincrementaldecoder
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.drivers._byte_stream import ByteStream
from textual.drivers.web_driver import WebDriver, _ExitInput
from textual.screen import Screen

from qualdesk.core.errors import QualdeskError
from qualdesk.tui.terminal import KeyReader

if TYPE_CHECKING:
    from qualdesk.tui.app import QualdeskApp

# Set by `qualdesk serve` in each tab's desk process's environment:
ADDRESS_ENV = "QUALDESK_BROWSER_ADDRESS"  # where the browser is
EXPOSED_ENV = "QUALDESK_SERVED_EXPOSED"  # "1": other machines reach the server
EXPORTS_ENV = "QUALDESK_EXPORTS"  # the folder exports go into (absolute)
# Where exports go when the server names no folder: in the folder the desk starts from.
EXPORTS_FOLDER = "qualdesk-exports"
# A served desk nobody signs in on within this long closes itself (its process ends).
SIGN_IN_WITHIN_SECONDS = 300.0
SIGN_IN_WITHIN_ENV = "QUALDESK_SIGN_IN_WITHIN_SECONDS"  # another time, for tests
# A password being checked when the time is up is answered first; then it looks again.
CHECKING_GRACE_SECONDS = 5.0


def served_source() -> str:
    """Where a served desk's rep is, for the sign-in log: "browser" and its address if known."""
    address = os.environ.get(ADDRESS_ENV, "").strip()
    return f"browser {address}"[:200] if address else "browser"


def served_exposed() -> bool:
    """Whether this served desk's server lets other machines in: then it asks for passwords."""
    return os.environ.get(EXPOSED_ENV, "").strip() == "1"


def sign_in_within() -> float:
    """Seconds a served desk waits for someone to sign in before it closes itself."""
    try:
        seconds = float(os.environ.get(SIGN_IN_WITHIN_ENV, ""))
    except ValueError:
        return SIGN_IN_WITHIN_SECONDS
    return seconds if math.isfinite(seconds) and seconds > 0 else SIGN_IN_WITHIN_SECONDS


def close_unless_signed_in(app: QualdeskApp, screen: Screen[Any]) -> None:
    """Close the served desk if this sign-in screen still waits, nobody signed in, in time.

    A tab left at the sign-in screen (never signed in, or signed out when idle)
    costs a whole desk process; closing it ends the process, and the page says
    the session ended.
    """
    app.set_timer(sign_in_within(), lambda: expire_sign_in(app, screen), name="sign-in deadline")


def expire_sign_in(app: QualdeskApp, screen: Screen[Any]) -> bool:
    """Close the desk if `screen` is still up with nobody signed in; whether it closed."""
    if app.rep is not None or screen not in app.screen_stack:
        return False  # someone signed in (on this screen or since)
    if getattr(screen, "checking", False):  # a password being checked: its answer first
        app.set_timer(CHECKING_GRACE_SECONDS, lambda: expire_sign_in(app, screen))
        return False
    app.exit()
    return True


def exports_folder() -> Path:
    """The one folder a served desk writes exports in."""
    given = os.environ.get(EXPORTS_ENV, "").strip()
    return Path(given) if given else Path.cwd() / EXPORTS_FOLDER


def served_export_file(typed: str) -> Path:
    """Where a served desk writes the export named `typed`: a file name in the exports folder.

    The folder is made on the first export.

    Raises:
        QualdeskError: anything but a plain file name (a folder, `..`, a path),
            a name already taken by a link, or a folder that cannot be made.
    """
    folder = exports_folder()
    name = typed.strip()
    if (
        not name
        or name in (".", "..")
        or any(part in name for part in ("/", "\\"))
        or not name.isprintable()
        or len(name.encode("utf-8", "replace")) > 200
    ):
        raise QualdeskError(f"Give a file name only; exports from the browser go into {folder}")
    target = folder / name
    if target.is_symlink():
        raise QualdeskError(f"{target}: a file is already there; choose another name")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise QualdeskError(f"{folder}: cannot make the exports folder ({exc.strerror})") from None
    return target


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
