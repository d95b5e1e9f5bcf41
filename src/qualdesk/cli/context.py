"""What every command shares: the database location, the open desk, error lines."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from qualdesk.core.errors import DatabaseBusy, QualdeskError

if TYPE_CHECKING:
    from qualdesk.services.desk import Desk
    from qualdesk.services.locations import Config, Location

EXIT_ERROR = 1
EXIT_BUSY = 75
EXIT_INTERNAL = 70


class AppContext:
    """The --db flag and, once a command needs it, the open desk."""

    def __init__(self, db_flag: str | None) -> None:
        self.db_flag = db_flag
        self._desk: Desk | None = None
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        from qualdesk.services.locations import read_config

        if self._config is None:
            self._config = read_config()
        return self._config

    def location(self) -> Location:
        from qualdesk.services.locations import locate_database

        return locate_database(self.db_flag, self.config)

    def desk(self) -> Desk:
        """The open desk, opened (and created or upgraded) on first use."""
        from qualdesk.services.desk import open_desk

        if self._desk is None:
            location = self.location()
            if location.origin != "default" and "://" not in location.target:
                folder = Path(location.target).expanduser().parent
                if not folder.is_dir():
                    raise QualdeskError(
                        f"{location.target}: the folder {folder} does not exist "
                        f"(database chosen by {location.origin})"
                    )
            self._desk = open_desk(location.target)
        return self._desk

    def close(self) -> None:
        if self._desk is not None:
            self._desk.close()
            self._desk = None


pass_app = click.pass_obj


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
