"""A desk the benches built as a SQLite file, loaded into a PostgreSQL database.

The database is made on the URL's server if it is missing, given the desk's
schema at the head revision (as `open_database` makes it), then filled table
by table in `SQLModel.metadata.sorted_tables` order with psycopg 3's COPY,
rows exactly as the file holds them (ids kept; text moments read as UTC, 0/1
as booleans). The secondary indexes are dropped for the load and made again
after it, foreign keys are not checked row by row (the rows come from a desk
that kept them), every id sequence is set past its table's highest id, and
the database is vacuumed and analysed, as autovacuum leaves a desk that has
run a while: statistics, and a visibility map for index-only scans.

A database records the file it was loaded from (a comment on it), so a bench
reuses it only when it came from the same file.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from qualdesk.db import models  # noqa: F401  (registers the tables)
from qualdesk.db.engine import shown_location
from qualdesk.db.schema import open_database

BATCH = 20_000
_MARK = "qualdesk bench desk loaded from "


class Unreachable(SystemExit):
    """The server cannot be used: one line saying so, never a traceback."""


def is_postgres(location: str | None) -> bool:
    return bool(location) and str(location).split("://", 1)[0].lower().startswith("postgres")


def _libpq(url: str, database: str | None = None) -> str:
    """The URL as psycopg takes it, for the same server and user, on another database if given."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def connect(url: str, database: str | None = None, **options: Any) -> psycopg.Connection[Any]:
    """A psycopg connection to the database of the URL (or another on its server), in UTC.

    Raises:
        Unreachable: the server did not answer or refused; one line naming it.
    """
    try:
        return psycopg.connect(
            _libpq(url, database), connect_timeout=10, options="-c TimeZone=UTC", **options
        )
    except psycopg.OperationalError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        first = first.removeprefix("connection failed: ")
        raise Unreachable(f"{shown_location(url)}: cannot use the server ({first})") from None


def sibling(url: str, name: str) -> str:
    """The URL of another database on the same server, as the user wrote the URL."""
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def database_name(url: str) -> str:
    name = make_url(url).database
    if not name:
        raise SystemExit(f"{shown_location(url)}: the URL names no database")
    return name


def loaded_from(url: str) -> str | None:
    """The file the database was loaded from, or None if it is missing or was never loaded."""
    with connect(url, "postgres", autocommit=True) as server:
        found = server.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            (database_name(url),),
        ).fetchone()
    if found is None or not found[0] or not str(found[0]).startswith(_MARK):
        return None
    return str(found[0]).removeprefix(_MARK)


def make_database(url: str, template: str | None = None) -> None:
    """Create the URL's database afresh (dropped first if there), from a template if given."""
    name = database_name(url)
    with connect(url, "postgres", autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if template is None:
            server.execute(f'CREATE DATABASE "{name}"')
        else:
            # A file copy: no WAL written for every page, as the default strategy does.
            server.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')


def drop_database(url: str) -> None:
    with connect(url, "postgres", autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')


def load(path: Path, url: str, *, quiet: bool = False) -> None:
    """Make the URL's database afresh and fill it with the SQLite desk at `path`."""

    def say(text: str) -> None:
        if not quiet:
            print(text, flush=True)

    started = time.perf_counter()
    make_database(url)
    open_database(url).dispose()  # the schema at the head revision, stamped
    source = sqlite3.connect(path)
    tables = SQLModel.metadata.sorted_tables
    with connect(url) as target:
        target.execute("SET session_replication_role = replica")  # no FK trigger per row
        target.execute("SET maintenance_work_mem = '512MB'")
        names = ", ".join(f'"{table.name}"' for table in tables)
        target.execute(f"TRUNCATE {names} RESTART IDENTITY")  # the default rules' row
        indexes = target.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relname = ANY(%s) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
            ([table.name for table in tables],),
        ).fetchall()
        for index, _ in indexes:
            target.execute(f"DROP INDEX {index}")
        for table in tables:
            have = {row[1] for row in source.execute(f'PRAGMA table_info("{table.name}")')}
            columns = [column.name for column in table.columns if column.name in have]
            if not columns:
                continue
            listed = ", ".join(f'"{name}"' for name in columns)
            start = time.perf_counter()
            rows = source.execute(f'SELECT {listed} FROM "{table.name}"')
            count = 0
            with (
                target.cursor() as cursor,
                cursor.copy(f'COPY "{table.name}" ({listed}) FROM STDIN') as copy,
            ):
                while batch := rows.fetchmany(BATCH):
                    for row in batch:
                        copy.write_row(row)
                    count += len(batch)
            if count >= 100_000:
                say(f"  {table.name}: {count:,} rows in {time.perf_counter() - start:.0f} s")
            column = table.autoincrement_column
            if column is not None:
                target.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                    f'coalesce(max("{column.name}"), 0) + 1, false) FROM "{table.name}"',
                    (table.name, column.name),
                )
        start = time.perf_counter()
        for _, definition in indexes:
            target.execute(definition)
        say(f"  {len(indexes)} indexes made again in {time.perf_counter() - start:.0f} s")
        target.execute(f"COMMENT ON DATABASE \"{database_name(url)}\" IS '{_MARK}{_source(path)}'")
        target.commit()
    source.close()
    start = time.perf_counter()
    with connect(url, autocommit=True) as target:
        target.execute("VACUUM (ANALYZE)")
    say(f"  VACUUM (ANALYZE) in {time.perf_counter() - start:.0f} s")
    with connect(url, autocommit=True) as target:
        size = target.execute("SELECT pg_database_size(current_database())").fetchone()
    gigabytes = (size[0] if size else 0) / 1e9
    say(f"loaded {path.name} into {shown_location(url)} ({gigabytes:.2f} GB) "
        f"in {time.perf_counter() - started:.0f} s")  # fmt: skip


def _source(path: Path) -> str:
    """The file a load came from, as the database records it (rebuilt: another mark)."""
    return f"{path.name}, {int(path.stat().st_mtime)}"


def ensure_loaded(path: Path, url: str, *, rebuild: bool = False) -> None:
    """Load the file into the URL's database unless it already holds this very file."""
    if rebuild or loaded_from(url) != _source(path):
        print(f"loading {path.name} into {shown_location(url)} with COPY …", flush=True)
        load(path, url)
