"""The open desk: its database, its clock and the rules in force."""

from __future__ import annotations

import getpass
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from qualdesk.core.errors import DatabaseBusy, QualdeskError
from qualdesk.core.rules import DeskRules, parse_rules
from qualdesk.db import rulesversions
from qualdesk.db.engine import Database, Session, serialize, shown_location
from qualdesk.db.models import RulesVersion
from qualdesk.db.schema import open_database, upgrade_location
from qualdesk.services.resources import data_file

Clock = Callable[[], datetime]


def os_user() -> str:
    """Who is at this terminal, for the record (imports, rules loads); never fails."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def system_clock() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class RulesInForce:
    """The rules the desk uses now, and the stored version they came from."""

    version: int
    rules: DeskRules
    loaded_at: datetime
    source: str


@dataclass
class Desk:
    """What every service works against: the database and the clock, passed in."""

    db: Database
    clock: Clock = system_clock
    _parsed: dict[int, DeskRules] = field(default_factory=dict, repr=False)
    # Values services keep between calls (calling-hours classes); never rules or leads.
    cache: dict[str, object] = field(default_factory=dict, repr=False)

    def rules(self, session: Session | None = None) -> RulesInForce:
        """The newest rules version (other reps may have loaded one since)."""
        if session is None:
            with self.db.reading() as reading:
                return self.rules(reading)
        row = rulesversions.newest(session)
        if row is None or row.id is None:
            raise LookupError("the database holds no rules version")
        if row.id not in self._parsed:
            self._parsed[row.id] = parse_rules(row.text, stored=True)
        return RulesInForce(row.id, self._parsed[row.id], row.loaded_at, row.source)

    def rules_version(self, session: Session, version: int) -> DeskRules:
        """The rules of a stored version (the one in force when something was decided)."""
        if version not in self._parsed:
            row = session.get(RulesVersion, version)
            if row is None:
                raise LookupError(f"no rules version {version}")
            self._parsed[version] = parse_rules(row.text, stored=True)
        return self._parsed[version]

    def close(self) -> None:
        self.db.dispose()


def open_desk(location: str | Path, *, clock: Clock = system_clock, upgrade: bool = True) -> Desk:
    """Open the desk database, creating it with the default rules if it is new."""
    desk = Desk(open_database(location, upgrade=upgrade), clock)
    with desk.db.reading() as session:
        has_rules = rulesversions.any_stored(session)
    if not has_rules:
        _store_default_rules(desk)
    return desk


def read_desk(location: str | Path) -> Desk | None:
    """The desk as it is, to learn who may act on it: never upgraded, never given rules,
    never recovered (a write cut off mid-transaction stays for the command to report).

    None when it cannot be read that way: an older schema (before sign-in, so its
    rules cannot ask for passwords), a rollback journal waiting beside the file,
    or a file that is not a desk; the command then says what is wrong itself.
    """
    if "://" not in str(location) and Path(f"{Path(location).expanduser()}-journal").exists():
        return None
    try:
        desk = Desk(open_database(location, upgrade=False))
    except DatabaseBusy:
        raise
    except QualdeskError:
        return None
    try:
        desk.rules()
    except LookupError:
        desk.close()
        return None
    return desk


def create_desk(location: str | Path, *, clock: Clock = system_clock) -> Desk:
    """Create a new desk database, with the default rules, where there is none yet.

    Raises:
        QualdeskError: a file (or, on a server, a desk) is already there; nothing
            is changed.
    """
    if "://" not in str(location):
        path = Path(location).expanduser()
        if path.exists():
            raise QualdeskError(f"{path}: a file is already there; nothing was changed")
        if not path.parent.is_dir():
            raise QualdeskError(f"{path}: the folder {path.parent} does not exist")
    desk = Desk(open_database(location), clock)
    with desk.db.reading() as session:
        has_rules = rulesversions.any_stored(session)
    if has_rules:
        desk.close()
        where = shown_location(location)
        raise QualdeskError(f"{where}: already holds a desk; nothing was changed")
    _store_default_rules(desk)
    return desk


def _store_default_rules(desk: Desk) -> None:
    text = data_file("desk.toml").read_text(encoding="utf-8")
    parse_rules(text)
    with desk.db.writing() as session:
        serialize(session, "rules")  # two desks opening a new database: one stores them
        if rulesversions.any_stored(session):
            return
        session.add(
            RulesVersion(
                loaded_at=desk.clock(),
                loaded_by="qualdesk",
                source="built-in default (data/desk.toml)",
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                text=text,
            )
        )


def upgrade_schema(location: str | Path) -> tuple[str | None, str]:
    """Bring the database at a location up to this version's schema; returns (from, to)."""
    return upgrade_location(location)
