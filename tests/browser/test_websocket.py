"""A websocket opened on the served desk without its page: it gets what a page gets, no more."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest

from tests.browser.conftest import ANSI, PATIENCE, Served, wait_until
from tests.browser.desks import build_served_desk


async def screen_until(websocket: aiohttp.ClientWebSocketResponse, wanted: str) -> str:
    """What the desk draws, read until `wanted` shows (or the socket closes, or PATIENCE)."""
    drawn = ""
    deadline = time.monotonic() + PATIENCE
    while wanted not in ANSI.sub("", drawn):
        left = deadline - time.monotonic()
        if left <= 0:
            tail = " ".join(ANSI.sub("", drawn).split())[-600:]
            raise AssertionError(f"the desk never drew {wanted!r}; it drew: {tail!r}")
        try:
            # One bound for the whole wait: receive's own timeout starts again at each
            # ping the server sends (every 15 s), so it alone may never run out.
            async with asyncio.timeout(left):
                message = await websocket.receive()
        except TimeoutError:
            continue
        if message.type is aiohttp.WSMsgType.BINARY:
            drawn += message.data.decode("utf-8", "replace")
        elif message.type is not aiohttp.WSMsgType.TEXT:
            raise AssertionError(f"the socket closed before {wanted!r} showed")
    return ANSI.sub("", drawn)


async def until_closed(websocket: aiohttp.ClientWebSocketResponse) -> aiohttp.WSMessage:
    """The message that ends the socket, after whatever the desk draws first (PATIENCE)."""
    async with asyncio.timeout(PATIENCE):
        closing = await websocket.receive()
        while closing.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT):
            closing = await websocket.receive()
    return closing


async def test_a_websocket_without_the_page_gets_the_sign_in_screen_and_no_further(
    served_desk: Path, serve: Callable[..., Served]
) -> None:
    served = serve(served_desk)
    url = f"ws://127.0.0.1:{served.port}/ws?width=99999999&height=-3"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as websocket:
        await screen_until(websocket, "Who is signing in")
        for junk in (
            "not json",
            "[]",
            "{}",
            '["stdin", 5]',
            '["resize", {"width": 1e400}]',
            '["resize", "wide"]',
            '["ping", {"a": 1}]',
            '["nonsense"]',
        ):
            await websocket.send_str(junk)
        await websocket.send_bytes(b"\x00\xff")
        await websocket.send_str(json.dumps(["stdin", "\x1b"]))  # Esc: quit the sign-in
        closing = await until_closed(websocket)
    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    wait_until(lambda: "desk closed" in served.printed(), "the desk process to end")
    assert "Traceback" not in served.printed()
    assert served.process.poll() is None  # the server goes on


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:1"])
async def test_a_page_of_another_site_may_not_open_a_desk(
    served_desk: Path, serve: Callable[..., Served], origin: str
) -> None:
    served = serve(served_desk)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(f"ws://127.0.0.1:{served.port}/ws", headers={"Origin": origin})
    assert refused.value.status == 403
    assert "desk opened" not in served.printed()


async def test_a_name_pointed_at_this_machine_by_another_site_is_refused(
    served_desk: Path, serve: Callable[..., Served]
) -> None:
    """A site whose name resolves to 127.0.0.1 (DNS rebinding) is still another site."""
    served = serve(served_desk)
    named = {"Host": f"evil.example:{served.port}", "Origin": f"http://evil.example:{served.port}"}
    async with aiohttp.ClientSession() as session:
        for path in ("", "static/js/textual.js", "favicon.ico", "download/x", "ws"):
            page = await session.get(served.url + path, headers={"Host": named["Host"]})
            assert page.status == 421, path
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(f"ws://127.0.0.1:{served.port}/ws", headers=named)
        assert refused.value.status == 421
        for name in ("localhost", "127.0.0.1", "[::1]"):
            page = await session.get(served.url, headers={"Host": f"{name}:{served.port}"})
            assert page.status == 200, name
        icon = await session.get(served.url + "favicon.ico")
        assert icon.status == 204
    assert "desk opened" not in served.printed()


async def test_a_desk_on_either_engine_is_served(
    db_location: str | Path, serve: Callable[..., Served], tmp_path: Path
) -> None:
    build_served_desk(db_location, tmp_path, reps=[("ana", "rep")], leads=3)
    served = serve(db_location)
    url = f"ws://127.0.0.1:{served.port}/ws"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as websocket:
        assert "Ana  ana  rep" in await screen_until(websocket, "Who is signing in")


async def test_the_page_of_this_server_may(served_desk: Path, serve: Callable[..., Served]) -> None:
    served = serve(served_desk)
    origin = f"http://127.0.0.1:{served.port}"
    async with aiohttp.ClientSession() as session:
        response = await session.get(served.url)
        page = await response.text()
        assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws"' in page
        assert "googleapis" not in page  # the font comes from this server
        assert f"http://127.0.0.1:{served.port}/static/fonts/RobotoMono" in page
        assert response.headers["X-Frame-Options"] == "DENY"
        async with session.ws_connect(
            f"ws://127.0.0.1:{served.port}/ws", headers={"Origin": origin}
        ) as websocket:
            await screen_until(websocket, "Who is signing in")
