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
def run(capsys: pytest.CaptureFixture[str], db_path: Path) -> Run:
    """Run `qualdesk --db DB ARGS...`; returns the exit code and what was printed.

    The test's database (db_path) is created as `qualdesk db init` would, the
    first time a command runs on it, unless the test has put a file there.
    """
    from qualdesk.services.desk import create_desk

    def invoke(*args: str, db: Path | None = db_path) -> Result:
        if db == db_path and not db_path.exists():
            create_desk(db_path).close()
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
