"""Browser sessions on one served desk: N tabs opened at once, time to the first card, memory.

Builds a desk (a rep per session, four leads per rep, all callable now:
tests/browser/desks.py places them where it is mid-day), starts `qualdesk
serve` on loopback, and for each N (1, 10 and 25 by default):

- floor: N desk processes started at once without a browser or a server,
  driven over their pipes exactly as textual-serve drives them (the same
  `qualdesk desk --served`, the same web driver): the time to the sign-in
  screen and to the first card, under the same load of N at once;
- browser: N tabs of one headless Chromium opening the served page at once,
  each signing in as a different rep from the list and taking the next lead:
  the time to the sign-in screen and to the first card, as the websocket
  frames show them;
- memory: RSS and PSS of each tab's desk process (and its /bin/sh) while all
  N are open, and the server's own;
- leaving: all N tabs closed at once, the time until every lead is given back.

Prints figures (medians and the slowest of the N). Chromium and the desk
processes share the machine, so on a small machine the browser figures
include the browser's own work; the floor shows what the desk costs alone.

    .venv/bin/python bench/serve_sessions.py [--sessions 1 10 25]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import ANSI, CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
from tests.browser.desks import build_served_desk  # noqa: E402

PATIENCE = 180.0  # a session that takes longer than this is counted as not reaching its card
SIGN_IN, CARD = "Who is signing in", "Checklist"


def handles(count: int) -> list[str]:
    return [f"rep{i:02d}" for i in range(count)]


def keys_for(index: int) -> list[str]:
    """The keys that sign in as the index-th rep of the list (reps only: the list is in order)."""
    return ["ArrowDown"] * index + ["Enter"]


async def wait_text(read: Any, wanted: str, since: int, deadline: float) -> int:
    """Wait until the text read so far holds `wanted` after `since`; returns the new mark."""
    while True:
        text = read()
        at = text.find(wanted, since)
        if at != -1:
            return at + len(wanted)
        if time.monotonic() > deadline:
            raise TimeoutError(f"never saw {wanted!r}")
        await asyncio.sleep(0.02)


# --- floor: the desk process alone, on its pipes --------------------------------------------

KEYS = {"ArrowDown": "\x1b[B", "Enter": "\r", "n": "n"}


def packet(kind: bytes, payload: bytes) -> bytes:
    return kind + len(payload).to_bytes(4, "big") + payload


class BareDesk:
    """One `qualdesk desk --served` process driven over its pipes, as textual-serve does."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.text = ""
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        env = dict(
            os.environ,
            TEXTUAL_DRIVER="qualdesk.tui.browser:DeskWebDriver",
            TEXTUAL_COLOR_SYSTEM="truecolor",
            COLUMNS="120",
            ROWS="40",
        )
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "qualdesk",
            "--db",
            str(self.db),
            "desk",
            "--served",
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        out = self.process.stdout
        while (await out.readline()) not in (b"__GANGLION__\n", b""):
            pass
        with contextlib.suppress(asyncio.IncompleteReadError):
            while True:
                kind = await out.readexactly(1)
                payload = await out.readexactly(int.from_bytes(await out.readexactly(4), "big"))
                if kind == b"D":
                    self.text += ANSI.sub("", payload.decode("utf-8", "replace"))

    async def press(self, *keys: str) -> None:
        assert self.process is not None and self.process.stdin is not None
        for key in keys:
            self.process.stdin.write(packet(b"D", KEYS[key].encode()))
        await self.process.stdin.drain()

    async def quit(self) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(packet(b"M", json.dumps({"type": "quit"}).encode()))
        await self.process.stdin.drain()
        await self.process.wait()
        await self.reader


async def bare_session(db: Path, index: int, start: float, desk: BareDesk) -> tuple[float, float]:
    deadline = start + PATIENCE
    await desk.start()
    mark = await wait_text(lambda: desk.text, SIGN_IN, 0, deadline)
    screen = time.monotonic() - start
    await desk.press(*keys_for(index))
    mark = await wait_text(lambda: desk.text, f"({handles(index + 1)[-1]})", mark, deadline)
    await desk.press("n")
    await wait_text(lambda: desk.text, CARD, mark, deadline)
    return screen, time.monotonic() - start


async def floor(
    db: Path, sessions: int
) -> tuple[list[tuple[float, float]], list[int], tuple[float, int]]:
    desks = [BareDesk(db) for _ in range(sessions)]
    before = held_leads(db)
    start = time.monotonic()
    times = await asyncio.gather(
        *(bare_session(db, i, start, d) for i, d in enumerate(desks)), return_exceptions=True
    )
    memory = [memory_of(d.process.pid)[0] for d in desks if d.process is not None]
    taken = held_leads(db) - before
    await asyncio.gather(*(d.quit() for d in desks))
    back = await given_back(db, taken, lambda: False)
    return [t for t in times if isinstance(t, tuple)], memory, back


# --- the browser ---------------------------------------------------------------------------


async def browser_session(context: Any, url: str, index: int, start: float) -> tuple[float, float]:
    frames: list[str] = []

    def watch(websocket: Any) -> None:
        def received(payload: str | bytes) -> None:
            if isinstance(payload, bytes):
                frames.append(payload.decode("utf-8", "replace"))

        websocket.on("framereceived", received)

    page = await context.new_page()
    page.on("websocket", watch)

    def read() -> str:
        return ANSI.sub("", "".join(frames))

    deadline = start + PATIENCE
    await page.goto(url, wait_until="domcontentloaded")
    await page.locator(".xterm-helper-textarea").focus()
    mark = await wait_text(read, SIGN_IN, 0, deadline)
    screen = time.monotonic() - start
    for key in keys_for(index):
        await page.keyboard.press(key)
    mark = await wait_text(read, f"({handles(index + 1)[-1]})", mark, deadline)
    await page.keyboard.press("n")
    await wait_text(read, CARD, mark, deadline)
    return screen, time.monotonic() - start


async def in_browser(
    url: str, db: Path, server: int, sessions: int
) -> tuple[list[tuple[float, float]], list[tuple[int, int]], int, tuple[float, int]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        with tempfile.TemporaryDirectory(prefix="qualdesk-bench-chromium-") as profile:
            context = await playwright.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                args=CHROMIUM_FLAGS,
                headless=True,
                viewport={"width": 1000, "height": 700},
            )
            before = held_leads(db)
            start = time.monotonic()
            times = await asyncio.gather(
                *(browser_session(context, url, i, start) for i in range(sessions)),
                return_exceptions=True,
            )
            desks = served_desks(server)
            memory = [memory_of(pid) for pid in desks]
            shells = [memory_of(pid)[0] for pid in shells_of(server)]
            assert len(desks) == sessions, f"{len(desks)} desk processes for {sessions} tabs"
            taken = held_leads(db) - before
            await asyncio.gather(*(page.close() for page in context.pages))
            back = await given_back(db, taken, lambda: served_desks(server))
            await context.close()
    reached = [t for t in times if isinstance(t, tuple)]
    return reached, memory, max(shells, default=0), back


# --- processes and memory ------------------------------------------------------------------


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry.name))
    return found


def shells_of(server: int) -> list[int]:
    return children(server)


def served_desks(server: int) -> list[int]:
    """The desk processes the server's shells run (textual-serve starts each through /bin/sh)."""
    return [desk for shell in children(server) for desk in children(shell)]


def memory_of(pid: int) -> tuple[int, int]:
    """RSS and PSS in kB (PSS counts shared pages once across the processes sharing them)."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    pss = 0
    with contextlib.suppress(OSError):
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        pss = int(re.search(r"Pss:\s+(\d+)", rollup).group(1))  # type: ignore[union-attr]
    return rss, pss


def held_leads(db: Path) -> set[int]:
    """The leads some rep holds now."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        held = conn.execute("SELECT id FROM leads WHERE claimed_by IS NOT NULL")
        return {int(lead) for (lead,) in held}


async def given_back(db: Path, leads: set[int], running: Any) -> tuple[float, int]:
    """How long until these leads are all back and no desk runs; and how many stayed held.

    A desk that could not give its lead back in time (its database busy) leaves
    it to its lease: those are counted after PATIENCE seconds.
    """
    closed = time.monotonic()
    while (leads & held_leads(db)) or running():
        if time.monotonic() > closed + PATIENCE:
            break
        await asyncio.sleep(0.05)
    return time.monotonic() - closed, len(leads & held_leads(db))


# --- the run -------------------------------------------------------------------------------


def start_server(db: Path, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (folder / "serve.out").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "qualdesk", "--db", str(db), "serve", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return server, f"http://127.0.0.1:{port}/"
        time.sleep(0.05)
    raise SystemExit("qualdesk serve did not start: " + (folder / "serve.out").read_text())


def spread(values: list[float], sessions: int) -> str:
    if not values:
        return f"none of {sessions} within {PATIENCE:.0f} s"
    missing = (
        f"; {sessions - len(values)} not within {PATIENCE:.0f} s" if len(values) < sessions else ""
    )
    return f"median {statistics.median(values):5.2f} s, slowest {max(values):5.2f} s{missing}"


def leaving(back: tuple[float, int]) -> str:
    seconds, stayed = back
    if not stayed:
        return f"every lead back in the queue within {seconds:.2f} s"
    return f"{stayed} leads still held after {seconds:.0f} s (left to their lease)"


def mb(kilobytes: float) -> str:
    return f"{kilobytes / 1024:5.1f} MB"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} (1 min), {five:.2f} (5 min), {os.cpu_count()} CPUs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 25])
    parser.add_argument("--keep", metavar="DIR", type=Path, help="Build the desk in DIR, kept.")
    args = parser.parse_args()
    most = max(args.sessions)
    with tempfile.TemporaryDirectory(prefix="qualdesk-bench-serve-") as work:
        folder = args.keep or Path(work)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "desk.db"
        country, zone = build_served_desk(
            db, folder, reps=[(h, "rep") for h in handles(most)], leads=4 * most
        )
        print(f"desk: {most} reps, {4 * most} leads in {country} ({zone}); {load()}")
        server, url = start_server(db, folder)
        try:
            for sessions in args.sessions:
                print(f"\n{sessions} session{'s' if sessions > 1 else ''} started at once:")
                bare, bare_memory, bare_back = asyncio.run(floor(db, sessions))
                print("  floor, desk processes alone on their pipes:")
                print(f"    to the sign-in screen  {spread([s for s, _ in bare], sessions)}")
                print(f"    to the first card      {spread([c for _, c in bare], sessions)}")
                print(f"    quit at once: {leaving(bare_back)}")
                print(f"    {load()}", flush=True)
                times, memory, shell, back = asyncio.run(in_browser(url, db, server.pid, sessions))
                server_rss = memory_of(server.pid)[0]
                print("  browser tabs on qualdesk serve:")
                print(f"    to the sign-in screen  {spread([s for s, _ in times], sessions)}")
                print(f"    to the first card      {spread([c for _, c in times], sessions)}")
                print(f"    tabs closed at once: {leaving(back)}")
                print(f"    {load()}")
                rss = [r for r, _ in memory]
                pss = [p for _, p in memory]
                print(
                    f"  memory per session: desk process RSS {mb(statistics.median(rss))} "
                    f"(PSS {mb(statistics.median(pss))}), its /bin/sh RSS {mb(shell)}; "
                    f"alone {mb(statistics.median(bare_memory))} RSS; server RSS {mb(server_rss)}",
                    flush=True,
                )
        finally:
            os.killpg(server.pid, signal.SIGINT)
            server.wait(timeout=60)


if __name__ == "__main__":
    main()
