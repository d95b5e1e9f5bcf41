"""`qualdesk db copy`: a whole desk moved between engines, every row and every figure kept."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlmodel import SQLModel

from qualdesk.cli import main
from qualdesk.core.errors import QualdeskError
from qualdesk.db.copy import desk_tables, open_source
from qualdesk.db.models import Lead
from qualdesk.services.access import Actor
from qualdesk.services.desk import open_desk
from qualdesk.services.reps import add_rep
from qualdesk.services.upkeep.dbcopy import CopyStep, copy_desk
from tests.conftest import NOW, REPO, FrozenClock

Rows = dict[str, list[tuple[Any, ...]]]


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo desk (touches, answers, hand-offs, verdicts, outcomes, reviews, do-not-call)
    with what the demo leaves out: a second rules version, an edit, a draft being typed."""
    from qualdesk.services.calling.drafts import save_draft
    from qualdesk.services.calling.leads import edit_lead
    from qualdesk.services.calling.queue import claim_lead
    from qualdesk.services.demo import build_demo
    from qualdesk.services.floor import open_session
    from qualdesk.services.intake.dnc import add_number
    from qualdesk.services.reps import find_rep
    from qualdesk.services.resources import data_file
    from qualdesk.services.rules import load_rules

    folder = tmp_path_factory.mktemp("every-kind")
    path = folder / "desk.db"
    build_demo(str(path), clock=FrozenClock(NOW))
    desk = open_desk(path, clock=FrozenClock(NOW))
    try:
        rules = folder / "desk.toml"
        text_of = data_file("desk.toml").read_text(encoding="utf-8")
        rules.write_text(text_of.replace('"Qualification desk"', '"Inside sales"'), "utf-8")
        load_rules(desk, rules, Actor("lee", "lead"))
        with desk.db.reading() as session:
            waiting = session.scalars(
                select(Lead.id).where(Lead.stage == "new").order_by(Lead.id).limit(2)
            ).all()
        edit_lead(
            desk,
            waiting[0],
            {"company": "Renamed Ltd", "ext": "204"},
            by=Actor("lee", "rep"),
            reason="marketing had the old name",
        )
        claim = claim_lead(desk, find_rep(desk, "ana"), waiting[1])
        save_draft(desk, claim, "asked for a call back after the board meets — ✓")
        open_session(desk, find_rep(desk, "ana"), source="terminal", place="desk-3 pid 4242")
        add_number(desk, "+1 646 555 0142", region="US", by="lee", reason="asked, by email")
    finally:
        desk.close()
    return path


@pytest.fixture
def source(every_kind: Path, tmp_path: Path) -> Path:
    """A fresh copy of the desk with every kind of row, for one test to work on."""
    copy = tmp_path / "source.db"
    shutil.copyfile(every_kind, copy)
    return copy


@pytest.fixture
def server(pg_database: str) -> str:
    """An empty database on the PostgreSQL server."""
    from tests import pg

    pg.empty(pg_database)
    return pg_database


def _rows(location: str | Path) -> Rows:
    """Every row of every table, as the desk reads it (moments, booleans, JSON, bytes)."""
    db = open_source(location)
    try:
        with db.engine.connect() as conn:
            rows = {}
            for name in desk_tables():
                table = SQLModel.metadata.tables[name]
                # Sorted here: text keys sort by collation on PostgreSQL, by bytes on SQLite.
                rows[name] = sorted(
                    (tuple(row) for row in conn.execute(select(table))),
                    key=lambda row: tuple(str(value) for value in row),
                )
            return rows
    finally:
        db.dispose()


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out, captured.err


def _figures(capsys: pytest.CaptureFixture[str], location: str | Path) -> Any:
    code, out, err = _cli(
        capsys, "--db", str(location), "stats", "--period", "all", "--zone", "UTC", "--json"
    )
    assert code == 0, err
    return json.loads(out)


@pytest.mark.postgresql
def test_a_desk_goes_to_postgresql_and_back_with_every_row_and_figure(
    source: Path, server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _rows(source)
    assert all(before[name] for name in desk_tables()), [n for n in desk_tables() if not before[n]]

    code, out, err = _cli(capsys, "--db", str(source), "db", "copy", "--to", server)
    assert code == 0, out + err
    assert out.startswith(f"Copied {source} to {server} (schema ")
    assert "Every table's rows agree" in out and "stats --period all --json" in out
    assert _rows(server) == before

    back = tmp_path / "portable.db"
    code, out, err = _cli(capsys, "--db", server, "db", "copy", "--to", str(back), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["ok"] is True and data["target"] == str(back)
    assert {t["table"]: t["target"] for t in data["tables"]} == {
        name: len(rows) for name, rows in before.items()
    }
    assert _rows(back) == before
    with sqlite3.connect(back) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)

    figures = _figures(capsys, source)
    assert _figures(capsys, server) == figures
    assert _figures(capsys, back) == figures


@pytest.mark.postgresql
def test_new_rows_on_the_server_take_ids_past_the_copied_ones(source: Path, server: str) -> None:
    copy_desk(str(source), server)
    desk = open_desk(server, clock=FrozenClock(NOW))
    try:
        dana = add_rep(desk, "dana", "Dana Iyer", "rep", "America/Chicago")
        with desk.db.reading() as session:
            highest = session.execute(
                text("SELECT max(id) FROM reps WHERE id <> :id"), {"id": dana.id}
            ).scalar_one()
    finally:
        desk.close()
    assert dana.id == highest + 1


def test_a_desk_copies_to_a_new_sqlite_file(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "elsewhere.db"
    report = copy_desk(str(source), str(target))
    assert not report.differing and report.rows == sum(len(r) for r in _rows(source).values())
    assert _rows(target) == _rows(source)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    code, out, _ = _cli(capsys, "--db", str(target), "doctor")
    assert code == 0, out


def test_a_target_made_by_db_init_is_empty_enough(
    source: Path, db_location: str | Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from qualdesk.services.desk import create_desk

    create_desk(db_location).close()  # the default rules, nothing else
    report = copy_desk(str(source), str(db_location))
    assert not report.differing
    assert _rows(db_location) == _rows(source)


def test_a_target_that_holds_a_desk_is_refused_and_nothing_is_written(
    source: Path, db_location: str | Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desk = open_desk(db_location, clock=FrozenClock(NOW))
    try:
        add_rep(desk, "zed", "Zed Quinn", "lead", "UTC")
    finally:
        desk.close()
    before = _rows(db_location)
    code, out, err = _cli(capsys, "--db", str(source), "db", "copy", "--to", str(db_location))
    assert (code, out) == (1, "")
    assert err == (
        f"qualdesk: {db_location} already holds a desk (1 rep and rows in 1 other table); copy only into an empty "
        "database; nothing was written\n"
    )
    assert _rows(db_location) == before


def test_a_source_at_an_older_schema_is_refused_before_anything_is_made(
    tmp_path: Path, db_location: str | Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as conn:
        conn.executescript((REPO / "tests" / "data" / "schema_0008.sql").read_text("utf-8"))
    code, out, err = _cli(capsys, "--db", str(old), "db", "copy", "--to", str(db_location))
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    assert f"{old} has schema 0008" in err and "run `qualdesk db upgrade`" in err
    if "://" in str(db_location):
        with open_source(db_location).engine.connect() as conn:
            assert (
                conn.execute(
                    text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
                ).scalar_one()
                == 0
            )
    else:
        assert not Path(db_location).exists()
    with sqlite3.connect(old) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0008",)


def test_the_desk_itself_is_refused_as_its_target(source: Path) -> None:
    with pytest.raises(QualdeskError, match="is the desk being copied"):
        copy_desk(str(source), f"sqlite:///{source}")


@pytest.mark.postgresql
def test_a_row_the_server_cannot_store_leaves_the_target_as_it_was(
    source: Path, server: str
) -> None:
    with sqlite3.connect(source) as conn:  # SQLite keeps a NUL in text; PostgreSQL cannot
        conn.execute("UPDATE touches SET notes = ? WHERE id = 3", ("line\x00cut",))
    with pytest.raises(QualdeskError) as refused:
        copy_desk(str(source), server)
    message = str(refused.value)
    assert message.startswith(f"{server}: copying touches failed (")
    assert message.endswith("; nothing was written")
    assert "\n" not in message
    assert {name: len(rows) for name, rows in _rows(server).items()} == dict.fromkeys(
        desk_tables(), 0
    )


def test_the_copy_reads_one_snapshot_while_a_rep_keeps_working(
    source: Path, db_location: str | Path
) -> None:
    steps: list[CopyStep] = []
    working = open_desk(source, clock=FrozenClock(NOW))

    def progress(step: CopyStep) -> None:
        if not steps:  # a rep joins once the copy has begun
            add_rep(working, "late", "Late Comer", "rep", "UTC")
        steps.append(step)

    try:
        report = copy_desk(str(source), str(db_location), progress=progress, batch=100)
    finally:
        working.close()
    counts = {c.table: (c.source, c.target) for c in report.tables}
    assert counts["reps"] == (4, 4)
    assert not report.differing
    leads = [s for s in steps if s.table == "leads"]
    assert [s.done for s in leads] == [0, 100, 200, counts["leads"][0]]
    assert {s.desk_rows for s in steps} == {report.rows}


def test_progress_lines_name_each_table_when_stderr_is_not_a_terminal(
    source: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from qualdesk.cli import maintenance

    monkeypatch.setattr(maintenance, "PROGRESS_FROM_ROWS", 0)
    code, _, err = _cli(capsys, "--db", str(source), "db", "copy", "--to", str(tmp_path / "c.db"))
    assert code == 0
    lines = err.splitlines()
    assert [line.split()[0] for line in lines] == desk_tables()
    assert "\r" not in err
    touches = next(line for line in lines if line.split()[0] == "touches")
    assert touches.split()[1] == touches.split()[3]  # done / total


def test_a_source_server_that_does_not_answer_is_one_line_and_nothing_is_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql://desk:s3cret-word@127.0.0.1:9/qualdesk"  # nothing listens on port 9
    for args in (
        ("db", "copy", "--to", str(tmp_path / "c.db")),
        ("backup", str(tmp_path / "b.db")),
    ):
        code, out, err = _cli(capsys, "--db", url, *args)
        assert (code, out) == (75, "")
        assert err.startswith("qualdesk: postgresql://desk:***@127.0.0.1:9/qualdesk: ")
        assert err.count("\n") == 1 and "s3cret-word" not in err
    assert list(tmp_path.iterdir()) == []
