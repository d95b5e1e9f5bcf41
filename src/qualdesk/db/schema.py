"""Opening a database: create it, or bring its schema up to this version.

The schema is versioned with Alembic. A new database is created from the
models and stamped at the head revision; an older one is upgraded on open
(or by `qualdesk db upgrade`), so a database made by any released version
opens in every later one without loss. Alembic is imported only when there
is something to do, which keeps opening a current database cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlmodel import SQLModel

from qualdesk.core.errors import QualdeskError
from qualdesk.db import models  # noqa: F401  (registers the tables)
from qualdesk.db.engine import Database, calm_error, database_url, make_engine, shown_location

SCHEMA_HEAD = "0011"
MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaError(QualdeskError):
    """The database cannot be opened at this schema version."""


def open_database(location: str | Path, *, upgrade: bool = True) -> Database:
    """Open (creating if needed) the desk database at a path or URL.

    Args:
        location: a SQLite file path, or a SQLAlchemy URL.
        upgrade: bring an older schema up to date; if False, an older schema
            is refused with a message saying how to upgrade.

    Returns:
        The open database.

    Raises:
        SchemaError: the file is not a qualdesk database, its schema is newer
            than this program, or it cannot be opened.
    """
    url = database_url(location)
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        path = Path(url.removeprefix("sqlite:///"))
        if path.is_dir():
            raise SchemaError(f"{path} is a folder, not a database file")
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            # A new desk holds leads and password hashes: its owner's alone to read until
            # someone decides otherwise (its -wal and -shm files take the same mode).
            path.touch(mode=0o600)
    db = Database(make_engine(url))
    try:
        with db.read_connection() as conn, conn.begin():
            revision = current_revision(conn)
        if revision != SCHEMA_HEAD:
            _bring_up_to_date(db, upgrade, location)
    except (DatabaseError, OperationalError) as exc:
        db.dispose()
        raise _open_error(exc, location) from None
    except SchemaError:
        db.dispose()
        raise
    return db


def upgrade_location(location: str | Path) -> tuple[str | None, str]:
    """Open (or create) the database and bring it to the head revision; returns (from, to)."""
    url = database_url(location)
    probe = Database(make_engine(url))
    try:
        with probe.read_connection() as conn, conn.begin():
            before = current_revision(conn) if inspect(conn).get_table_names() else None
    except (DatabaseError, OperationalError) as exc:
        raise _open_error(exc, location) from None
    finally:
        probe.dispose()
    open_database(location, upgrade=True).dispose()
    return before, SCHEMA_HEAD


def current_revision(conn: Connection) -> str | None:
    """The schema revision stamped in the database, or None for an unversioned one."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _bring_up_to_date(db: Database, upgrade: bool, location: object) -> None:
    """Create or upgrade the schema, in one write transaction."""
    with db.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        raw = conn.connection.driver_connection
        assert raw is not None
        if sqlite:
            # Batch migrations rebuild tables that others refer to; SQLite can only do
            # that with foreign keys off, which takes effect outside a transaction.
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                if not sqlite:  # two desks opening a new database at once: one creates it
                    conn.exec_driver_sql(
                        "SELECT pg_advisory_xact_lock(hashtext('qualdesk schema'))"
                    )
                where = shown_location(str(location))
                _migrate(conn, current_revision(conn), upgrade, where)
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise SchemaError(f"{where}: the upgrade would break references; not applied")
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys = ON")


def _migrate(conn: Connection, revision: str | None, upgrade: bool, location: object) -> None:
    from alembic import command

    if revision == SCHEMA_HEAD:
        return
    config = _alembic_config(conn)
    if revision is None:
        tables = inspect(conn).get_table_names()
        if tables:
            raise SchemaError(
                f"{location} is not a qualdesk database (it has tables such as {tables[0]!r})"
            )
        SQLModel.metadata.create_all(conn)
        command.stamp(config, "head")
        return
    if revision not in _known_revisions(config):
        raise SchemaError(
            f"{location} was written by a newer qualdesk (schema {revision}); "
            "upgrade qualdesk to open it"
        )
    if not upgrade:
        raise SchemaError(
            f"{location} has schema {revision}, this qualdesk needs {SCHEMA_HEAD}: "
            "run `qualdesk db upgrade`"
        )
    command.upgrade(config, "head")


def _alembic_config(conn: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def _known_revisions(config: Any) -> set[str]:
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def known_revisions() -> list[str]:
    """The schema revisions this qualdesk knows, newest first (read from its migrations)."""
    from alembic.script import ScriptDirectory

    return [script.revision for script in ScriptDirectory(str(MIGRATIONS)).walk_revisions()]


def _open_error(exc: Exception, location: str | Path) -> QualdeskError:
    """One line for a database that would not open: a server's answer, or why not."""
    where = shown_location(location)
    return calm_error(exc, where) or SchemaError(f"cannot open {where}: {_reason(exc)}")


def _reason(exc: Exception) -> str:
    message = str(getattr(exc, "orig", exc)) or type(exc).__name__
    if "file is not a database" in message:
        return "it is not a SQLite database file"
    return message.splitlines()[0]
