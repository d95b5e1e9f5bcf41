"""Running the real command line in-process, as a user would from a shell."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from qualdesk.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], db_location: str | Path) -> Run:
    """Run `qualdesk --db DB ARGS...`; returns the exit code and what was printed.

    The test's database (db_location, on each engine) is created as `qualdesk db init` would, the
    first time a command runs on it, unless the test has put a file there.
    """
    from qualdesk.services.desk import create_desk, open_desk

    created = False

    def invoke(*args: str, db: str | Path | None = db_location) -> Result:
        nonlocal created
        if db == db_location and not created:
            created = True
            if "://" in str(db_location):
                open_desk(db_location).close()  # made as db init would, unless already there
            elif not Path(db_location).exists():
                create_desk(db_location).close()
        argv = (["--db", str(db)] if db is not None else []) + list(args)
        try:
            main(argv)
        except SystemExit as exc:
            code = int(exc.code or 0)
        else:  # pragma: no cover - main always exits
            code = 0
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke
