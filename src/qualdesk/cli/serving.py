"""The web server behind `qualdesk serve`: textual-serve's, made careful about who connects.

textual-serve starts a process for every websocket on /ws, whoever opens it,
with the size the connection asks for, and stops on a malformed message with
a traceback in the log. Here:

- a websocket from a page of another site (its Origin header names another
  host) is refused, so a page elsewhere cannot drive a desk on this machine;
- sizes are kept within what a screen can show, and a message that is not
  what the page sends is dropped, with the session kept;
- each desk process learns the browser's address (for the sign-in log),
  whether the server lets other machines in (it then asks for passwords
  whatever the rules say) and its exports folder, runs the desk's web driver,
  and gets no rep's password the server was started with;
- at most --max-tabs desk processes run at once: a tab beyond is told the
  desk is full and starts none;
- the page's addresses follow the address the browser used, unless
  --public-url names the one in front (a reverse proxy).

The page itself, the websocket protocol and the process per tab are
textual-serve's, unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import json
import logging
import re
import signal
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import WSCloseCode, WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from qualdesk.cli.output import say
from qualdesk.cli.serve import (
    DRIVER,
    MOST_COLUMNS,
    MOST_ROWS,
    browse_address,
    http_url,
    names_loopback,
)
from qualdesk.core.errors import QualdeskError
from qualdesk.core.words import counted
from qualdesk.tui.browser import ADDRESS_ENV, EXPORTS_ENV, EXPOSED_ENV

log = logging.getLogger("qualdesk.serve")
# textual-serve's page asks Google's servers for its font; it ships the font itself.
OUTSIDE_FONT = re.compile(r"<link[^>]*fonts\.googleapis\.com[^>]*>")
FONT_FACE = (
    "@font-face { font-family: 'Roboto Mono'; "
    "src: url('%sfonts/RobotoMono-VariableFont_wght.ttf') format('truetype'); }"
)
HEARTBEAT = 15  # seconds between pings; a connection silent for half of it more is closed
# What a rep signs in with, in a variable of qualdesk's: never handed to a tab's desk.
SECRET_WORDS = ("PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN")


def full_line(max_tabs: int) -> str:
    """What a browser beyond --max-tabs reads."""
    return (
        f"The desk is full ({counted(max_tabs, 'tab')} open, the most this server takes): "
        "close one, or try again in a few minutes."
    )


def desk_environment(
    base: Mapping[str, str], *, address: str, exposed: bool, exports: Path
) -> dict[str, str]:
    """A tab's desk process's environment: the server's, less any rep's password.

    QUALDESK_PASSWORD (and any QUALDESK_ variable named for a secret) signs a
    command in as whoever started the server; a tab's desk signs in on its own
    screen and never gets it. The database's own (QUALDESK_DB, PGPASSWORD)
    stays: each desk connects as the server does.
    """
    environment = {
        name: value
        for name, value in base.items()
        if not (
            name.upper().startswith("QUALDESK_")
            and any(word in name.upper() for word in SECRET_WORDS)
        )
    }
    environment["TEXTUAL_DRIVER"] = DRIVER
    environment[ADDRESS_ENV] = address
    environment[EXPORTS_ENV] = str(exports)
    if exposed:
        environment[EXPOSED_ENV] = "1"
    else:
        environment.pop(EXPOSED_ENV, None)
    return environment


class DeskSession(AppService):
    """One tab's desk process, told where the browser is and which driver to use."""

    def __init__(
        self, command: str, *, address: str, exposed: bool, exports: Path, **kwargs: Any
    ) -> None:
        super().__init__(command, **kwargs)
        self.address = address
        self.exposed = exposed
        self.exports = exports

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        return desk_environment(
            super()._build_environment(width=width, height=height),
            address=self.address,
            exposed=self.exposed,
            exports=self.exports,
        )


class DeskServer(Server):
    """textual-serve's server for the desk (see the module docstring)."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        public_url: str | None,
        local: bool,
        exposed: bool,
        max_tabs: int,
        exports: Path,
    ) -> None:
        super().__init__(command, host=host, port=port, title="qualdesk", public_url=public_url)
        self.given_public_url = public_url
        self.exposed = exposed
        self.max_tabs = max_tabs
        self.exports = exports
        # Desk processes started and not yet ended (counted before each starts).
        self.open_desks = 0
        # On loopback, only this machine's names: a site whose name a DNS trick points at
        # 127.0.0.1 would otherwise be "the same site" as the desk in the rep's browser.
        self.names: set[str] | None = None
        if local:
            self.names = {host.strip("[]").lower()}
            if public_url is not None:
                self.names.add((urlsplit(public_url).hostname or "").lower())
        self.sockets: set[web.WebSocketResponse] = set()

    async def run(self, target: str) -> None:
        """Listen until Ctrl+C or SIGTERM, then close every tab's desk and stop."""
        from qualdesk.db.engine import shown_location

        logging.basicConfig(level=logging.INFO, format="%(message)s")
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
        runner = web.AppRunner(await self._make_app(), handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise QualdeskError(self._bind_failure(exc)) from None
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(number, stop.set)
        where, note = browse_address(self.host, self.port)
        if self.given_public_url:
            where, note = self.given_public_url, f"  (listening on {where})"
        say(f"Serving the desk {shown_location(target)} at {where}")
        if note:
            say(note)
        say(f"Each browser tab opens its own desk at the sign-in screen, {self.max_tabs} at most.")
        say(f"Exports from the tabs go into {self.exports}. Ctrl+C stops it.")
        try:
            await stop.wait()
        finally:
            say("Stopping: every open desk gives its lead back first.", err=True)
            await runner.cleanup()

    def _bind_failure(self, exc: OSError) -> str:
        where = http_url(self.host, self.port)
        if exc.errno == errno.EADDRINUSE:
            return f"{where}: the port is in use (another server?); choose another with --port"
        if exc.errno == errno.EACCES:
            return f"{where}: not allowed to listen on port {self.port}; choose one above 1023"
        if exc.errno == errno.EADDRNOTAVAIL:
            return f"--host {self.host}: not an address of this machine"
        return f"{where}: cannot listen there ({exc.strerror or exc})"

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._known_name)
        app.router.add_get("/favicon.ico", self.handle_favicon)
        return app

    async def handle_favicon(self, request: web.Request) -> web.Response:
        """No icon: "nothing here" rather than a 404 in every browser's console."""
        return web.Response(status=204, headers={"Cache-Control": "max-age=86400"})

    @property
    def full(self) -> bool:
        return self.open_desks >= self.max_tabs

    @web.middleware
    async def _known_name(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """On loopback, a request must name this machine (or the --public-url's host)."""
        if self.names is not None:
            name = (urlsplit(f"//{request.host}").hostname or "").lower()
            if name not in self.names and not names_loopback(name):
                log.warning("refused a request for another site (Host %r)", request.host[:100])
                raise web.HTTPMisdirectedRequest(text="this desk answers to its own name only\n")
        response: web.StreamResponse = await handler(request)
        return response

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve prints its banner here; `run` says where it serves once it listens."""

    async def on_shutdown(self, app: web.Application) -> None:
        """Close every tab's connection: each desk is told to quit and gives its lead back."""
        await asyncio.gather(
            *(websocket.close() for websocket in list(self.sockets)), return_exceptions=True
        )

    def _public_url(self, request: web.Request) -> str:
        """Where this browser reached the server: --public-url, else the address it used."""
        return self.given_public_url or f"{request.scheme}://{request.host}"

    async def handle_index(self, request: web.Request) -> web.Response:
        """textual-serve's page, with its font from this server rather than from Google's."""
        if self.full:
            log.warning("browser %s: page refused, the desk is full", _who(request))
            return web.Response(
                status=503,
                text=full_line(self.max_tabs) + "\n",
                headers={"Retry-After": "60", "X-Frame-Options": "DENY"},
            )
        public_url = self._public_url(request)
        static = f"{public_url}{request.app.router['static'].url_for(filename='/')}"
        websocket = request.app.router["websocket"].url_for()
        scheme = "wss" if public_url.startswith("https") else "ws"
        context = {
            "font_size": _number(request.query.get("fontsize"), 16, 6, 64),
            "app_websocket_url": f"{scheme}:{public_url.split(':', 1)[1]}{websocket}",
            "config": {"static": {"url": static.rstrip("/") + "/"}},
            "application": {"name": self.title},
        }
        page = aiohttp_jinja2.render_string("app_index.html", request, context)
        font = f"<style>{FONT_FACE % (static.rstrip('/') + '/')}</style>"
        return web.Response(
            text=OUTSIDE_FONT.sub(lambda _: font, page),
            content_type="text/html",
            # The desk in another site's frame could be typed into by a trick: no frames.
            headers={
                "Content-Security-Policy": "frame-ancestors 'none'",
                "X-Frame-Options": "DENY",
                "Referrer-Policy": "no-referrer",
            },
        )

    def _same_site(self, request: web.Request) -> bool:
        """A browser names the page's site in Origin: it must be this server's."""
        origin = request.headers.get("Origin")
        if origin is None:
            return True  # not a browser: it could as well have opened the page
        allowed = {urlsplit(self._public_url(request)).netloc.lower(), request.host.lower()}
        return urlsplit(origin).netloc.lower() in allowed

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One tab: a desk process for as long as the connection lasts."""
        if not self._same_site(request):
            log.warning("refused a websocket from another site (Origin %r)", _short(request))
            raise web.HTTPForbidden(text="this desk serves its own page only\n")
        websocket = web.WebSocketResponse(heartbeat=HEARTBEAT)
        width = _number(request.query.get("width"), 80, 10, MOST_COLUMNS)
        height = _number(request.query.get("height"), 24, 5, MOST_ROWS)
        address = browser_address(request)
        if self.full:  # counted and taken with no await between: never one too many
            return await self._refuse_full(request, websocket, address)
        self.open_desks += 1
        session: DeskSession | None = None
        try:
            await websocket.prepare(request)
            self.sockets.add(websocket)
            session = DeskSession(
                self.command,
                address=address,
                exposed=self.exposed,
                exports=self.exports,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
            )
            await session.start(width, height)
            log.info("browser %s: desk opened", address or "?")
            await self._process_messages(websocket, session)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # the session ends; the server goes on
            log.warning("browser %s: session ended by %s", address or "?", error)
        finally:
            self.sockets.discard(websocket)
            try:
                if session is not None:
                    await session.stop()
                    log.info("browser %s: desk closed", address or "?")
            finally:
                self.open_desks -= 1
        return websocket

    async def _refuse_full(
        self, request: web.Request, websocket: web.WebSocketResponse, address: str
    ) -> web.WebSocketResponse:
        """A tab beyond --max-tabs: one line to read where the desk would be, then closed."""
        log.warning(
            "browser %s: refused, the desk is full (%d tabs open; serve --max-tabs)",
            address or "?",
            self.max_tabs,
        )
        with contextlib.suppress(ConnectionError, RuntimeError):
            await websocket.prepare(request)
            await websocket.send_bytes(f"\r\n  {full_line(self.max_tabs)}\r\n".encode())
            await websocket.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"the desk is full")
        return websocket

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: Any) -> None:
        """The page's messages to its desk; anything else is dropped."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
            except ValueError:
                continue
            if not isinstance(envelope, list) or not envelope:
                continue
            kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                await app_service.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict):
                width = _number(data.get("width"), 80, 10, MOST_COLUMNS)
                height = _number(data.get("height"), 24, 5, MOST_ROWS)
                await app_service.set_terminal_size(width, height)
            elif kind == "ping" and isinstance(data, str):
                await websocket.send_json(["pong", data[:40]])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()


def browser_address(request: web.Request) -> str:
    """The browser's address: the peer's, or the one a proxy on this machine forwarded."""
    peer = request.remote or ""
    if _ip(peer) is not None and _ip(peer).is_loopback:  # type: ignore[union-attr]
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
        if _ip(forwarded) is not None:
            return forwarded
    return peer if _ip(peer) is not None else ""


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _number(value: object, default: int, least: int, most: int) -> int:
    """A whole number from the page, within bounds, or the default."""
    if not isinstance(value, str | int | float):
        return default
    try:
        number = int(value)
    except (ValueError, OverflowError):
        return default
    return max(least, min(most, number))


def _who(request: web.Request) -> str:
    return browser_address(request) or "?"


def _short(request: web.Request) -> str:
    return request.headers.get("Origin", "")[:100]
