"""Errors a user can act on: each carries one line that says what and where."""

from __future__ import annotations


class QualdeskError(Exception):
    """A problem to show the user as one line, never as a traceback."""


class RulesError(QualdeskError):
    """A desk rules file that cannot be used: names the key and the problem."""

    def __init__(self, key: str, problem: str, source: str | None = None) -> None:
        self.key = key
        self.problem = problem
        self.source = source
        super().__init__(self._line())

    def _line(self) -> str:
        where = f"{self.source}: " if self.source else ""
        key = f"{self.key}: " if self.key else ""
        return f"{where}{key}{self.problem}"

    def in_file(self, source: str) -> RulesError:
        """The same error, naming the file it came from."""
        return RulesError(self.key, self.problem, source)


class DatabaseBusy(QualdeskError):
    """Another qualdesk held the database longer than the busy timeout."""


class DatabaseUnreachable(DatabaseBusy):
    """The database server did not answer: as busy, it is worth trying again later."""


class FileRefused(QualdeskError):
    """A lead file refused as a whole, before anything was written."""
