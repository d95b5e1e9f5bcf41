"""`qualdesk serve`: the desk in a browser, one desk process per tab (textual-serve).

Each websocket the page opens starts `qualdesk --db DB desk --served` on
pipes, with the desk's web driver (qualdesk.tui.browser), at the sign-in
screen, up to --max-tabs at once. When the tab closes or the connection drops
(aiohttp's heartbeat notices a silent one within about 20 s), textual-serve
sends that process a quit, and the desk gives its lead back as a closed
terminal does.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import shlex
import socket
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from qualdesk.cli.context import AppContext, pass_app
from qualdesk.core.errors import QualdeskError

# The desk process each tab runs picks this driver (textual-serve sets Textual's own).
DRIVER = "qualdesk.tui.browser:DeskWebDriver"
# A browser asks for its window's size in cells; nothing real is larger than this.
MOST_COLUMNS, MOST_ROWS = 500, 200
# Desk processes at once: each is about 90 MB and a second of CPU to start (docs/serve.md).
MAX_TABS = 40
# Where served desks write their exports, in the folder the server starts from.
EXPORTS_FOLDER = "qualdesk-exports"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
@click.option(
    "--public-url",
    metavar="URL",
    help="The address browsers use, when a reverse proxy stands in front (https://...).",
)
@click.option(
    "--max-tabs",
    default=MAX_TABS,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Desks (browser tabs) open at once; a tab beyond it is told the desk is full.",
)
@click.option(
    "--exports",
    metavar="DIR",
    help=f"The folder served desks export into [default: ./{EXPORTS_FOLDER}].",
)
@pass_app
def serve_command(
    app: AppContext,
    host: str,
    port: int,
    public_url: str | None,
    max_tabs: int,
    exports: str | None,
) -> None:
    """Serve the desk to browsers: each tab runs its own desk, from the sign-in screen.

    It listens on 127.0.0.1 (this machine only) unless --host says otherwise;
    any other address, or a --public-url naming another host, needs the rules'
    sign_in = "password", and its tabs then ask for passwords whatever the rules
    say later. Exports from a tab are written in one folder (--exports). Put it
    behind a reverse proxy for HTTPS (docs/serve.md). Ctrl+C stops it; every
    open desk gives its lead back first.
    """
    public = checked_public_url(public_url) if public_url is not None else None
    folder = exports_folder(exports)
    local = is_loopback(host)
    desk = app.desk(signed_in=False)  # each tab signs in; the server reads only the rules
    target = full_target(app.existing().target)
    exposed = not local or (public is not None and not names_loopback(urlsplit(public).hostname))
    if exposed and desk.rules().rules.sign_in != "password":
        where = f"--host {host}" if not local else f"--public-url {public}"
        raise QualdeskError(
            f"{where} lets other machines in, and the rules in force ask no password "
            '(sign_in = "none"): set [desk] sign_in = "password" in the rules, give each rep '
            "a password (qualdesk reps passwd), or serve on 127.0.0.1"
        )
    desk.close()
    server = _desk_server(
        desk_command(target),
        host=host,
        port=port,
        public_url=public,
        local=local,
        exposed=exposed,
        max_tabs=max_tabs,
        exports=folder,
    )
    asyncio.run(server.run(target))


def exports_folder(given: str | None) -> Path:
    """The folder served desks export into, as an absolute path (made on the first export)."""
    try:
        folder = Path(given if given is not None else EXPORTS_FOLDER).expanduser().resolve()
    except (RuntimeError, OSError, ValueError):
        raise QualdeskError(f"--exports {given!r}: not a folder that can be used") from None
    if folder.exists() and not folder.is_dir():
        raise QualdeskError(f"--exports {folder}: something that is not a folder is there")
    return folder


def desk_command(target: str) -> str:
    """The command each tab's desk process runs, on the same database as the server.

    A URL holding a password goes to the desk processes in their environment
    (QUALDESK_DB), where only this user can read it, not on their command line.
    """
    from qualdesk.services.locations import DB_ENV

    where = ["--db", target]
    if "://" in target and _has_password(target):
        os.environ[DB_ENV] = target
        where = []
    return shlex.join([sys.executable, "-m", "qualdesk", *where, "desk", "--served"])


def _has_password(url: str) -> bool:
    parts = urlsplit(url)
    try:
        inline = parts.password is not None
    except ValueError:
        inline = False
    return inline or "password=" in parts.query.lower()


def checked_public_url(url: str) -> str:
    """An http(s) URL with a host and nothing after the path, without its trailing slash."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (reading it checks it)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or parts.username
        or any(c.isspace() or not c.isprintable() for c in url)
    ):
        raise click.BadParameter(
            f"{url!r}: expected http://HOST[:PORT][/PATH] or https://...", param_hint="--public-url"
        )
    return url.rstrip("/")


def names_loopback(host: str | None) -> bool:
    """Whether a URL's host is this machine's loopback by its very name (no look-up)."""
    if not host:
        return False
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback(host: str) -> bool:
    """Whether every address the host name stands for is this machine's loopback."""
    if not host or names_loopback(host):
        return bool(host)
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise QualdeskError(f"--host {host!r}: no such address on this machine") from None
    return all(ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in found)


def full_target(target: str) -> str:
    """The database as every desk process must name it: a URL, or an absolute path."""
    if "://" in target:
        return target
    return str(Path(target).expanduser().resolve())


def http_url(host: str, port: int) -> str:
    shown_host = f"[{host}]" if ":" in host else host
    return f"http://{shown_host}:{port}"


def browse_address(host: str, port: int) -> tuple[str, str | None]:
    """The address to give reps for a server listening on `host`, and a note when it is not
    the one listened on: 0.0.0.0 or :: (every address) is no address a browser can open.
    """
    try:
        every = ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        every = host == ""
    if not every:
        return http_url(host, port), None
    here = http_url("::1" if ":" in host else "127.0.0.1", port)
    name = socket.gethostname() or "this-machine"
    return (
        http_url(name, port),
        f"  (listening on every address of this machine: other machines use its name or "
        f"address; on this machine {here})",
    )


def _desk_server(command: str, **how: Any) -> Any:
    """The server; textual-serve and aiohttp load only here, when serving."""
    from qualdesk.cli.serving import DeskServer

    return DeskServer(command, **how)


COMMANDS = [serve_command]
