"""Opening a database: a new one is created and stamped, an old one upgraded or refused.

How the history upgrades each earlier revision is in test_migrations.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

from qualdesk.db.engine import database_url
from qualdesk.db.schema import MIGRATIONS, SCHEMA_HEAD, SchemaError, _alembic_config, open_database


def _schema_differences(location: str | Path) -> list[object]:
    db = open_database(location)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    db.dispose()
    return list(diff)


def _execute(location: str | Path, statement: str) -> object:
    """Run one statement on the database, committed; returns its first value, if any."""
    engine = create_engine(database_url(location))
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement))
            return result.scalar() if result.returns_rows else None
    finally:
        engine.dispose()


def test_head_constant_matches_the_migrations() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_HEAD


def test_a_new_database_is_stamped_and_matches_the_models(db_location: str | Path) -> None:
    open_database(db_location).dispose()
    assert _execute(db_location, "SELECT version_num FROM alembic_version") == SCHEMA_HEAD
    assert _schema_differences(db_location) == []


def test_a_newer_schema_is_refused(db_location: str | Path) -> None:
    open_database(db_location).dispose()
    _execute(db_location, "UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(SchemaError, match="newer qualdesk"):
        open_database(db_location)


def test_an_old_schema_can_be_refused_instead_of_upgraded(db_location: str | Path) -> None:
    engine = create_engine(database_url(db_location))
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
    engine.dispose()
    with pytest.raises(SchemaError, match="qualdesk db upgrade"):
        open_database(db_location, upgrade=False)
    assert _execute(db_location, "SELECT version_num FROM alembic_version") == "0001"


def test_a_database_of_something_else_is_refused(db_location: str | Path) -> None:
    _execute(db_location, "CREATE TABLE contacts (id INTEGER)")
    with pytest.raises(SchemaError, match="not a qualdesk database"):
        open_database(db_location)


def test_other_files_are_refused(tmp_path: Path) -> None:
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello " * 100)
    with pytest.raises(SchemaError, match="not a SQLite database"):
        open_database(text_file)
    with pytest.raises(SchemaError, match="is a folder"):
        open_database(tmp_path)
