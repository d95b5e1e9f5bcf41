"""`qualdesk backup`: a consistent, checked, self-contained copy while another process writes."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from qualdesk.cli import main
from qualdesk.core.errors import QualdeskError
from qualdesk.services.calling.queue import claim_next
from qualdesk.services.desk import Desk, open_desk
from qualdesk.services.reps import add_rep
from qualdesk.services.upkeep.backup import back_up
from tests.conftest import NOW, REPO, FrozenClock
from tests.services.conftest import Make

# Another rep's desk, in its own process: claims leads and logs touches through the
# services (each touch with its running totals, in one transaction) until told to stop.
WRITER = """
import sys, time
from pathlib import Path
from typing import Any
from qualdesk.services.calling.calls import log_touch
from qualdesk.services.desk import open_desk
from qualdesk.services.calling.queue import claim_lead
from qualdesk.services.reps import find_rep

db, stop, lead_ids = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3].split(",")
desk = open_desk(db)
ana = find_rep(desk, "ana")
claims = [claim_lead(desk, ana, int(i)) for i in lead_ids]
print("ready", flush=True)
written, deadline = 0, time.monotonic() + 5
while not stop.exists() and time.monotonic() < deadline and written < 20000:
    log_touch(desk, claims[written % len(claims)], ("email", "sms")[written % 2], f"n{written}")
    written += 1
desk.close()
print(written, flush=True)
"""

# The running totals as the desk would count them again from the touches.
TOTALS_FROM_TOUCHES = (
    "SELECT rep_id, channel, coalesce(disposition, ''), count(*) FROM touches "
    "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
)
TOTALS_KEPT = (
    "SELECT rep_id, channel, disposition, touches FROM rep_touch_totals "
    "WHERE touches > 0 ORDER BY 1, 2, 3"
)


@pytest.fixture
def staffed(desk: Desk, make_leads: Make) -> dict[str, int]:
    add_rep(desk, "ana", "Ana Reyes", "rep", "America/New_York")
    add_rep(desk, "ben", "Ben Okafor", "rep", "Europe/London")
    return make_leads("ny:1", "ny:2", "ny:3", "uk")


@pytest.fixture
def writer(db_path: Path, tmp_path: Path, staffed: dict[str, int]) -> Iterator[WriterProcess]:
    ids = ",".join(str(staffed[name]) for name in ("ny:1", "ny:2", "ny:3"))
    process = WriterProcess(db_path, tmp_path / "stop", ids)
    yield process
    process.stop()


class WriterProcess:
    """The writing desk: started, waited for, stopped; bounded in count and time."""

    def __init__(self, db: Path, stop: Path, ids: str) -> None:
        self.stop_file = stop
        self.process = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), str(stop), ids],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
        )  # fmt: skip
        assert self.process.stdout is not None
        first = self.process.stdout.readline().strip()
        assert first == "ready", self.process.stderr.read() if self.process.stderr else first

    def wait_for_touches(self, db: Path, count: int) -> None:
        """Until the writer has written some touches (at most a few seconds)."""
        deadline = time.monotonic() + 5
        with closing(sqlite3.connect(db)) as conn:
            while time.monotonic() < deadline and self.process.poll() is None:
                if conn.execute("SELECT count(*) FROM touches").fetchone()[0] >= count:
                    return
                time.sleep(0.01)

    def stop(self) -> int:
        """Tell it to stop; how many touches it wrote."""
        self.stop_file.touch()
        out, err = self.process.communicate(timeout=30)
        assert self.process.returncode == 0, err
        return int(out.split()[-1])


def _figures(path: Path) -> dict[str, Any]:
    with closing(sqlite3.connect(path)) as conn:
        return {
            "integrity": conn.execute("PRAGMA integrity_check").fetchall(),
            "touches": conn.execute("SELECT count(*) FROM touches").fetchone()[0],
            "recounted": conn.execute(TOTALS_FROM_TOUCHES).fetchall(),
            "kept": conn.execute(TOTALS_KEPT).fetchall(),
            "pairs": conn.execute("SELECT count(*) FROM touch_pairs").fetchone()[0],
            "distinct_pairs": conn.execute(
                "SELECT count(*) FROM (SELECT DISTINCT rep_id, lead_id, channel FROM touches)"
            ).fetchone()[0],
            "orphans": conn.execute("PRAGMA foreign_key_check").fetchall(),
        }


def test_a_backup_while_another_process_writes_is_consistent(
    db_path: Path, tmp_path: Path, writer: WriterProcess
) -> None:
    steps: list[tuple[int, int]] = []
    seen: list[int] = []  # touches in the live database as the copy went on

    def progress(done: int, total: int) -> None:
        steps.append((done, total))
        with closing(sqlite3.connect(db_path)) as conn:
            seen.append(conn.execute("SELECT count(*) FROM touches").fetchone()[0])
        time.sleep(0.005)  # let the writer commit between steps

    writer.wait_for_touches(db_path, 20)
    target = tmp_path / "copy.db"
    report = back_up(str(db_path), target, progress=progress, step_pages=2)
    written = writer.stop()

    # The copy stands alone: nothing beside it, and it is a WAL desk of its own.
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy")) == ["copy.db"]
    assert not list(tmp_path.glob(".copy.db.*"))
    with target.open("rb") as handle:
        header = handle.read(20)
    assert header[18:20] == b"\x02\x02"  # WAL

    assert written > 0
    assert len(steps) > 1 and steps[-1][0] == steps[-1][1]
    # The copy went on while the writer wrote, and never started over.
    assert seen[-1] > seen[0]
    assert [done for done, _ in steps] == sorted(done for done, _ in steps)
    copy = _figures(target)
    assert copy["integrity"] == [("ok",)]
    assert copy["orphans"] == []
    assert 0 < copy["touches"] <= seen[0] <= written  # the desk as it stood when the copy began
    assert copy["kept"] == copy["recounted"]
    assert copy["pairs"] == copy["distinct_pairs"]
    assert report.touches == copy["touches"]
    assert report.leads == 4
    assert report.size == target.stat().st_size
    assert _figures(db_path)["touches"] == written


def test_a_restored_backup_opens_as_the_desk(
    db_path: Path, tmp_path: Path, staffed: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    back_up(str(db_path), tmp_path / "backup.db")
    restored = tmp_path / "elsewhere" / "restored.db"
    restored.parent.mkdir()
    shutil.copy(tmp_path / "backup.db", restored)  # with its mode

    with pytest.raises(SystemExit) as exited:
        main(["--db", str(restored), "doctor"])
    out = capsys.readouterr().out
    assert exited.value.code == 0, out
    assert "All checks ok." in out

    desk = open_desk(restored, clock=FrozenClock(NOW + timedelta(minutes=5)))
    try:
        cleo = add_rep(desk, "cleo", "Cleo Park", "rep", "America/Chicago")
        claim = claim_next(desk, cleo)
        assert claim is not None and claim.lead_id in staffed.values()
    finally:
        desk.close()


def test_a_backup_never_overwrites_a_file_unless_forced(
    db_path: Path, tmp_path: Path, staffed: dict[str, int]
) -> None:
    target = tmp_path / "taken.db"
    target.write_text("keep me", encoding="utf-8")
    with pytest.raises(QualdeskError, match="a file is already there"):
        back_up(str(db_path), target)
    assert target.read_text(encoding="utf-8") == "keep me"
    report = back_up(str(db_path), target, force=True)
    assert report.leads == 4
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_backup_refuses_the_database_itself_and_a_leftover_wal(
    db_path: Path, tmp_path: Path, desk: Desk
) -> None:
    with pytest.raises(QualdeskError, match="the desk's database itself"):
        back_up(str(db_path), db_path, force=True)
    for part in ("-wal", "-shm"):
        live = Path(f"{db_path}{part}")
        before = live.read_bytes() if live.exists() else None
        with pytest.raises(QualdeskError, match="part of the desk's database"):
            back_up(str(db_path), live, force=True)
        assert (live.read_bytes() if live.exists() else None) == before
    # An empty -wal beside the target (a reader such as doctor leaves one) is no obstacle.
    Path(tmp_path / "checked.db-wal").touch()
    back_up(str(db_path), tmp_path / "checked.db")
    (tmp_path / "old.db-wal").write_bytes(b"frames of another database")
    with pytest.raises(QualdeskError, match=r"old\.db-wal is there"):
        back_up(str(db_path), tmp_path / "old.db")
    assert not (tmp_path / "old.db").exists()


def test_a_backup_of_a_damaged_database_leaves_nothing_behind(
    db_path: Path, tmp_path: Path, staffed: dict[str, int]
) -> None:
    size = db_path.stat().st_size
    with db_path.open("r+b") as handle:
        handle.truncate(size // 2)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(QualdeskError, match="nothing written"):
        back_up(str(db_path), out / "copy.db")
    assert list(out.iterdir()) == []


def test_a_backup_of_no_database_creates_none(tmp_path: Path) -> None:
    with pytest.raises(QualdeskError, match="no database there"):
        back_up(str(tmp_path / "none.db"), tmp_path / "copy.db")
    assert list(tmp_path.iterdir()) == []


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out, captured.err


def test_the_backup_command(
    db_path: Path, tmp_path: Path, staffed: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "nightly.db"
    code, out, _ = _cli(capsys, "--db", str(db_path), "backup", str(target), "--json")
    assert code == 0
    data = json.loads(out)
    assert data == {
        "source": str(db_path), "file": str(target), "bytes": target.stat().st_size,
        "schema": data["schema"], "leads": 4, "touches": 0, "integrity": "ok",
    }  # fmt: skip

    code, out, err = _cli(capsys, "--db", str(db_path), "backup", str(target))
    assert (code, out) == (1, "")
    assert (
        err
        == f"qualdesk: {target}: a file is already there; choose another name (or --force to replace it)\n"
    )

    missing = tmp_path / "no" / "such" / "folder" / "copy.db"
    code, out, err = _cli(capsys, "--db", str(db_path), "backup", str(missing))
    assert (code, out) == (1, "")
    assert err == f"qualdesk: {missing}: the folder {missing.parent} does not exist\n"
    assert not missing.parent.exists()

    fresh = tmp_path / "fresh.db"
    code, out, _ = _cli(capsys, "--db", str(db_path), "backup", str(fresh))
    assert code == 0
    assert out.startswith(f"Backed up {db_path} to {fresh}: ")
    assert out.rstrip().endswith("4 leads, 0 touches (integrity checked).")
    # Whoever may open the desk may open its copy.
    assert fresh.stat().st_mode & 0o777 == db_path.stat().st_mode & 0o777


def test_a_backup_on_either_engine_is_a_sqlite_desk_that_opens_on_its_own(
    db_location: str | Path,
    tmp_path: Path,
    staffed: dict[str, int],
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = "://" in str(db_location)
    # A password in the URL is never printed (the test server lets anyone in, so it is ignored).
    source = (
        str(db_location).replace("postgres@", "postgres:hunter2@") if server else str(db_location)
    )
    target = tmp_path / "portable.db"
    code, out, err = _cli(capsys, "--db", source, "backup", str(target))
    assert code == 0, err
    assert "hunter2" not in out + err
    lines = out.splitlines()
    shown = str(db_location).replace("postgres@", "postgres:***@") if server else str(db_location)
    assert lines[0].startswith(f"Backed up {shown} to {target}: ")
    assert lines[0].endswith("4 leads, 0 touches (integrity checked).")
    if server:
        assert lines[1:] == [
            "The copy is a SQLite desk that opens on its own (`qualdesk --db FILE`); "
            "pg_dump remains the server's own backup."
        ]
        assert target.stat().st_mode & 0o777 == 0o600  # no desk file whose mode to follow
    else:
        assert lines[1:] == []
    with closing(sqlite3.connect(target)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM reps").fetchone() == (2,)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("portable")) == [
        "portable.db"
    ]

    code, out, _ = _cli(capsys, "--db", str(target), "doctor")
    assert code == 0 and "All checks ok." in out
    code, _, err = _cli(capsys, "--db", source, "backup", str(target))
    assert code == 1 and "a file is already there" in err
    code, _, err = _cli(capsys, "--db", source, "backup", str(target), "--force", "--json")
    assert code == 0, err

    restored = open_desk(target, clock=FrozenClock(NOW + timedelta(minutes=5)))
    try:
        cleo = add_rep(restored, "cleo", "Cleo Park", "rep", "America/Chicago")
        claim = claim_next(restored, cleo)
        assert claim is not None and claim.lead_id in staffed.values()
    finally:
        restored.close()
