"""What `qualdesk serve` holds to under pressure: an exposed server keeps asking for
passwords, desks are capped, a desk nobody signs in on closes, no rep's password
reaches a tab, and the address printed is one a browser can open.

A raw websocket stands in for the page (as in test_websocket.py); what each
tab's desk process was given is read from /proc.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path

import aiohttp

from qualdesk.services.access import as_rep
from qualdesk.services.desk import open_desk
from qualdesk.services.reps import find_rep
from qualdesk.services.rules import load_rules
from tests.browser.conftest import PATIENCE, Served, wait_until
from tests.browser.desks import require_passwords, rows
from tests.browser.test_websocket import screen_until, until_closed
from tests.conftest import REPO

PASSWORDS = {"lee": "lee's long secret", "ana": "ana sells well"}


def desk_processes(server: int) -> list[int]:
    """The tab desk processes (`desk --served`) the server with this pid started."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, below = [], [server]
    while below:
        pid = below.pop()
        for child, parent in parents.items():
            if parent == pid:
                below.append(child)
                try:
                    command = (Path("/proc") / str(child) / "cmdline").read_bytes().split(b"\0")
                except OSError:
                    continue
                if b"--served" in command and b"-c" not in command:
                    found.append(child)
    return found


def environment_of(pid: int) -> dict[str, str]:
    raw = (Path("/proc") / str(pid) / "environ").read_bytes()
    pairs = (item.decode("utf-8", "replace").split("=", 1) for item in raw.split(b"\0") if item)
    return {pair[0]: pair[1] for pair in pairs if len(pair) == 2}


def sign_in_turned_off(db: Path) -> None:
    """A team lead loads rules with sign_in = "none" (the desk's own default rules)."""
    rules = REPO / "data" / "desk.toml"
    assert 'sign_in = "none"' in rules.read_text(encoding="utf-8")
    desk = open_desk(db)
    try:
        _rules, stored = load_rules(desk, rules, as_rep(find_rep(desk, "lee")))
        assert stored and desk.rules().rules.sign_in == "none"
    finally:
        desk.close()


async def send_keys(websocket: aiohttp.ClientWebSocketResponse, keys: str) -> None:
    await websocket.send_str(json.dumps(["stdin", keys]))


async def test_an_exposed_server_asks_for_passwords_after_the_rules_stop_asking(
    served_desk: Path, serve: Callable[..., Served], tmp_path: Path
) -> None:
    require_passwords(served_desk, tmp_path, PASSWORDS)
    served = serve(
        served_desk,
        "--public-url",
        "https://desk.example.com",
        env={"QUALDESK_PASSWORD": PASSWORDS["lee"], "QUALDESK_SERVED_EXPOSED": "0"},
    )
    sign_in_turned_off(served_desk)  # while it runs

    url = f"ws://127.0.0.1:{served.port}/ws"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as websocket:
        screen = await screen_until(websocket, "Sign in to the desk")
        assert "Who is signing in" not in screen
        (desk,) = wait_until(lambda: desk_processes(served.process.pid), "the tab's desk")
        given = environment_of(desk)
        assert given["QUALDESK_SERVED_EXPOSED"] == "1"
        assert "QUALDESK_PASSWORD" not in given  # the server's own: no tab's to act on
        assert lee_long_secret_nowhere(given)

        await send_keys(websocket, "ana\r")
        await send_keys(websocket, "\r")  # no password
        await screen_until(websocket, "not accepted")
        await send_keys(websocket, PASSWORDS["ana"] + "\r")
        await screen_until(websocket, "No lead open")

    events = rows(
        served_desk,
        "SELECT event, source FROM sign_in_events WHERE handle = 'ana' AND event != 'password set'",
    )
    assert events == [("failed", "browser 127.0.0.1"), ("signed in", "browser 127.0.0.1")]


def lee_long_secret_nowhere(environment: dict[str, str]) -> bool:
    return not any(PASSWORDS["lee"] in value for value in environment.values())


async def test_a_tab_beyond_the_most_gets_no_desk(
    served_desk: Path, serve: Callable[..., Served]
) -> None:
    served = serve(served_desk, "--max-tabs", "1")
    url = f"ws://127.0.0.1:{served.port}/ws"
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url) as first:
            await screen_until(first, "Who is signing in")
            async with session.ws_connect(url) as second:
                told = await second.receive(timeout=PATIENCE)
                assert told.type is aiohttp.WSMsgType.BINARY
                assert "The desk is full (1 tab open, the most" in told.data.decode()
                closing = await second.receive(timeout=PATIENCE)
                assert closing.type is aiohttp.WSMsgType.CLOSE
                assert second.close_code == aiohttp.WSCloseCode.TRY_AGAIN_LATER
            page = await session.get(served.url)
            assert page.status == 503 and "The desk is full" in await page.text()
            assert len(desk_processes(served.process.pid)) == 1
            refused = [line for line in served.printed().splitlines() if "desk is full" in line]
            assert len(refused) == 2 and "refused" in refused[0]  # the socket, the page
            assert served.printed().count("desk opened") == 1

        wait_until(lambda: "desk closed" in served.printed(), "the first tab's desk to end")
        async with session.ws_connect(url) as third:  # its place is free again
            await screen_until(third, "Who is signing in")
    assert "Traceback" not in served.printed()


async def test_a_desk_nobody_signs_in_on_closes_itself(
    served_desk: Path, serve: Callable[..., Served]
) -> None:
    served = serve(served_desk, env={"QUALDESK_SIGN_IN_WITHIN_SECONDS": "3"})
    url = f"ws://127.0.0.1:{served.port}/ws"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as websocket:
        await screen_until(websocket, "Who is signing in")
        closing = await until_closed(websocket)
    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    wait_until(lambda: "desk closed" in served.printed(), "the desk process to end")
    wait_until(lambda: not desk_processes(served.process.pid), "no desk process left")
    assert served.process.poll() is None  # the server goes on


async def test_every_address_prints_one_a_browser_can_open(
    served_desk: Path, serve: Callable[..., Served], tmp_path: Path
) -> None:
    require_passwords(served_desk, tmp_path, PASSWORDS)
    served = serve(served_desk, "--host", "0.0.0.0")
    printed = served.printed()
    assert f"at http://{socket.gethostname()}:{served.port}" in printed
    assert f"on this machine http://127.0.0.1:{served.port}" in printed
    assert "http://0.0.0.0" not in printed
    async with aiohttp.ClientSession() as session:
        icon = await session.get(f"http://127.0.0.1:{served.port}/favicon.ico")
        assert icon.status == 204
