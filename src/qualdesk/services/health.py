"""`qualdesk doctor`: what is wrong with a desk's database file, and what to do about it.

Every check reads the file as it is, through a read-only connection (see
`sqlitefile`): the doctor never creates, upgrades or switches a database.
Only `fix=True` writes, and only what is safe while reps work: leases past
their expiry, released in one transaction, as the next claim would.

Statuses: "ok"; "warning", worth a look, but the desk copes on its own (an
older schema is upgraded by the next qualdesk that opens it, an expired
lease is released by the next claim); "problem", someone has to act before
the desk works as it should; "skipped", the check could not apply.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from qualdesk.core.errors import QualdeskError
from qualdesk.core.queue import QUEUED_STAGES
from qualdesk.core.rules import DeskRules, parse_rules
from qualdesk.core.words import counted
from qualdesk.services.desk import Clock, system_clock
from qualdesk.services.resources import data_file
from qualdesk.services.sqlitefile import (
    calm,
    connect,
    interrupted_write,
    not_sqlite,
    read_time,
    reason,
    schema_revision,
    stored_time,
    table_columns,
)

Status = Literal["ok", "warning", "problem", "skipped"]
CHECKS = ("integrity", "schema", "journal_mode", "rules", "leases", "time_zones")

RESTORE = (
    "have everyone close qualdesk and keep a copy of the file as it is; then put the "
    "newest good backup (made by `qualdesk backup FILE`) in its place. "
    "`sqlite3 FILE .recover` may save rows written since that backup"
)
WRONG_FILE = "check which database this is (`qualdesk locate`, --db)"


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
    """Every check's finding for one database file, and what `fix` did."""

    database: Path
    findings: tuple[Finding, ...]
    fixed: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Nothing needs action: no check found a problem (warnings may remain)."""
        return not self.count("problem")

    def count(self, status: Status) -> int:
        return sum(1 for f in self.findings if f.status == status)


def schema_revisions() -> list[str]:
    """The schema revisions this qualdesk knows, newest first (read from its migrations)."""
    from alembic.script import ScriptDirectory

    from qualdesk.db.schema import MIGRATIONS

    return [script.revision for script in ScriptDirectory(str(MIGRATIONS)).walk_revisions()]


# SQLite virtual machine steps between progress calls (a few milliseconds' work).
PROGRESS_STEPS = 100_000


def check_database(
    path: Path,
    *,
    fix: bool = False,
    clock: Clock = system_clock,
    progress: Callable[[], None] | None = None,
) -> Checkup:
    """Check a desk's database file and say what to do about each finding.

    Args:
        path: an existing database file (see `sqlitefile.database_file`).
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
        return Checkup(path, _unreadable(why, f"{WRONG_FILE}; if it is the desk's, {RESTORE}"))
    conn = connect(path)
    try:
        return _Examination(conn, path, clock(), fix, progress).run()
    finally:
        conn.close()


def _unreadable(why: str, advice: str = RESTORE) -> tuple[Finding, ...]:
    first = Finding("integrity", "problem", why, advice)
    skipped = "the file cannot be read as a database"
    return (first, *(Finding(name, "skipped", skipped) for name in CHECKS[1:]))


class _Examination:
    """The checks in order, each seeing what the earlier ones found."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        now: datetime,
        fix: bool,
        progress: Callable[[], None] | None = None,
    ) -> None:
        self.conn = conn
        self.progress = progress
        self.path = path
        self.now = now
        self.fix = fix
        self.tables: dict[str, set[str]] = {}
        self.damaged = False
        self.newer = False
        self.not_desk = ""
        self.rules: DeskRules | None = None
        self.fixed: list[str] = []

    def run(self) -> Checkup:
        try:
            self.tables = table_columns(self.conn)
        except sqlite3.DatabaseError as exc:
            busy = calm(exc)
            if busy:
                raise busy from None
            if interrupted_write(exc):
                # Nothing is damaged: the next ordinary open plays the journal back.
                return Checkup(
                    self.path, _unreadable("the file cannot be checked yet", reason(exc))
                )
            return Checkup(self.path, _unreadable(reason(exc)))
        checks: dict[str, Callable[[], Finding]] = {
            "integrity": self._integrity, "schema": self._schema,
            "journal_mode": self._journal_mode, "rules": self._rules,
            "leases": self._leases, "time_zones": self._time_zones,
        }  # fmt: skip
        findings = tuple(self._guarded(name, checks[name]) for name in CHECKS)
        return Checkup(self.path, findings, tuple(self.fixed))

    def _guarded(self, name: str, check: Callable[[], Finding]) -> Finding:
        try:
            return check()
        except sqlite3.DatabaseError as exc:
            busy = calm(exc)
            if busy:
                raise busy from None
            self.damaged = True
            return Finding(name, "problem", f"could not be read: {reason(exc)}", RESTORE)

    def _needs(self, name: str, table: str, *columns: str) -> Finding | None:
        """A skipped finding if the file lacks what the check reads."""
        if self.not_desk:
            return Finding(name, "skipped", self.not_desk)
        missing = set(columns) - self.tables.get(table, set())
        if table not in self.tables or missing:
            return Finding(
                name, "skipped", f"this schema has no {table} table with {', '.join(columns)}"
            )
        return None

    def _integrity(self) -> Finding:
        progress = self.progress
        if progress is not None:

            def tick() -> int:
                progress()
                return 0  # go on

            self.conn.set_progress_handler(tick, PROGRESS_STEPS)
        try:
            rows = [str(row[0]) for row in self.conn.execute("PRAGMA quick_check(20)")]
        finally:
            self.conn.set_progress_handler(None, 0)
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
        if not self.tables:
            self.not_desk = "an empty database, not a desk"
            return Finding(
                "schema", "problem", "an empty SQLite database, not a desk",
                f"{WRONG_FILE}; any other qualdesk command sets up a new desk in it",
            )  # fmt: skip
        revision = schema_revision(self.conn, self.tables)
        if revision is None:
            if "alembic_version" in self.tables:
                self.not_desk = "no schema version stamped"
                return Finding("schema", "problem", "no schema version is stamped", RESTORE)
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
        # Read through a plain connection: the desk's engine would set WAL as it connects.
        mode = str(self.conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
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

    def _rules(self) -> Finding:
        skipped = self._needs("rules", "rules_versions", "id", "loaded_at", "loaded_by", "text")
        if skipped:
            return skipped
        row = self.conn.execute(
            "SELECT id, loaded_at, loaded_by, source, text FROM rules_versions "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return Finding(
                "rules", "warning", "no rules loaded",
                "qualdesk rules load FILE (until then, the first qualdesk to open the desk "
                "stores the built-in rules)",
            )  # fmt: skip
        version, loaded_at, loaded_by, source, text = row
        try:
            self.rules = parse_rules(str(text), stored=True)
        except QualdeskError as exc:
            advice = (
                "this qualdesk is older than the database: upgrade qualdesk" if self.newer
                else "check a corrected file with `qualdesk rules check FILE`, "
                "then `qualdesk rules load FILE`"
            )  # fmt: skip
            return Finding("rules", "problem", f"version {version} does not read: {exc}", advice)
        when = read_time(loaded_at)
        stamp = f"{when:%Y-%m-%d %H:%M} UTC" if when else str(loaded_at)
        return Finding(
            "rules", "ok",
            f"version {version} in force, loaded {stamp} by {loaded_by or 'unknown'}"
            + (f" from {source}" if source else ""),
        )  # fmt: skip

    def _leases(self) -> Finding:
        columns = ("claimed_by", "claim_token", "claim_expires_at")
        skipped = self._needs("leases", "leads", *columns)
        if skipped:
            return skipped
        holders = self.conn.execute(
            "SELECT coalesce(r.handle, '#' || l.claimed_by), count(*), min(l.claim_expires_at) "
            "FROM leads AS l LEFT JOIN reps AS r ON r.id = l.claimed_by "
            f"WHERE {_EXPIRED} GROUP BY l.claimed_by ORDER BY count(*) DESC, 1",
            (stored_time(self.now),),
        ).fetchall()
        if not holders:
            held = self.conn.execute(
                "SELECT count(*) FROM leads WHERE claimed_by IS NOT NULL"
            ).fetchone()[0]
            now_open = f"{counted(held, 'lead')} held by reps now" if held else "none held now"
            return Finding("leases", "ok", f"no lead held past its lease ({now_open})")
        stuck = sum(int(n) for _, n, _ in holders)
        whose = ", ".join(f"{who} {n}" for who, n, _ in holders)
        if self.fix:
            return self._release(stuck, whose)
        expiries = [t for t in (read_time(oldest) for _, _, oldest in holders) if t is not None]
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
            released = release_expired_leases(self.path, self.now)
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
        where = f"stage IN ({', '.join('?' * len(stages))}) AND coalesce(time_zones, '') = ''"
        count = int(
            self.conn.execute(f"SELECT count(*) FROM leads WHERE {where}", stages).fetchone()[0]
        )
        if not count:
            return Finding("time_zones", "ok", "every lead on the desk has a time zone")
        ids = [
            f"#{lead_id}" for (lead_id,) in
            self.conn.execute(f"SELECT id FROM leads WHERE {where} ORDER BY id LIMIT 5", stages)
        ]  # fmt: skip
        more = f" and {count - len(ids):,} more" if count > len(ids) else ""
        detail = (
            f"{counted(count, 'lead')} on the desk with no usable time zone: {', '.join(ids)}{more}"
        )
        return Finding("time_zones", "warning", detail, _zone_advice(self._unknown_zone()))

    def _unknown_zone(self) -> str:
        if self.rules is not None:
            return self.rules.calling_hours.unknown_zone
        try:  # no rules loaded: the desk will store the built-in ones
            built_in = parse_rules(data_file("desk.toml").read_text(encoding="utf-8"))
        except (QualdeskError, OSError):
            return "confirm"
        return built_in.calling_hours.unknown_zone


_EXPIRED = "l.claimed_by IS NOT NULL AND (l.claim_expires_at IS NULL OR l.claim_expires_at <= ?)"
_RELEASE = (
    "UPDATE leads SET claimed_by = NULL, claim_token = NULL, claim_expires_at = NULL "
    "WHERE claimed_by IS NOT NULL AND (claim_expires_at IS NULL OR claim_expires_at <= ?)"
)


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


def release_expired_leases(path: Path, now: datetime) -> int:
    """Release every lease that ran out by now, in one write transaction; returns how many.

    The same release every claim makes first, done now: safe while reps work,
    since a rep whose lease ran out is refused any further write on that lead.

    Raises:
        DatabaseBusy: another writer held the lock for the whole busy timeout.
        QualdeskError: the release could not be written; nothing was changed.
    """
    conn = connect(path, write=True)
    try:
        conn.execute("BEGIN IMMEDIATE")
        released = conn.execute(_RELEASE, (stored_time(now),)).rowcount
        conn.execute("COMMIT")
        return int(released)
    except sqlite3.Error as exc:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        busy = calm(exc)
        if busy:
            raise busy from None
        raise QualdeskError(
            f"{path}: could not release the leases ({reason(exc)}); nothing was changed"
        ) from None
    finally:
        conn.close()


def _age(delta: timedelta) -> str:
    """How long ago, in the largest unit that fits: "12 minutes ago", "3 weeks ago"."""
    minutes = max(0, int(delta.total_seconds() // 60))
    for unit, size in (("week", 7 * 24 * 60), ("day", 24 * 60), ("hour", 60)):
        if minutes >= size:
            return f"{counted(minutes // size, unit)} ago"
    return f"{counted(minutes, 'minute')} ago"
