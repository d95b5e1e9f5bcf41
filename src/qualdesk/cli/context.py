"""What every command shares: the database location, the open desk, error lines."""

from __future__ import annotations

import shlex
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from qualdesk.core.errors import DatabaseBusy, QualdeskError

if TYPE_CHECKING:
    from qualdesk.services.access import Actor
    from qualdesk.services.desk import Desk
    from qualdesk.services.locations import Config, Location

EXIT_ERROR = 1
EXIT_BUSY = 75
EXIT_INTERNAL = 70


class AppContext:
    """The --db flag and, once a command needs it, the open desk."""

    def __init__(self, db_flag: str | None, as_flag: str | None = None) -> None:
        self.db_flag = db_flag
        self.as_flag = as_flag
        self._desk: Desk | None = None
        self._actor: Actor | None = None
        self._config: Config | None = None
        # A throwaway desk for a dry run where there is no database yet.
        self._scratch: tempfile.TemporaryDirectory[str] | None = None

    @property
    def config(self) -> Config:
        from qualdesk.services.locations import read_config

        if self._config is None:
            self._config = read_config()
        return self._config

    def location(self) -> Location:
        from qualdesk.services.locations import locate_database

        return locate_database(self.db_flag, self.config)

    def desk(self, *, dry_run: bool = False, signed_in: bool = True) -> Desk:
        """The open desk, opened (and upgraded) on first use.

        On a desk that asks for sign-in, the command's rep signs in first
        (--as, or the config's rep, and a password): without one, nothing of
        the desk is read. `signed_in=False` is for the desk's own sign-in screen.

        A database named by --db, QUALDESK_DB or the config file must exist: a
        mistyped path is refused rather than quietly made into an empty desk.
        Only the default database is created on first use. A dry run where
        there is no database yet runs against a throwaway one, so it creates
        nothing.
        """
        from qualdesk.services.desk import open_desk

        if self._desk is None:
            location = self.location()
            if "://" not in location.target:
                path = Path(location.target).expanduser()
                if not path.exists() and dry_run:
                    self._scratch = tempfile.TemporaryDirectory(prefix="qualdesk-dry-run-")
                    self._desk = open_desk(Path(self._scratch.name) / "desk.db")
                    return self._desk
                if not path.exists() and location.origin != "default":
                    raise QualdeskError(missing_database(path, location.origin))
            self._desk = open_desk(location.target)
        if signed_in:
            self.actor()
        return self._desk

    def lead_only(self, doing: str) -> None:
        """Commands that copy or repair the whole desk: only a team lead, signed in as the
        desk asks (--as; a password where it requires one); no handle on a desk without
        sign-in is its administrator.

        The desk is read as it is, never upgraded: a desk at an older schema
        predates sign-in (its rules cannot ask for passwords), and one that
        cannot be opened at all is left to the command to report.
        """
        from qualdesk.services.access import require_lead
        from qualdesk.services.desk import read_desk

        location = self.existing()
        desk = read_desk(location.target)
        if desk is None:  # an older schema, or a file the command itself reports on
            return
        try:
            if self._actor is None:
                self._actor = self._signed_in(desk)
            require_lead(self._actor, doing)
        finally:
            desk.close()

    def _signed_in(self, desk: Desk) -> Actor:
        import socket

        from qualdesk.services.signin import command_actor

        return command_actor(
            desk,
            self.as_flag or self.config.rep,
            password=ask_password,
            source=f"command line on {socket.gethostname()}",
        )

    def actor(self) -> Actor:
        """Who this command acts as: the signed-in rep, or the desk's administrator."""
        if self._actor is None:
            self._actor = self._signed_in(self.desk(signed_in=False))
        return self._actor

    def existing(self) -> Location:
        """The database in use, which must exist (whatever chose it)."""
        location = self.location()
        if "://" not in location.target:
            path = Path(location.target).expanduser()
            if not path.exists():
                raise QualdeskError(missing_database(path, location.origin))
        return location

    def close(self) -> None:
        if self._desk is not None:
            self._desk.close()
            self._desk = None
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None


def missing_database(path: Path, origin: str) -> str:
    """One line for a database path with nothing there: what, who chose it, how to make one."""
    folder = path.parent
    if not folder.is_dir():
        return (
            f"{path}: the folder {folder} does not exist (database chosen by {origin}); "
            "check the path"
        )
    return (
        f"{path}: no database there (chosen by {origin}); check the path, or create a new "
        f"desk with: qualdesk db init {shlex.quote(str(path))}"
    )


pass_app = click.pass_obj


def ask_password(handle: str) -> str | None:
    """A rep's password: from QUALDESK_PASSWORD (scripts), else asked on the terminal."""
    import getpass
    import os
    import sys

    given = os.environ.get("QUALDESK_PASSWORD")
    if given is not None:
        return given
    if not sys.stdin.isatty():
        return None
    from qualdesk.core.display import shown

    try:
        return getpass.getpass(f"Password for {shown(handle)}: ")
    except EOFError:
        return None


def fail_line(exc: Exception) -> tuple[str, int]:
    """The one line and exit code for an error that reached the top."""
    if isinstance(exc, DatabaseBusy):
        return str(exc), EXIT_BUSY
    if isinstance(exc, QualdeskError):
        return str(exc), EXIT_ERROR
    text = str(getattr(exc, "orig", exc))
    if "database is locked" in text or "database is busy" in text:
        return (
            "the database is busy (another qualdesk is writing to it); try again in a moment",
            EXIT_BUSY,
        )
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.filename}: {exc.strerror or exc}", EXIT_ERROR
    from qualdesk.services.problems import unexpected_line

    return unexpected_line(exc), EXIT_INTERNAL


def reading_zone(app: AppContext, desk: Desk, given: str | None) -> str:
    """The zone dates are read in: --zone, the config's rep, the first team lead, or UTC."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from qualdesk.services.reps import find_rep, list_reps

    if given:
        try:
            ZoneInfo(given)
        except (ZoneInfoNotFoundError, ValueError):
            raise QualdeskError(
                f"--zone {given!r}: not a time zone (e.g. America/New_York)"
            ) from None
        return given
    me = find_rep(desk, app.config.rep) if app.config.rep else None
    if me is None:
        me = next((r for r in list_reps(desk) if r.role == "lead" and r.active), None)
    return me.time_zone if me else "UTC"
