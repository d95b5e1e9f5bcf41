"""What `qualdesk doctor` reads: a desk's SQLite file as it is, or a desk on a server.

Both readers answer the same questions (tables, schema revision, rules in
force, leases past their expiry, leads without a time zone) and release
expired leases when asked; each has the checks only its engine has. Neither
creates, upgrades or switches a database. A read that fails raises
`Unreadable`; a database still locked after the busy timeout, `DatabaseBusy`.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import String, cast, func, inspect, literal, or_, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlmodel import col

from qualdesk.core.errors import DatabaseBusy, QualdeskError
from qualdesk.db.engine import Database, calm_error, database_url, make_engine, shown_location
from qualdesk.db.models import Lead, Rep, RulesVersion
from qualdesk.db.schema import current_revision
from qualdesk.db.sqlitefile import (
    calm,
    connect,
    interrupted_write,
    read_time,
    reason,
    schema_revision,
    stored_time,
    table_columns,
)

T = TypeVar("T")


class Unreadable(Exception):
    """A check's read failed: the reason in words, and whether a journal waits to be played."""

    def __init__(self, reason: str, *, interrupted: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.interrupted = interrupted


class StoredRules(NamedTuple):
    """The newest rules version: its id, when (a moment, or the text as stored), by whom."""

    version: int
    loaded_at: datetime | str
    loaded_by: str
    source: str
    text: str


class RolePowers(NamedTuple):
    """What the role a desk connects as may do beyond the desk's rows, and what it lacks."""

    role: str
    superuser: bool
    create_role: bool
    create_database: bool
    database_owner: str
    owns_database: bool  # the owner, or a member of the owner's role
    owned_tables: int  # tables of the desk it owns, or may own by its role's membership
    may_create_tables: bool  # CREATE on the desk's schema
    schema: str
    may_use_temporary: bool  # imports stage their rows in temporary tables
    unwritable: tuple[str, ...]  # tables it may not read, add to, change and delete from
    unusable_sequences: tuple[str, ...]  # id sequences it may not take the next id from


class Holder(NamedTuple):
    """A rep holding leads past their lease: who, how many, and the oldest expiry."""

    who: str
    leads: int
    oldest: datetime | None


class DeskFile:
    """A desk's SQLite file, read through a plain read-only connection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = connect(path)

    def close(self) -> None:
        self.conn.close()

    def tables(self) -> dict[str, set[str]]:
        """Every table in the file and its columns."""
        return self._read(lambda: table_columns(self.conn))

    def revision(self, tables: dict[str, set[str]]) -> str | None:
        return self._read(lambda: schema_revision(self.conn, tables))

    def quick_check(self, progress: Callable[[], None] | None, steps: int) -> list[str]:
        """PRAGMA quick_check's rows (["ok"] for a sound file); progress is called as it reads."""

        def check() -> list[str]:
            if progress is not None:

                def tick() -> int:
                    progress()
                    return 0  # go on

                self.conn.set_progress_handler(tick, steps)
            try:
                return [str(row[0]) for row in self.conn.execute("PRAGMA quick_check(20)")]
            finally:
                self.conn.set_progress_handler(None, 0)

        return self._read(check)

    def journal_mode(self) -> str:
        """The file's own journal mode (the desk's engine would set WAL as it connects)."""
        return self._read(
            lambda: str(self.conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
        )

    def newest_rules(self) -> StoredRules | None:
        def read() -> StoredRules | None:
            row = self.conn.execute(
                "SELECT id, loaded_at, loaded_by, source, text FROM rules_versions "
                "ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            version, loaded_at, loaded_by, source, text = row
            when = read_time(loaded_at) or str(loaded_at)
            return StoredRules(
                int(version), when, str(loaded_by or ""), str(source or ""), str(text)
            )

        return self._read(read)

    def expired_leases(self, now: datetime) -> list[Holder]:
        """Who holds leads whose lease ran out by now, most leads first."""
        rows = self._read(
            lambda: self.conn.execute(
                "SELECT coalesce(r.handle, '#' || l.claimed_by), count(*), "
                "min(l.claim_expires_at) FROM leads AS l LEFT JOIN reps AS r "
                f"ON r.id = l.claimed_by WHERE {_EXPIRED} "
                "GROUP BY l.claimed_by ORDER BY count(*) DESC, 1",
                (stored_time(now),),
            ).fetchall()
        )
        return [Holder(str(who), int(n), read_time(oldest)) for who, n, oldest in rows]

    def held_leads(self) -> int:
        return self._read(
            lambda: int(
                self.conn.execute(
                    "SELECT count(*) FROM leads WHERE claimed_by IS NOT NULL"
                ).fetchone()[0]
            )
        )

    def leads_without_zone(self, stages: Sequence[str], shown: int) -> tuple[int, list[int]]:
        """How many leads in these stages have no time zone, and the first few ids."""
        where = f"stage IN ({', '.join('?' * len(stages))}) AND coalesce(time_zones, '') = ''"

        def read() -> tuple[int, list[int]]:
            count = self.conn.execute(f"SELECT count(*) FROM leads WHERE {where}", tuple(stages))
            ids = self.conn.execute(
                f"SELECT id FROM leads WHERE {where} ORDER BY id LIMIT {int(shown)}", tuple(stages)
            )
            return int(count.fetchone()[0]), [int(lead_id) for (lead_id,) in ids]

        return self._read(read)

    def release_expired_leases(self, now: datetime) -> int:
        """Release every lease that ran out by now, in one write transaction; returns how many.

        Raises:
            DatabaseBusy: another writer held the lock for the whole busy timeout.
            QualdeskError: the release could not be written; nothing was changed.
        """
        conn = connect(self.path, write=True)
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
                f"{self.path}: could not release the leases ({reason(exc)}); nothing was changed"
            ) from None
        finally:
            conn.close()

    def _read(self, read: Callable[[], T]) -> T:
        try:
            return read()
        except sqlite3.DatabaseError as exc:
            busy = calm(exc)
            if busy:
                raise busy from None
            raise Unreadable(reason(exc), interrupted=interrupted_write(exc)) from None


_EXPIRED = "l.claimed_by IS NOT NULL AND (l.claim_expires_at IS NULL OR l.claim_expires_at <= ?)"
_RELEASE = (
    "UPDATE leads SET claimed_by = NULL, claim_token = NULL, claim_expires_at = NULL "
    "WHERE claimed_by IS NOT NULL AND (claim_expires_at IS NULL OR claim_expires_at <= ?)"
)

# The oldest PostgreSQL the desk runs on.
OLDEST_SERVER = 130000


class DeskServer:
    """A desk on a PostgreSQL server, read in one REPEATABLE READ, READ ONLY transaction.

    Each check reads under a savepoint of its own, so one that fails leaves
    the others their transaction.
    """

    def __init__(self, location: str) -> None:
        self.location = location
        self.shown = shown_location(location)
        self.db = Database(make_engine(database_url(location)))
        try:
            self.conn = self.db.engine.connect().execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            self.conn.begin()
        except SQLAlchemyError as exc:
            self.db.dispose()
            raise Unreadable(self._why(exc)) from None

    def close(self) -> None:
        try:
            self.conn.close()
        finally:
            self.db.dispose()

    def server_version(self) -> tuple[int, str]:
        """The server's version as a number (150004) and as it names itself (15.4)."""
        return self._read(
            lambda conn: (
                int(conn.exec_driver_sql("SHOW server_version_num").scalar_one()),
                str(conn.exec_driver_sql("SHOW server_version").scalar_one()).split(" ")[0],
            )
        )

    def role_powers(self) -> RolePowers:
        """The connection's role: superuser, owner, DDL, and the privileges the desk needs."""

        def read(conn: Connection) -> RolePowers:
            row = conn.execute(sql_text(_ROLE_POWERS)).one()
            unwritable = conn.execute(sql_text(_UNWRITABLE_TABLES)).scalars().all()
            unusable = conn.execute(sql_text(_UNUSABLE_SEQUENCES)).scalars().all()
            return RolePowers(
                role=str(row.role),
                superuser=bool(row.superuser),
                create_role=bool(row.create_role),
                create_database=bool(row.create_database),
                database_owner=str(row.database_owner),
                owns_database=bool(row.owns_database),
                owned_tables=int(row.owned_tables),
                may_create_tables=bool(row.may_create_tables),
                schema=str(row.schema),
                may_use_temporary=bool(row.may_use_temporary),
                unwritable=tuple(str(name) for name in unwritable),
                unusable_sequences=tuple(str(name) for name in unusable),
            )

        return self._read(read)

    def tables(self) -> dict[str, set[str]]:
        def read(conn: Connection) -> dict[str, set[str]]:
            seen = inspect(conn)
            return {
                name: {str(column["name"]) for column in seen.get_columns(name)}
                for name in seen.get_table_names()
            }

        return self._read(read)

    def revision(self, tables: dict[str, set[str]]) -> str | None:
        if "alembic_version" not in tables:
            return None
        return self._read(current_revision)

    def newest_rules(self) -> StoredRules | None:
        def read(conn: Connection) -> StoredRules | None:
            row = conn.execute(
                select(
                    col(RulesVersion.id),
                    col(RulesVersion.loaded_at),
                    col(RulesVersion.loaded_by),
                    col(RulesVersion.source),
                    col(RulesVersion.text),
                )
                .order_by(col(RulesVersion.id).desc())
                .limit(1)
            ).first()
            if row is None:
                return None
            version, loaded_at, loaded_by, source, text = row
            return StoredRules(int(version or 0), loaded_at, loaded_by or "", source or "", text)

        return self._read(read)

    def expired_leases(self, now: datetime) -> list[Holder]:
        claimed_by = col(Lead.claimed_by)
        who = func.coalesce(col(Rep.handle), literal("#") + cast(claimed_by, String))
        count = func.count()
        query = (
            select(who, count, func.min(col(Lead.claim_expires_at)))
            .select_from(Lead)
            .outerjoin(Rep, col(Rep.id) == claimed_by)
            .where(_expired(now))
            .group_by(claimed_by, col(Rep.handle))
            .order_by(count.desc(), who)
        )
        rows = self._read(lambda conn: conn.execute(query).all())
        return [Holder(str(name), int(n), oldest) for name, n, oldest in rows]

    def held_leads(self) -> int:
        query = select(func.count()).select_from(Lead).where(col(Lead.claimed_by).is_not(None))
        return self._read(lambda conn: int(conn.execute(query).scalar_one()))

    def leads_without_zone(self, stages: Sequence[str], shown: int) -> tuple[int, list[int]]:
        where = (
            col(Lead.stage).in_(list(stages)),
            func.coalesce(col(Lead.time_zones), "") == "",
        )

        def read(conn: Connection) -> tuple[int, list[int]]:
            count = conn.execute(select(func.count()).select_from(Lead).where(*where))
            ids = conn.execute(
                select(col(Lead.id)).where(*where).order_by(col(Lead.id)).limit(shown)
            )
            return int(count.scalar_one()), [int(lead_id or 0) for lead_id in ids.scalars()]

        return self._read(read)

    def release_expired_leases(self, now: datetime) -> int:
        """Release every lease that ran out by now, in one write transaction; returns how many.

        Raises:
            DatabaseBusy: a lead stayed locked by a rep's write for the whole busy timeout.
            QualdeskError: the release could not be written; nothing was changed.
        """
        release = (
            update(Lead)
            .where(_expired(now))
            .values(claimed_by=None, claim_token=None, claim_expires_at=None)
        )
        try:
            with self.db.engine.begin() as conn:
                return int(conn.execute(release).rowcount)
        except SQLAlchemyError as exc:
            calm_one = calm_error(exc, self.shown) if isinstance(exc, DBAPIError) else None
            if type(calm_one) is DatabaseBusy:
                raise calm_one from None
            raise QualdeskError(
                f"{self.shown}: could not release the leases ({self._why(exc)}); "
                "nothing was changed"
            ) from None

    def _read(self, read: Callable[[Connection], T]) -> T:
        try:
            with self.conn.begin_nested():
                return read(self.conn)
        except SQLAlchemyError as exc:
            calm_one = calm_error(exc, self.shown) if isinstance(exc, DBAPIError) else None
            if type(calm_one) is DatabaseBusy:  # locked, not gone: try again, as on SQLite
                raise calm_one from None
            raise Unreadable(self._why(exc)) from None

    def _why(self, exc: Exception) -> str:
        if isinstance(exc, DBAPIError):
            calm_one = calm_error(exc, self.shown)
            if calm_one is not None:
                return str(calm_one).removeprefix(f"{self.shown}: ")
        text = str(getattr(exc, "orig", None) or exc).strip()
        return text.splitlines()[0] if text else type(exc).__name__


# The desk's tables and sequences: those of the schema its connection works in.
_DESK_RELATIONS = (
    "FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace "
    "WHERE n.nspname = current_schema()"
)
_ROLE_POWERS = f"""
SELECT current_user AS role, r.rolsuper AS superuser, r.rolcreaterole AS create_role,
       r.rolcreatedb AS create_database,
       pg_catalog.pg_get_userbyid(d.datdba) AS database_owner,
       pg_catalog.pg_has_role(current_user, d.datdba, 'MEMBER') AS owns_database,
       (SELECT count(*) {_DESK_RELATIONS} AND c.relkind IN ('r', 'p')
           AND pg_catalog.pg_has_role(current_user, c.relowner, 'MEMBER')) AS owned_tables,
       coalesce(pg_catalog.has_schema_privilege(current_schema(), 'CREATE'), false)
           AS may_create_tables,
       coalesce(current_schema(), '') AS schema,
       pg_catalog.has_database_privilege(d.oid, 'TEMPORARY') AS may_use_temporary
FROM pg_catalog.pg_roles AS r, pg_catalog.pg_database AS d
WHERE r.rolname = current_user AND d.datname = current_database()
"""
_UNWRITABLE_TABLES = f"""
SELECT c.relname {_DESK_RELATIONS} AND c.relkind IN ('r', 'p') AND NOT (
    pg_catalog.has_table_privilege(c.oid, 'SELECT')
    AND (c.relname = 'alembic_version' OR (
        pg_catalog.has_table_privilege(c.oid, 'INSERT')
        AND pg_catalog.has_table_privilege(c.oid, 'UPDATE')
        AND pg_catalog.has_table_privilege(c.oid, 'DELETE'))))
ORDER BY c.relname
"""
_UNUSABLE_SEQUENCES = f"""
SELECT c.relname {_DESK_RELATIONS} AND c.relkind = 'S'
    -- CASE: the planner may test rows of other kinds and schemas first; this never fails on them
    AND CASE WHEN c.relkind = 'S' AND n.nspname = current_schema()
        THEN NOT pg_catalog.has_sequence_privilege(c.oid, 'USAGE') ELSE false END
ORDER BY c.relname
"""


def _expired(now: datetime) -> Any:
    expires = col(Lead.claim_expires_at)
    return col(Lead.claimed_by).is_not(None) & or_(expires.is_(None), expires <= now)
