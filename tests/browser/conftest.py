"""The desk in a real browser: `qualdesk serve` on loopback, Chromium headless, Playwright.

Each test builds its own desk in tmp_path, starts its own server on a free
port and its own Chromium with an empty profile, so the tests run side by
side under pytest-xdist. The page draws on a canvas; what it shows is read
from the frames the server sends over the websocket (ANSI stripped), and keys
are typed into xterm.js's input box.

Without Chromium (Debian's `chromium`) or Playwright for Python each test is
skipped with one line saying which; under CI (CI=true) it fails instead.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.desks import build_served_desk
from tests.conftest import REPO

CHROMIUM = os.environ.get("QUALDESK_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# How long anything a test waits for may take before the test fails: a bound, not a timing.
PATIENCE = 20.0
# Escape sequences in what the server sends: CSI, OSC, charset and keypad switches.
ANSI = re.compile(
    r"\x1b\[[0-9;?<>=!$]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]"
)


def browser_missing() -> str | None:
    """Why a browser test cannot run here, or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[dev]')"
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture
def browser_ready() -> None:
    """Skip (or, under CI, fail) with one line when there is no browser to drive."""
    why = browser_missing()
    if why is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests cannot run under CI: {why}", pytrace=False)
    pytest.skip(f"browser test skipped: {why}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], Any], what: str, patience: float = PATIENCE) -> Any:
    """Poll until `condition()` is truthy, failing after `patience` seconds."""
    deadline = time.monotonic() + patience
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


class Served:
    """A running `qualdesk serve`: its URL, process and what it printed."""

    def __init__(
        self, db: str | Path, folder: Path, *args: str, env: dict[str, str] | None = None
    ) -> None:
        self.db = db
        self.output = folder / "serve.out"
        environment = {**os.environ, **(env or {})}
        for _attempt in range(3):  # another worker may take the free port first
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}/"
            with self.output.open("wb") as out:
                self.process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "qualdesk",
                        "--db",
                        str(db),
                        "serve",
                        "--port",
                        str(self.port),
                        *args,
                    ],
                    cwd=REPO,
                    env=environment,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            wait_until(lambda: self.listening() or self.process.poll() is not None, "the server")
            if self.process.poll() is None:
                return
            if "in use" not in self.printed():
                raise AssertionError(f"qualdesk serve stopped: {self.printed()}")
        raise AssertionError("no free port for qualdesk serve after three tries")

    def listening(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1):
            return "Serving" in self.printed()
        return False

    def printed(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Ctrl+C, as at the server's terminal; kill -9 if it does not stop in time."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=PATIENCE)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class Tab:
    """One browser tab on the served desk: what it shows, and keys typed into it."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.frames: list[str] = []
        page.on("websocket", self._watch)

    def _watch(self, websocket: Any) -> None:
        def received(payload: str | bytes) -> None:
            if isinstance(payload, bytes):
                payload = payload.decode("utf-8", "replace")
            if not payload.startswith('["pong"'):
                self.frames.append(payload)

        websocket.on("framereceived", received)

    @property
    def text(self) -> str:
        """Everything the desk has drawn so far, as text."""
        return ANSI.sub("", "".join(self.frames))

    def mark(self) -> int:
        """Where the text drawn so far ends: later waits look only after it."""
        return len(self.text)

    def wait_for(self, wanted: str, since: int = 0, patience: float = PATIENCE) -> None:
        """Wait until the desk draws `wanted` (after the mark `since`)."""
        deadline = time.monotonic() + patience
        while wanted not in self.text[since:]:
            if time.monotonic() > deadline:
                tail = " ".join(self.text[since:].split())[-600:]
                raise AssertionError(f"the page never showed {wanted!r}; it showed: {tail!r}")
            self.page.wait_for_timeout(30)  # lets Playwright deliver the frames meanwhile

    def pause(self, seconds: float) -> None:
        self.page.wait_for_timeout(seconds * 1000)

    def open(self, url: str) -> None:
        self.page.goto(url, wait_until="domcontentloaded")
        self.page.locator(".xterm-helper-textarea").focus()

    def press(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)


@pytest.fixture
def served_desk(tmp_path: Path) -> Path:
    """A desk with a rep (ana), a team lead (lee) and 30 leads callable now."""
    db = tmp_path / "desk.db"
    build_served_desk(db, tmp_path, reps=[("ana", "rep"), ("lee", "lead")], leads=30)
    return db


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Start `qualdesk serve` on a desk; every server started is stopped at the end."""
    started: list[Served] = []

    def start(db: str | Path, *args: str, env: dict[str, str] | None = None) -> Served:
        served = Served(db, tmp_path, *args, env=env)
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()


class Browser:
    """Chromium headless with an empty profile of the test's own."""

    def __init__(self, context: Any, profile: Path) -> None:
        self.context = context
        self.profile = profile

    def tab(self) -> Tab:
        return Tab(self.context.new_page())

    def kill(self) -> None:
        """kill -9 every process of this browser, as a laptop that dies mid-call."""
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                command = (entry / "cmdline").read_bytes()
                if str(self.profile).encode() in command:
                    os.kill(int(entry.name), signal.SIGKILL)


@pytest.fixture
def browser(browser_ready: None, tmp_path: Path) -> Iterator[Browser]:
    """Chromium headless with an empty profile; `browser.tab()` opens a tab."""
    from playwright.sync_api import Error, sync_playwright

    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=CHROMIUM_FLAGS,
            headless=True,
            viewport={"width": 1200, "height": 800},
        )
        context.set_default_timeout(PATIENCE * 1000)
        try:
            yield Browser(context, profile)
        finally:
            with contextlib.suppress(Error):  # already gone when the test killed it
                context.close()
    shutil.rmtree(profile, ignore_errors=True)
