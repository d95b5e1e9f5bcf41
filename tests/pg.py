"""The PostgreSQL server the tests use: a database per test worker, emptied per test."""

from __future__ import annotations

import os

import pytest


def _connect(url: str) -> object:
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


def unavailable(server: str) -> str | None:
    """Why the server cannot be used, or None when it can."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'qualdesk[postgres]')"
    try:
        _connect(server + "postgres").close()  # type: ignore[attr-defined]
    except Exception as exc:  # any failure to connect means the same to the tests
        return f"no PostgreSQL server at {server} ({str(exc).splitlines()[0]})"
    return None


def fresh_database(server: str, name: str) -> str:
    """Create (again) a database of this name on the server; returns its URL.

    On a machine without the server the test is skipped with one line, except under
    CI (CI=true), where a missing server fails the run.
    """
    why = unavailable(server)
    if why is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL tests cannot run under CI: {why}", pytrace=False)
        pytest.skip(f"PostgreSQL half skipped: {why}")
    conn = _connect(server + "postgres")
    try:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[attr-defined]
    finally:
        conn.close()  # type: ignore[attr-defined]
    return f"postgresql://{server.split('://', 1)[1]}{name}"


def drop_database(server: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    conn = _connect(server + "postgres")
    try:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]
    finally:
        conn.close()  # type: ignore[attr-defined]


def empty(url: str) -> None:
    """Nothing left of the previous test: every table, sequence and type dropped."""
    conn = _connect(url)
    try:
        conn.execute("DROP SCHEMA public CASCADE")  # type: ignore[attr-defined]
        conn.execute("CREATE SCHEMA public")  # type: ignore[attr-defined]
    finally:
        conn.close()  # type: ignore[attr-defined]
