"""`qualdesk doctor`: what is wrong with a desk's database, and what to do about it.

On SQLite every check reads the file as it is, through a read-only connection
(see `db.checkup`); on PostgreSQL the checks read one snapshot of the
database, and those of the file itself are skipped. The access check says
who may change the desk without qualdesk: on SQLite, who besides the file's
owner may write it; on PostgreSQL, what the role it connects as may do
beyond the desk's rows (`permissions`). The doctor never creates,
upgrades or switches a database. Only `fix=True` writes, and only what is
safe while reps work: leases past their expiry, released in one transaction,
as the next claim would.

Statuses: "ok"; "warning", worth a look, but the desk copes on its own (an
older schema is upgraded by the next qualdesk that opens it, an expired
lease is released by the next claim); "problem", someone has to act before
the desk works as it should; "skipped", the check could not apply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal, NamedTuple

from qualdesk.core.errors import QualdeskError
from qualdesk.core.queue import QUEUED_STAGES
from qualdesk.core.rules import DeskRules, parse_rules
from qualdesk.core.words import counted
from qualdesk.db.checkup import OLDEST_SERVER, DeskFile, DeskServer, Unreadable
from qualdesk.db.engine import is_postgres, shown_location
from qualdesk.db.sqlitefile import database_file, not_sqlite
from qualdesk.services.desk import Clock, system_clock
from qualdesk.services.resources import data_file
from qualdesk.services.upkeep.permissions import file_access, role_access

Status = Literal["ok", "warning", "problem", "skipped"]
CHECKS = ("integrity", "schema", "journal_mode", "access", "rules", "leases", "time_zones")
# On PostgreSQL: the server first; the checks of the SQLite file itself are listed as skipped.
SERVER_CHECKS = ("server", *CHECKS)
SQLITE_ONLY = ("integrity", "journal_mode")
OLDEST_SERVER_NAME = "13"

RESTORE = (
    "have everyone close qualdesk and keep a copy of the file as it is; then put the "
    "newest good backup (made by `qualdesk backup FILE`) in its place. "
    "`sqlite3 FILE .recover` may save rows written since that backup"
)
WRONG_FILE = "check which database this is (`qualdesk locate`, --db)"
SERVER_ADVICE = (
    "check the URL (`qualdesk locate`), that the server is running and that this "
    "user may connect to the database"
)


@dataclass(frozen=True)
class Finding:
    """One check's outcome and, unless it is ok, what to do about it."""

    name: str
    status: Status
    detail: str
    advice: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status, "detail": self.detail,
                "advice": self.advice}  # fmt: skip


@dataclass(frozen=True)
class Checkup:
    """Every check's finding for one database, and what `fix` did."""

    database: str
    findings: tuple[Finding, ...]
    fixed: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Nothing needs action: no check found a problem (warnings may remain)."""
        return not self.count("problem")

    def count(self, status: Status) -> int:
        return sum(1 for f in self.findings if f.status == status)


class DeskToCheck(NamedTuple):
    """The database the doctor examines: a SQLite file, or a server's URL; and how to show it."""

    target: Path | str
    shown: str


def desk_to_check(location: str) -> DeskToCheck:
    """The database at a location, as the doctor examines it.

    Raises:
        QualdeskError: a file location with no database file there (nothing is created).
    """
    if is_postgres(location):
        return DeskToCheck(location, shown_location(location))
    path = database_file(location)
    return DeskToCheck(path, str(path))


def schema_revisions() -> list[str]:
    """The schema revisions this qualdesk knows, newest first (read from its migrations)."""
    from qualdesk.db.schema import known_revisions

    return known_revisions()


# SQLite virtual machine steps between progress calls (a few milliseconds' work).
PROGRESS_STEPS = 100_000


def check_desk(
    desk: DeskToCheck,
    *,
    fix: bool = False,
    clock: Clock = system_clock,
    progress: Callable[[], None] | None = None,
) -> Checkup:
    """Check the desk's database, on either engine (see `check_database`, `check_server`)."""
    if isinstance(desk.target, Path):
        return check_database(desk.target, fix=fix, clock=clock, progress=progress)
    return check_server(desk.target, fix=fix, clock=clock)


def check_database(
    path: Path,
    *,
    fix: bool = False,
    clock: Clock = system_clock,
    progress: Callable[[], None] | None = None,
) -> Checkup:
    """Check a desk's database file and say what to do about each finding.

    Args:
        path: an existing database file (see `desk_to_check`).
        fix: release leases past their expiry, in one write transaction.
        clock: now, in UTC.
        progress: called now and then while the integrity check reads the
            whole file (minutes on a large one), so a caller can show it is working.

    Returns:
        One finding per check, in the order of CHECKS.

    Raises:
        DatabaseBusy: the file stayed locked for the whole busy timeout.
        QualdeskError: the file cannot be opened at all.
    """
    why = not_sqlite(path)
    if why:
        return Checkup(str(path), _unreadable(why, f"{WRONG_FILE}; if it is the desk's, {RESTORE}"))
    reader = DeskFile(path)
    try:
        return _Examination(reader, str(path), clock(), fix, progress).run()
    finally:
        reader.close()


def check_server(location: str, *, fix: bool = False, clock: Clock = system_clock) -> Checkup:
    """Check a desk on a PostgreSQL server: the server, the schema, rules, leases, time zones.

    The checks of a SQLite file (its integrity, its journal mode) are listed
    as skipped; the server keeps its own.

    Args:
        location: the server's URL.
        fix: release leases past their expiry, in one write transaction.
        clock: now, in UTC.

    Returns:
        One finding per check, in the order of SERVER_CHECKS.

    Raises:
        DatabaseBusy: a lead stayed locked for the whole busy timeout.
    """
    shown = shown_location(location)
    try:
        reader = DeskServer(location)
    except Unreadable as exc:
        gone = "the server cannot be reached"
        return Checkup(
            shown,
            (
                Finding("server", "problem", f"cannot connect: {exc.reason}", SERVER_ADVICE),
                *(Finding(name, "skipped", gone) for name in CHECKS),
            ),
        )
    try:
        return _Examination(reader, shown, clock(), fix).run()
    finally:
        reader.close()


def _unreadable(why: str, advice: str = RESTORE) -> tuple[Finding, ...]:
    first = Finding("integrity", "problem", why, advice)
    skipped = "the file cannot be read as a database"
    return (first, *(Finding(name, "skipped", skipped) for name in CHECKS[1:]))


class _Examination:
    """The checks in order, each seeing what the earlier ones found."""

    def __init__(
        self,
        reader: DeskFile | DeskServer,
        database: str,
        now: datetime,
        fix: bool,
        progress: Callable[[], None] | None = None,
    ) -> None:
        self.reader = reader
        self.progress = progress
        self.database = database
        self.now = now
        self.fix = fix
        self.tables: dict[str, set[str]] = {}
        self.damaged = False
        self.newer = False
        self.not_desk = ""
        self.rules: DeskRules | None = None
        self.fixed: list[str] = []

    @property
    def on_server(self) -> bool:
        return isinstance(self.reader, DeskServer)

    def run(self) -> Checkup:
        try:
            self.tables = self.reader.tables()
        except Unreadable as exc:
            if self.on_server:
                return Checkup(
                    self.database,
                    (
                        Finding(
                            "server", "problem", f"cannot be read: {exc.reason}", SERVER_ADVICE
                        ),
                        *(
                            Finding(name, "skipped", "the database cannot be read")
                            for name in CHECKS
                        ),
                    ),
                )
            if exc.interrupted:
                # Nothing is damaged: the next ordinary open plays the journal back.
                return Checkup(
                    self.database, _unreadable("the file cannot be checked yet", exc.reason)
                )
            return Checkup(self.database, _unreadable(exc.reason))
        checks: dict[str, Callable[[], Finding]] = {
            "server": self._server, "integrity": self._integrity, "schema": self._schema,
            "journal_mode": self._journal_mode, "access": self._access, "rules": self._rules,
            "leases": self._leases, "time_zones": self._time_zones,
        }  # fmt: skip
        names = SERVER_CHECKS if self.on_server else CHECKS
        findings = tuple(self._guarded(name, checks[name]) for name in names)
        return Checkup(self.database, findings, tuple(self.fixed))

    def _guarded(self, name: str, check: Callable[[], Finding]) -> Finding:
        if self.on_server and name in SQLITE_ONLY:
            return Finding(name, "skipped", "(SQLite only)")
        try:
            return check()
        except Unreadable as exc:
            self.damaged = True
            advice = SERVER_ADVICE if self.on_server else RESTORE
            return Finding(name, "problem", f"could not be read: {exc.reason}", advice)

    def _needs(self, name: str, table: str, *columns: str) -> Finding | None:
        """A skipped finding if the database lacks what the check reads."""
        if self.not_desk:
            return Finding(name, "skipped", self.not_desk)
        missing = set(columns) - self.tables.get(table, set())
        if table not in self.tables or missing:
            return Finding(
                name, "skipped", f"this schema has no {table} table with {', '.join(columns)}"
            )
        return None

    def _server(self) -> Finding:
        assert isinstance(self.reader, DeskServer)
        number, name = self.reader.server_version()
        if number < OLDEST_SERVER:
            return Finding(
                "server",
                "problem",
                f"PostgreSQL {name}; qualdesk needs {OLDEST_SERVER_NAME} or newer",
                f"upgrade the server to PostgreSQL {OLDEST_SERVER_NAME} or newer",
            )
        return Finding("server", "ok", f"PostgreSQL {name}, answering")

    def _integrity(self) -> Finding:
        assert isinstance(self.reader, DeskFile)
        rows = self.reader.quick_check(self.progress, PROGRESS_STEPS)
        if rows == ["ok"]:
            return Finding("integrity", "ok", "quick_check found nothing wrong")
        self.damaged = True
        lines = [
            line.strip() for row in rows for line in row.splitlines()
            if line.strip() and not line.startswith("***")
        ]  # fmt: skip
        shown = "; ".join(lines[:3]) + (f" (and {len(lines) - 3} more)" if len(lines) > 3 else "")
        return Finding("integrity", "problem", f"quick_check reports: {shown}", RESTORE)

    def _schema(self) -> Finding:
        revisions = schema_revisions()
        head = revisions[0]
        restore = SERVER_ADVICE if self.on_server else RESTORE
        if not self.tables:
            self.not_desk = "an empty database, not a desk"
            engine = "" if self.on_server else " SQLite"
            return Finding(
                "schema", "problem", f"an empty{engine} database, not a desk",
                f"{WRONG_FILE}; any other qualdesk command sets up a new desk in it",
            )  # fmt: skip
        revision = self.reader.revision(self.tables)
        if revision is None:
            if "alembic_version" in self.tables:
                self.not_desk = "no schema version stamped"
                return Finding("schema", "problem", "no schema version is stamped", restore)
            self.not_desk = "not a qualdesk database"
            example = sorted(self.tables)[0]
            return Finding(
                "schema", "problem",
                f"not a qualdesk database (no schema version; tables such as {example!r})",
                WRONG_FILE,
            )  # fmt: skip
        if revision == head:
            return Finding("schema", "ok", f"{revision}, the newest this qualdesk knows")
        if revision in revisions:
            return Finding(
                "schema", "warning", f"{revision}; this qualdesk's newest is {head}",
                "run `qualdesk db upgrade` (the first qualdesk to open the desk upgrades it too); "
                f"afterwards every rep needs a qualdesk that knows schema {head}",
            )  # fmt: skip
        self.newer = True
        return Finding(
            "schema", "problem",
            f"{revision}, newer than any this qualdesk knows (its newest is {head})",
            "this qualdesk is older than the database: upgrade qualdesk",
        )  # fmt: skip

    def _journal_mode(self) -> Finding:
        assert isinstance(self.reader, DeskFile)
        mode = self.reader.journal_mode()
        if mode == "wal":
            return Finding(
                "journal_mode", "ok", "wal: reps' reads and writes do not block each other"
            )
        return Finding(
            "journal_mode", "warning",
            f"{mode}, not WAL: while one rep writes, every other rep waits",
            "any qualdesk that opens the desk switches it to WAL (e.g. `qualdesk db upgrade`); "
            f"if it stays {mode}, the file may be on a network share: keep it on a local disk",
        )  # fmt: skip

    def _access(self) -> Finding:
        """Who may change the desk without qualdesk (see `permissions`)."""
        if isinstance(self.reader, DeskServer):
            verdict = role_access(self.reader.role_powers())
        else:
            verdict = file_access(self.reader.path)
        return Finding("access", *verdict)

    def _rules(self) -> Finding:
        skipped = self._needs("rules", "rules_versions", "id", "loaded_at", "loaded_by", "text")
        if skipped:
            return skipped
        stored = self.reader.newest_rules()
        if stored is None:
            return Finding(
                "rules", "warning", "no rules loaded",
                "qualdesk rules load FILE (until then, the first qualdesk to open the desk "
                "stores the built-in rules)",
            )  # fmt: skip
        try:
            self.rules = parse_rules(stored.text, stored=True)
        except QualdeskError as exc:
            advice = (
                "this qualdesk is older than the database: upgrade qualdesk" if self.newer
                else "check a corrected file with `qualdesk rules check FILE`, "
                "then `qualdesk rules load FILE`"
            )  # fmt: skip
            return Finding(
                "rules", "problem", f"version {stored.version} does not read: {exc}", advice
            )
        when = stored.loaded_at
        stamp = f"{when:%Y-%m-%d %H:%M} UTC" if isinstance(when, datetime) else when
        return Finding(
            "rules", "ok",
            f"version {stored.version} in force, loaded {stamp} by {stored.loaded_by or 'unknown'}"
            + (f" from {stored.source}" if stored.source else ""),
        )  # fmt: skip

    def _leases(self) -> Finding:
        columns = ("claimed_by", "claim_token", "claim_expires_at")
        skipped = self._needs("leases", "leads", *columns)
        if skipped:
            return skipped
        holders = self.reader.expired_leases(self.now)
        if not holders:
            held = self.reader.held_leads()
            now_open = f"{counted(held, 'lead')} held by reps now" if held else "none held now"
            return Finding("leases", "ok", f"no lead held past its lease ({now_open})")
        stuck = sum(holder.leads for holder in holders)
        whose = ", ".join(f"{holder.who} {holder.leads}" for holder in holders)
        if self.fix:
            return self._release(stuck, whose)
        expiries = [holder.oldest for holder in holders if holder.oldest is not None]
        oldest = ""
        if expiries:
            first = min(expiries)
            oldest = f"; the oldest ran out {first:%Y-%m-%d %H:%M} UTC ({_age(self.now - first)})"
        return Finding(
            "leases", "warning",
            f"{counted(stuck, 'lead')} held past the lease ({whose}){oldest}",
            "they go back to the queue at the next claim; "
            "`qualdesk doctor --fix` releases them now",
        )  # fmt: skip

    def _release(self, stuck: int, whose: str) -> Finding:
        refused = (
            "the database failed its checks" if self.damaged
            else "its schema is newer than this qualdesk" if self.newer else ""
        )  # fmt: skip
        if refused:
            return Finding(
                "leases", "warning", f"{counted(stuck, 'lead')} held past the lease ({whose})",
                f"not released: {refused}; they go back to the queue at the next claim",
            )  # fmt: skip
        try:
            released = self.reader.release_expired_leases(self.now)
        except QualdeskError as exc:  # busy, or not writable: the rest of the report stands
            return Finding(
                "leases", "warning", f"{counted(stuck, 'lead')} held past the lease ({whose})",
                f"not released: {exc}; they go back to the queue at the next claim",
            )  # fmt: skip
        self.fixed.append(f"released {counted(released, 'lead')} held past the lease ({whose})")
        return Finding(
            "leases", "ok", f"released {counted(released, 'lead')} held past the lease ({whose})"
        )

    def _time_zones(self) -> Finding:
        skipped = self._needs("time_zones", "leads", "stage", "time_zones")
        if skipped:
            return skipped
        stages = tuple(str(stage) for stage in QUEUED_STAGES)
        count, ids = self.reader.leads_without_zone(stages, 5)
        if not count:
            return Finding("time_zones", "ok", "every lead on the desk has a time zone")
        more = f" and {count - len(ids):,} more" if count > len(ids) else ""
        shown = ", ".join(f"#{lead_id}" for lead_id in ids)
        detail = f"{counted(count, 'lead')} on the desk with no usable time zone: {shown}{more}"
        return Finding("time_zones", "warning", detail, _zone_advice(self._unknown_zone()))

    def _unknown_zone(self) -> str:
        if self.rules is not None:
            return self.rules.calling_hours.unknown_zone
        try:  # no rules loaded: the desk will store the built-in ones
            built_in = parse_rules(data_file("desk.toml").read_text(encoding="utf-8"))
        except (QualdeskError, OSError):
            return "confirm"
        return built_in.calling_hours.unknown_zone


def _zone_advice(unknown_zone: str) -> str:
    cause = "correct their numbers (a missing country code is the usual cause)"
    if unknown_zone == "never":
        return (
            'the rules say unknown_zone = "never", so no rep is offered them: '
            f'{cause}, or load rules with unknown_zone = "confirm" '
            "(`qualdesk rules load FILE`) so reps may call them after confirming the local time"
        )
    return (
        "reps are offered them last, and must confirm it is a sensible local time before "
        f"calling; to have them called in their calling hours, {cause}"
    )


def _age(delta: timedelta) -> str:
    """How long ago, in the largest unit that fits: "12 minutes ago", "3 weeks ago"."""
    minutes = max(0, int(delta.total_seconds() // 60))
    for unit, size in (("week", 7 * 24 * 60), ("day", 24 * 60), ("hour", 60)):
        if minutes >= size:
            return f"{counted(minutes // size, unit)} ago"
    return f"{counted(minutes, 'minute')} ago"
