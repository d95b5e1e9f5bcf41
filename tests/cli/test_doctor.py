"""`qualdesk doctor`: each finding with its advice, --fix, and files that are no desk at all."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from qualdesk.db.models import Lead
from qualdesk.db.schema import open_database
from qualdesk.services.access import Actor
from qualdesk.services.calling.queue import claim_lead
from qualdesk.services.desk import Desk, open_desk
from qualdesk.services.intake.importer import ImportOptions, import_file
from qualdesk.services.reps import add_rep
from qualdesk.services.resources import data_file
from qualdesk.services.rules import load_rules
from qualdesk.services.upkeep.health import CHECKS, SERVER_CHECKS, schema_revisions
from tests.cli.conftest import Run
from tests.conftest import NOW, REPO, FrozenClock

FIXTURES = sorted((REPO / "tests" / "data").glob("schema_*.sql"))
OLD_FIXTURES = [f for f in FIXTURES if f.stem.removeprefix("schema_") != schema_revisions()[0]]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo desk per module (it takes a second or two); tests work on copies."""
    from qualdesk.services.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(str(path), clock=FrozenClock(NOW))
    return path


@pytest.fixture
def demo_copy(demo_file: Path, db_path: Path) -> Path:
    shutil.copy(demo_file, db_path)  # with its mode, as a desk file is made
    return db_path


@pytest.fixture
def desk(run: Run, db_location: str | Path, clock: FrozenClock) -> Iterator[Desk]:
    """The desk the commands examine: made by the first command, as `qualdesk db init`
    would, before the test changes it (a desk stamped newer no longer opens)."""
    assert run("db", "upgrade").code == 0
    opened = open_desk(db_location, clock=clock)
    yield opened
    opened.close()


def _checks(result_out: str) -> dict[str, dict[str, str]]:
    data = json.loads(result_out)
    names = [c["name"] for c in data["checks"]]
    assert names == list(SERVER_CHECKS if "://" in data["database"] else CHECKS)
    return {c["name"]: c for c in data["checks"]}


def _import(desk: Desk, tmp_path: Path, rows: str) -> list[int]:
    path = tmp_path / f"leads{len(list(tmp_path.glob('leads*.csv')))}.csv"
    path.write_text("Name,Phone\n" + rows, encoding="utf-8")
    import_file(desk, path, ImportOptions(imported_by="test"))
    with desk.db.reading() as session:
        return [int(lead_id or 0) for lead_id in session.exec(select(Lead.id).order_by(Lead.id))]


def _holders(desk: Desk) -> dict[int, int | None]:
    with desk.db.reading() as session:
        rows = session.exec(select(Lead.id, Lead.claimed_by).order_by(col(Lead.id)))
        return {int(lead_id or 0): holder for lead_id, holder in rows}


def _stamp(desk: Desk, revision: str) -> None:
    with desk.db.writing() as session:
        session.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_demo_desk_is_healthy_and_left_as_it_was(run: Run, demo_copy: Path) -> None:
    before = _digest(demo_copy)
    result = run("doctor")
    assert result.code == 0, result.out + result.err
    assert result.out.startswith(f"Checking {demo_copy}")
    assert "All checks ok." in result.out
    assert len(result.out.splitlines()) == 2 + len(CHECKS)
    as_json = run("doctor", "--json")
    assert as_json.code == 0
    assert json.loads(as_json.out)["ok"] is True
    checks = _checks(as_json.out)
    assert {c["status"] for c in checks.values()} == {"ok"}
    assert checks["schema"]["detail"].startswith(schema_revisions()[0])
    assert "version 1 in force" in checks["rules"]["detail"]
    assert "by qualdesk" in checks["rules"]["detail"]
    assert _digest(demo_copy) == before


@pytest.mark.parametrize("fixture", OLD_FIXTURES, ids=[f.stem for f in OLD_FIXTURES])
def test_an_old_schema_gets_the_upgrade_advice_and_is_not_upgraded(
    run: Run, db_path: Path, fixture: Path
) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.executescript(fixture.read_text(encoding="utf-8"))
    old = fixture.stem.removeprefix("schema_")
    result = run("doctor", "--json")
    assert result.code == 0, result.err  # a warning: the next qualdesk to open it upgrades it
    checks = _checks(result.out)
    assert checks["schema"]["status"] == "warning"
    assert checks["schema"]["detail"].startswith(old)
    assert "qualdesk db upgrade" in checks["schema"]["advice"]
    # The file's own journal mode, not the WAL the desk's engine would set.
    assert checks["journal_mode"]["status"] == "warning"
    assert checks["journal_mode"]["detail"].startswith("delete")
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (old,)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_a_newer_schema_says_to_upgrade_qualdesk(run: Run, desk: Desk) -> None:
    _stamp(desk, "9999")
    result = run("doctor")
    assert result.code == 1
    assert "problem  schema version  9999, newer than any this qualdesk knows" in result.out
    assert "upgrade qualdesk" in result.out
    assert "1 problem to act on" in result.out


def test_an_older_schema_stamp_gets_the_upgrade_advice(run: Run, desk: Desk) -> None:
    older = schema_revisions()[1]
    _stamp(desk, older)
    result = run("doctor", "--json")
    assert result.code == 0, result.err
    schema = _checks(result.out)["schema"]
    assert schema["status"] == "warning" and schema["detail"].startswith(older)
    assert "qualdesk db upgrade" in schema["advice"]


def test_a_stuck_lease_is_found_and_fix_releases_only_it(
    run: Run, desk: Desk, clock: FrozenClock, tmp_path: Path
) -> None:
    ana = add_rep(desk, "ana", "Ana Reyes", "rep", "America/New_York")
    ben = add_rep(desk, "ben", "Ben Okafor", "rep", "Europe/London")
    stuck, live = _import(desk, tmp_path, "New Yorker,+1 212 555 0100\nLondoner,+44 20 7946 0958\n")
    # Real time, since the command reads the system clock: one lease runs for another
    # hour (ben is on the call), the other ran out two hours ago (ana's app died).
    clock.now = datetime.now(UTC) + timedelta(minutes=50)
    claim_lead(desk, ben, live)
    clock.now = datetime.now(UTC) - timedelta(hours=2)
    claim_lead(desk, ana, stuck)

    found = run("doctor")
    assert found.code == 0, found.err
    assert "warning  leases" in found.out
    assert "1 lead held past the lease (ana 1); the oldest ran out" in found.out
    assert "`qualdesk doctor --fix` releases them now" in found.out
    # On PostgreSQL the test server's role is a superuser: the access check warns too.
    warnings = "2 warnings" if "warning  access" in found.out else "1 warning"
    assert f"No problems; {warnings} worth a look." in found.out

    fixed = run("doctor", "--fix", "--json")
    assert fixed.code == 0, fixed.err
    data = json.loads(fixed.out)
    assert data["fixed"] == ["released 1 lead held past the lease (ana 1)"]
    assert _checks(fixed.out)["leases"]["status"] == "ok"
    assert _holders(desk) == {stuck: None, live: ben.id}

    again = run("doctor")
    assert again.code == 0
    assert "no lead held past its lease (1 lead held by reps now)" in again.out


def test_fix_with_nothing_to_fix_changes_nothing(run: Run, demo_copy: Path) -> None:
    before = _digest(demo_copy)
    result = run("doctor", "--fix")
    assert result.code == 0
    assert "Fixed" not in result.out
    assert _digest(demo_copy) == before


def test_a_lead_without_a_time_zone_is_reported_with_the_rules_advice(
    run: Run, desk: Desk, tmp_path: Path
) -> None:
    ids = _import(desk, tmp_path, "Satellite,+881612345678\nNew Yorker,+1 212 555 0100\n")
    result = run("doctor", "--json")
    assert result.code == 0
    zones = _checks(result.out)["time_zones"]
    assert zones["status"] == "warning"
    assert zones["detail"] == f"1 lead on the desk with no usable time zone: #{ids[0]}"
    assert "must confirm" in zones["advice"] and "correct their numbers" in zones["advice"]

    never = tmp_path / "never.toml"
    text = data_file("desk.toml").read_text(encoding="utf-8")
    never.write_text(text.replace('unknown_zone = "confirm"', 'unknown_zone = "never"'))
    load_rules(desk, never, Actor("lee", "lead"))
    result = run("doctor", "--json")
    checks = _checks(result.out)
    assert 'unknown_zone = "never"' in checks["time_zones"]["advice"]
    assert "no rep is offered them" in checks["time_zones"]["advice"]
    assert checks["rules"]["detail"].startswith("version 2 in force")
    assert "by lee from" in checks["rules"]["detail"]


def test_no_rules_loaded_says_how_to_load_them(run: Run, db_path: Path) -> None:
    open_database(db_path).dispose()  # a desk's schema, no rules yet
    result = run("doctor", "--json")
    assert result.code == 0
    rules = _checks(result.out)["rules"]
    assert (rules["status"], rules["detail"]) == ("warning", "no rules loaded")
    assert rules["advice"].startswith("qualdesk rules load FILE")
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM rules_versions").fetchone() == (0,)


def _garbage_in_the_middle(path: Path, table: str = "leads") -> None:
    """Garbage over the root page of a table's tree (not over a blob's overflow pages,
    whose bytes no integrity check can judge)."""
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
        ).fetchone()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size + 8)
        handle.write((bytes(range(256)) * (page_size // 256))[: page_size - 8])


def _truncated(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def _text_file(path: Path) -> None:
    path.write_text("Name,Phone\nAda,+44 20 7946 0958\n", encoding="utf-8")


def _header_overwritten(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.write(b"\xff" * 100)


@pytest.mark.parametrize(
    "damage", [_garbage_in_the_middle, _truncated, _text_file, _header_overwritten],
    ids=["garbage", "truncated", "text", "header"],
)  # fmt: skip
def test_a_damaged_file_is_a_problem_never_a_traceback(
    run: Run, demo_copy: Path, damage: Callable[[Path], None]
) -> None:
    damage(demo_copy)
    result = run("doctor")
    assert result.code == 1
    assert "Traceback" not in result.out + result.err
    assert result.err == ""
    assert "problem  integrity" in result.out
    assert "qualdesk backup" in result.out
    as_json = run("doctor", "--json")
    assert as_json.code == 1
    assert json.loads(as_json.out)["ok"] is False
    assert _checks(as_json.out)["integrity"]["status"] == "problem"


def test_fix_refuses_to_write_to_a_damaged_file(run: Run, demo_copy: Path) -> None:
    conn = sqlite3.connect(demo_copy)
    conn.execute("UPDATE leads SET claimed_by = 1, claim_expires_at = '2020-01-01 00:00:00'")
    conn.commit()
    # Into the file itself: a copy of the page left in the write-ahead log would hide the damage.
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    # The touches' tree, not the leads': the leases can still be read, and are left alone.
    _garbage_in_the_middle(demo_copy, "touches")
    result = run("doctor", "--fix", "--json")
    assert result.code == 1
    data = json.loads(result.out)
    assert data["fixed"] == []
    assert "not released: the database failed its checks" in _checks(result.out)["leases"]["advice"]


def test_a_missing_database_is_one_line_and_is_not_created(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    result = run("doctor", db=missing)
    assert result.code == 1
    assert result.out == ""
    assert result.err.startswith(f"qualdesk: {missing}: no database there")
    assert result.err.count("\n") == 1
    assert not missing.exists()


@pytest.mark.parametrize(
    ("where", "words"),
    [("mysql://desk@db/qualdesk", "not a SQLite file"), ("FOLDER", "is a folder")],
)
def test_not_a_database_file_is_one_line(run: Run, tmp_path: Path, where: str, words: str) -> None:
    result = run("doctor", db=str(tmp_path) if where == "FOLDER" else where)
    assert result.code == 1
    assert result.err.startswith("qualdesk: ") and result.err.count("\n") == 1
    assert words in result.err


def test_a_server_that_does_not_answer_is_a_problem_and_its_password_is_never_shown(
    run: Run,
) -> None:
    # Port 9 (discard) on this machine: nothing listens, the connection is refused at once.
    url = "postgresql://desk:s3cret-word@127.0.0.1:9/qualdesk"
    result = run("doctor", "--json", db=url)
    assert result.code == 1
    assert "s3cret-word" not in result.out + result.err
    data = json.loads(result.out)
    assert data["database"] == "postgresql://desk:***@127.0.0.1:9/qualdesk"
    checks = _checks(result.out)
    assert checks["server"]["status"] == "problem"
    assert checks["server"]["detail"].startswith("cannot connect: ")
    assert "that the server is running" in checks["server"]["advice"]
    assert {checks[name]["status"] for name in CHECKS} == {"skipped"}
    plain = run("doctor", db=url)
    assert plain.out.startswith("Checking postgresql://desk:***@127.0.0.1:9/qualdesk\n")
    assert "problem  server" in plain.out and "s3cret-word" not in plain.out + plain.err


def test_an_empty_file_is_not_a_desk(run: Run, db_path: Path) -> None:
    db_path.touch()
    result = run("doctor", "--json")
    assert result.code == 1
    checks = _checks(result.out)
    assert checks["schema"]["detail"] == "an empty SQLite database, not a desk"
    assert checks["leases"]["status"] == "skipped"
    assert db_path.stat().st_size == 0


def test_the_integrity_check_reports_that_it_is_working(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qualdesk.services.upkeep import health

    monkeypatch.setattr(health, "PROGRESS_STEPS", 1000)
    ticks: list[int] = []
    checkup = health.check_database(demo_copy, progress=lambda: ticks.append(1))
    assert checkup.ok and len(ticks) > 1


def test_a_write_cut_off_mid_transaction_is_rolled_back_not_restored(
    run: Run, demo_copy: Path
) -> None:
    import os
    import signal
    import subprocess
    import sys

    with sqlite3.connect(demo_copy) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")  # as if some other tool had changed it
    writer = subprocess.Popen(
        [sys.executable, "-c", (
            "import sqlite3, sys, time\n"
            f"c = sqlite3.connect({str(demo_copy)!r}, isolation_level=None)\n"
            "c.execute('PRAGMA cache_size = 10')\n"
            "c.execute('BEGIN IMMEDIATE')\n"
            "c.execute('CREATE TABLE scratch (x)')\n"
            "c.executemany('INSERT INTO scratch VALUES (?)', [('x' * 1000,)] * 3000)\n"
            "print('written', flush=True)\n"
            "time.sleep(60)\n"
        )],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    assert writer.stdout is not None and writer.stdout.readline() == b"written\n"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    assert Path(f"{demo_copy}-journal").exists()

    result = run("doctor", "--json", db=demo_copy)
    assert result.code == 1
    integrity = _checks(result.out)["integrity"]
    assert "cannot be checked yet" in integrity["detail"]
    assert "qualdesk db upgrade" in integrity["advice"] and "backup" not in integrity["advice"]
    copy = run("backup", str(demo_copy.parent / "copy.db"), db=demo_copy)
    assert copy.code == 1 and "qualdesk db upgrade" in copy.err
    # As advised: the next ordinary open plays the journal back, and all is well.
    assert run("db", "upgrade", db=demo_copy).code == 0
    assert not Path(f"{demo_copy}-journal").exists()
    after = run("doctor", "--json", db=demo_copy)
    assert after.code == 0 and _checks(after.out)["integrity"]["status"] == "ok"
    with sqlite3.connect(demo_copy) as conn:
        assert not conn.execute("SELECT name FROM sqlite_master WHERE name = 'scratch'").fetchall()


def test_fix_on_a_busy_database_still_reports_and_says_nothing_was_released(
    run: Run, desk: Desk, clock: FrozenClock, tmp_path: Path, db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from qualdesk.db import sqlitefile

    ana = add_rep(desk, "ana", "Ana Reyes", "rep", "America/New_York")
    (stuck,) = _import(desk, tmp_path, "New Yorker,+1 212 555 0100\n")
    clock.now = datetime.now(UTC) - timedelta(hours=2)
    claim_lead(desk, ana, stuck)
    monkeypatch.setattr(sqlitefile, "BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(db_path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # a rep's write under way throughout
        result = run("doctor", "--fix", "--json")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    checks = _checks(result.out)
    assert checks["integrity"]["status"] == "ok"
    assert checks["leases"]["status"] == "warning"
    assert "not released" in checks["leases"]["advice"] and "busy" in checks["leases"]["advice"]
    assert json.loads(result.out)["fixed"] == []
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT claimed_by FROM leads").fetchall() == [(ana.id,)]


def _main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from qualdesk.cli import main

    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out, captured.err


@pytest.fixture
def server_desk(demo_file: Path, pg_database: str, capsys: pytest.CaptureFixture[str]) -> str:
    """The demo desk, copied onto the PostgreSQL server (`qualdesk db copy`)."""
    from tests import pg

    pg.empty(pg_database)
    code, _, err = _main(capsys, "--db", str(demo_file), "db", "copy", "--to", pg_database)
    assert code == 0, err
    return pg_database


@pytest.mark.postgresql
def test_a_demo_desk_on_postgresql_is_healthy_and_the_file_checks_are_skipped(
    server_desk: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _main(capsys, "--db", server_desk, "doctor")
    assert code == 0, out + err
    assert out.startswith(f"Checking {server_desk}\n")
    assert "  ok       server          PostgreSQL 1" in out
    assert "  skipped  integrity       (SQLite only)" in out
    assert "  skipped  journal mode    (SQLite only)" in out
    # The test server's role is a superuser: the one warning (see the access tests below).
    assert out.endswith("No problems; 1 warning worth a look.\n")
    code, out, _ = _main(capsys, "--db", server_desk, "doctor", "--json")
    assert code == 0
    checks = _checks(out)
    assert {name: c["status"] for name, c in checks.items()} == {
        "server": "ok",
        "integrity": "skipped",
        "schema": "ok",
        "journal_mode": "skipped",
        "access": "warning",
        "rules": "ok",
        "leases": "ok",
        "time_zones": "ok",
    }
    assert checks["schema"]["detail"].startswith(schema_revisions()[0])
    assert "version 1 in force" in checks["rules"]["detail"]


@pytest.mark.postgresql
def test_a_server_older_than_13_is_a_problem(
    server_desk: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from qualdesk.db.checkup import DeskServer

    monkeypatch.setattr(DeskServer, "server_version", lambda _self: (120017, "12.17"))
    code, out, _ = _main(capsys, "--db", server_desk, "doctor", "--json")
    assert code == 1
    server = _checks(out)["server"]
    assert (server["status"], server["detail"]) == (
        "problem",
        "PostgreSQL 12.17; qualdesk needs 13 or newer",
    )
    assert "upgrade the server" in server["advice"]


@pytest.mark.postgresql
def test_an_empty_database_on_the_server_is_not_a_desk_and_is_left_empty(
    pg_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests import pg

    pg.empty(pg_database)
    code, out, _ = _main(capsys, "--db", pg_database, "doctor", "--json")
    assert code == 1
    checks = _checks(out)
    assert checks["server"]["status"] == "ok"
    assert (checks["schema"]["status"], checks["schema"]["detail"]) == (
        "problem",
        "an empty database, not a desk",
    )
    assert checks["leases"]["status"] == "skipped"
    code, out, _ = _main(capsys, "--db", pg_database, "doctor", "--json")
    assert _checks(out)["schema"]["detail"] == "an empty database, not a desk"  # none created


def _access(run: Run) -> dict[str, str]:
    result = run("doctor", "--json")
    assert result.code == 0, result.out + result.err  # a warning, never a problem
    return _checks(result.out)["access"]


def _group_name(path: Path) -> str:
    import grp

    return grp.getgrgid(path.stat().st_gid).gr_name


def _owner_name(path: Path) -> str:
    import pwd

    return pwd.getpwuid(path.stat().st_uid).pw_name


unix_only = pytest.mark.skipif(os.name == "nt", reason="file permissions are Unix's")


@unix_only
def test_a_file_only_its_owner_can_write_is_ok(run: Run, demo_copy: Path) -> None:
    demo_copy.chmod(0o600)
    demo_copy.parent.chmod(0o700)
    access = _access(run)
    assert (access["status"], access["detail"]) == (
        "ok",
        f"only its owner, {_owner_name(demo_copy)}, can write it and its folder",
    )
    text = run("doctor")
    assert "  ok       access          only its owner" in text.out
    demo_copy.chmod(0o644)
    access = _access(run)
    assert access["status"] == "warning"
    assert access["detail"].startswith("everyone on this machine can read it (644)")
    assert "chmod o-r" in access["advice"]


@unix_only
def test_a_group_writable_file_is_a_warning_naming_the_group(run: Run, demo_copy: Path) -> None:
    demo_copy.chmod(0o660)
    demo_copy.parent.chmod(0o700)
    access = _access(run)
    assert access["status"] == "warning"
    # The doctor's own reading left -wal and -shm beside the file, made as the file is.
    assert access["detail"].startswith(
        f"others than its owner, {_owner_name(demo_copy)}, can write desk.db (660), "
        f"desk.db-wal (660), desk.db-shm (660) by group {_group_name(demo_copy)} ("
    )
    assert "everyone" not in access["detail"]
    advice = access["advice"]
    assert advice.startswith("everyone who may write them can change the desk")
    assert "chmod 600" in advice and "chmod 660 and 770" in advice and "docs/access.md" in advice
    text = run("doctor")
    assert text.code == 0
    assert "  warning  access          others than its owner" in text.out
    assert "-> everyone who may write them" in text.out
    assert "No problems; 1 warning worth a look." in text.out


@unix_only
def test_a_folder_or_wal_files_everyone_may_write_are_named(run: Run, demo_copy: Path) -> None:
    demo_copy.chmod(0o600)
    folder = demo_copy.parent
    folder.chmod(0o777)
    try:
        access = _access(run)
    finally:
        folder.chmod(0o700)
    assert access["status"] == "warning"
    assert f"can write its folder (777) by group {_group_name(folder)} (" in access["detail"]
    assert access["detail"].endswith(") and everyone on this machine")
    assert access["advice"].startswith("everyone on this machine can change the desk")

    # A rep's qualdesk has the desk open: its -wal and -shm are beside the file.
    holder = sqlite3.connect(demo_copy)
    try:
        holder.execute("PRAGMA journal_mode = WAL")
        holder.execute("UPDATE reps SET name = name")
        holder.commit()
        shm = Path(f"{demo_copy}-shm")
        assert shm.exists()
        Path(f"{demo_copy}-wal").chmod(0o600)
        shm.chmod(0o666)
        access = _access(run)
    finally:
        holder.close()
    assert access["status"] == "warning"
    assert f"can write desk.db-shm (666) by group {_group_name(demo_copy)} (" in access["detail"]
    assert access["detail"].endswith(") and everyone on this machine")
    assert "desk.db (" not in access["detail"] and "desk.db-wal" not in access["detail"]


@pytest.mark.postgresql
def test_a_superuser_role_on_postgresql_is_a_warning(
    server_desk: str, capsys: pytest.CaptureFixture[str]
) -> None:
    user = server_desk.split("://", 1)[1].split("@", 1)[0].split(":", 1)[0]  # postgres
    code, out, _ = _main(capsys, "--db", server_desk, "doctor", "--json")
    assert code == 0
    access = _checks(out)["access"]
    assert access["status"] == "warning"
    assert access["detail"] == (
        f"qualdesk connects as {user}, which is a superuser: it may do anything on the server"
    )
    assert access["advice"].startswith("anyone with this role's password can change or drop")
    assert "`qualdesk db upgrade`" in access["advice"] and "docs/access.md" in access["advice"]
    code, out, _ = _main(capsys, "--db", server_desk, "doctor")
    assert f"  warning  access          qualdesk connects as {user}, which is a superuser" in out


def test_a_new_desk_file_is_its_owners_alone(run: Run, tmp_path: Path) -> None:
    import stat

    made = tmp_path / "new.db"
    assert run("db", "init", str(made), db=None).code == 0
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    wal = made.with_name("new.db-wal")
    assert not wal.exists() or stat.S_IMODE(wal.stat().st_mode) == 0o600
