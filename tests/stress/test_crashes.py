"""kill -9 in a loop: reps mid-call, an import and an export mid-file. Nothing committed is lost.

The loops are bounded in count and in time, and the processes are killed at
random moments from a seeded generator, so a failure can be replayed.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import IO

import pytest
from sqlmodel import select

from qualdesk.db.models import Rep
from qualdesk.services.calling.lease import LEASE
from qualdesk.services.calling.queue import claim_next
from qualdesk.services.desk import create_desk, open_desk
from tests.conftest import REPO
from tests.stress.harness import (
    RepProcess,
    answers,
    build_desk,
    claims_logged,
    integrity,
    kill,
    overlapping_claims,
    read_logs,
    rows,
    start_rep,
    touches,
    unreconciled,
)
from tests.stress.rep import MONDAY

KILLS = 12
KILLING_FOR = 15.0  # seconds at most


def test_reps_killed_mid_call_lose_nothing_committed(
    tmp_path: Path, db_location: str | Path
) -> None:
    db = db_location
    handles = build_desk(db, tmp_path, reps=4, leads=2000)
    folder = tmp_path / "logs"
    folder.mkdir()
    rng = random.Random(11)
    epoch = time.time()
    running = {h: start_rep(db, h, folder, epoch, 60, seed) for seed, h in enumerate(handles)}
    kills, seed = 0, len(handles)
    stop_at = time.monotonic() + KILLING_FOR
    while kills < KILLS and time.monotonic() < stop_at:
        handle = rng.choice(handles)
        # Each desk is killed some way into its work: after its next claim, however
        # slow the machine is to start it, then a moment later.
        _wait_for_claim(running[handle], stop_at)
        time.sleep(rng.uniform(0.0, 0.3))
        kill(running[handle])
        kills += 1
        # The same rep signs in again at once: their held lead comes back to them.
        running[handle] = start_rep(db, handle, folder, epoch, 60, seed)
        seed += 1
    time.sleep(0.5)
    for rep in running.values():
        kill(rep)  # and at the end every laptop dies at once
    killed_at = MONDAY + timedelta(seconds=time.time() - epoch)

    logs = read_logs(folder)
    assert logs.errors == [] and logs.busy == []
    assert logs.lost == []  # a dead desk's lead went to no one else, nor was taken from anyone
    assert overlapping_claims(logs) == []
    assert len(logs.ended) > KILLS, "too few calls between the kills to prove anything"
    resumed = [
        (a, b) for a, b in itertools.pairwise(logs.claims)
        if a.lead == b.lead and a.handle == b.handle and not a.ended
    ]  # fmt: skip
    # What came back with a resumed lead is the notes the killed desk last kept (or more).
    for before, after in resumed:
        if after.resumed is None:
            # Killed in turn between taking the lead back and reading its notes.
            assert not after.drafts and after.end is None, after
            continue
        if before.drafts:
            assert after.resumed.startswith(before.drafts[-1]), (before, after)
    assert integrity(db) == "ok"

    phone, email = touches(db)
    logged = {notes: (lead, handle) for handle, lead, notes in logs.ended}
    # Every call a rep saw saved is there; a kill between the commit and the log line
    # can add at most one unlogged call per kill.
    assert logged.items() <= phone.items()
    assert len(phone) - len(logged) <= kills + len(handles)
    assert {tag: lead for _, lead, tag in logs.emails}.items() <= email.items()
    assert set(logs.answers) <= answers(db)
    assert unreconciled(db) == []

    kept = {
        (lead, handle): text
        for lead, handle, text in rows(
            db,
            "SELECT n.lead_id, r.handle, n.text FROM note_drafts n JOIN reps r ON r.id = n.rep_id",
        )
    }
    held = rows(db, "SELECT id, claim_expires_at FROM leads WHERE claimed_by IS NOT NULL")
    # The notes typed on a card whose call never ended are kept as a draft, up to the
    # last word the rep saw kept (or later), unless that rep's call on it ended since.
    # A call counts as ended if the database has it, logged or not (a kill may fall
    # between the commit and the log line).
    saved = {word.split(":", 1)[0] for notes in phone for word in notes.split()}
    ended = {c.tag for c in logs.claims if c.ended or c.tag in saved}
    for claim in logs.claims:
        if claim.tag in ended or not claim.drafts:
            continue
        later_ended = any(
            c.tag in ended and c.lead == claim.lead and c.handle == claim.handle
            and c.start > claim.start
            for c in logs.claims
        )  # fmt: skip
        text = kept.get((claim.lead, claim.handle))
        if later_ended:
            assert text is None
        else:
            assert text is not None, f"the notes of {claim} were lost"
            assert text.strip().startswith(claim.drafts[-1]) or any(
                c.lead == claim.lead and c.handle == claim.handle and c.start > claim.start
                for c in logs.claims
            )
    # Only the leads the last, killed desks held are still held, and only until their
    # leases run out; then the next claim by anyone gives them back to the queue.
    assert 0 < len(held) <= len(handles)
    assert all(
        MONDAY < _utc(expires) <= killed_at + LEASE + timedelta(seconds=5) for _, expires in held
    )
    later = killed_at + LEASE + timedelta(seconds=1)
    desk = open_desk(db, clock=lambda: later, upgrade=False)
    try:
        with desk.db.reading() as session:
            lee = session.exec(select(Rep).where(Rep.handle == "lee")).one()
        claim = claim_next(desk, lee)
        assert claim is not None
    finally:
        desk.close()
    still = rows(db, "SELECT id FROM leads WHERE claimed_by IS NOT NULL")
    assert still == [(claim.lead_id,)]
    # The kills did hit desks holding a lead with notes typed, and their reps got it back.
    assert resumed, "no rep ever got a held lead back: the loop did not test resuming"


def _wait_for_claim(rep: RepProcess, deadline: float) -> None:
    """Until the rep process has claimed a lead since it started (or the deadline)."""
    while (
        claims_logged(rep.log) <= rep.claims_before
        and time.monotonic() < deadline
        and rep.process.poll() is None
    ):
        time.sleep(0.02)


def _line_within(stream: IO[bytes], seconds: float) -> bytes:
    """A line from a child's output, or b"" if none comes in time."""
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(seconds)
    return got[0] if got else b""


def _utc(stored: object) -> object:
    """A moment as read back raw: text on SQLite, an aware datetime on PostgreSQL."""
    from datetime import UTC, datetime

    if isinstance(stored, datetime):
        return stored.astimezone(UTC)
    return datetime.fromisoformat(str(stored)).replace(tzinfo=UTC)


def _children(pid: int) -> list[int]:
    """The processes a process started (its phone helper), read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _import(db: Path, source: Path) -> subprocess.Popen[bytes]:
    if not db.exists():
        create_desk(db).close()
    return subprocess.Popen(
        [sys.executable, "-m", "qualdesk", "--db", str(db), "import", str(source), "--json"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def test_an_import_killed_mid_file_leaves_whole_batches_and_runs_again(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO))
    from tools.leadgen import write_file

    source = tmp_path / "expo.csv"
    write_file(source, 30_000, seed=5)  # over 2 MB: the phone helper process is used
    assert source.stat().st_size > 2_000_000
    reference = tmp_path / "reference.db"
    started = time.monotonic()
    run = _import(reference, source)
    out, err = run.communicate(timeout=120)
    took = time.monotonic() - started
    assert run.returncode == 0, err.decode()
    expected = json.loads(out)
    rejects = Path(expected["rejects_file"])
    rejects.unlink()

    db = tmp_path / "desk.db"
    rng = random.Random(3)
    kills, saw_helper = 0, False
    for _ in range(5):
        run = _import(db, source)
        time.sleep(rng.uniform(0.1, took))
        helpers = _children(run.pid)
        saw_helper = saw_helper or bool(helpers)
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
        kills += run.returncode == -signal.SIGKILL
        # Whatever it had done: the file is sound, and the desk holds no batch or one
        # whole batch with every one of its leads.
        assert integrity(db) == "ok"
        with sqlite3.connect(db) as conn:
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
            # Killed while setting up a new database: none of it, or all of it.
            assert "import_batches" in tables or not tables
            batches = (
                conn.execute("SELECT id, imported FROM import_batches").fetchall()
                if tables else []
            )  # fmt: skip
            leads = conn.execute("SELECT count(*) FROM leads").fetchone()[0] if tables else 0
        assert len(batches) <= 1
        assert (
            leads == (batches[0][1] if batches else 0) == (expected["imported"] if batches else 0)
        )
        assert rejects.exists() == bool(batches)
        # The phone helper does not outlive the import it worked for.
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in helpers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(p) for p in helpers)
        if batches:
            break
    assert kills > 0 and saw_helper
    if not batches:
        # Run again to completion: the same counts as an import never interrupted.
        run = _import(db, source)
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err.decode()
        again = json.loads(out)
        for key in ("rows_read", "imported", "duplicates", "rejected", "blank", "dnc"):
            assert again[key] == expected[key], key
    else:
        # It had committed before the kill: running it again is refused as a repeat.
        run = _import(db, source)
        _, err = run.communicate(timeout=120)
        assert run.returncode != 0 and b"already imported" in err
        assert b"Traceback" not in err
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]


async def test_call_notes_survive_a_killed_desk_and_come_back_with_the_lead(
    tmp_path: Path,
) -> None:
    from textual.widgets import TextArea

    from qualdesk.tui.app import create_app
    from qualdesk.tui.screens.desk import DeskScreen
    from qualdesk.tui.screens.forms import ConfirmDialog

    db = tmp_path / "desk.db"
    build_desk(db, tmp_path, reps=2, leads=20)
    notes = "spoke to ops manager wants pricing"
    epoch = time.time()
    desk_process = subprocess.Popen(
        [sys.executable, "-m", "tests.stress.tui_rep", str(db), "rep0", notes,
         "--epoch", repr(epoch)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert desk_process.stdout is not None
        lead_id = int(_line_within(desk_process.stdout, 60) or 0)
        assert lead_id, desk_process.stderr.read().decode() if desk_process.stderr else ""
        # Kept as they type: the whole note is in the database within seconds.
        deadline = time.monotonic() + 20
        kept = None
        while kept != notes and time.monotonic() < deadline:
            time.sleep(0.1)
            with sqlite3.connect(db) as conn:
                row = conn.execute("SELECT text FROM note_drafts WHERE lead_id = ?", (lead_id,))
                kept = (row.fetchone() or [None])[0]
        assert kept == notes
    finally:
        desk_process.kill()
        desk_process.wait(timeout=30)

    later = MONDAY + timedelta(seconds=time.time() - epoch + 60)
    desk = open_desk(db, clock=lambda: later, upgrade=False)
    try:
        # Another rep is not offered the lead the dead desk still holds.
        ben = create_app(desk, rep="rep1")
        async with ben.run_test(size=(120, 40)) as pilot:
            await pilot.press("n")
            await _settled(pilot)
            assert isinstance(ben.screen, DeskScreen) and ben.screen.card is not None
            assert ben.screen.card.lead.id != lead_id
            assert ben.screen.query_one("#desk-notes", TextArea).text == ""
        # The rep signs in again: asked, they take the lead back, notes as they typed them.
        app = create_app(desk, rep="rep0")
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await pilot.press("n")
            await _settled(pilot)
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("enter")
            await _settled(pilot)
            assert isinstance(app.screen, DeskScreen) and app.screen.card is not None
            assert app.screen.card.lead.id == lead_id
            assert app.screen.query_one("#desk-notes", TextArea).text == notes
            said = " ".join(n.message for n in app._notifications)
            assert "your other desk left" in said and "kept as a draft, are back" in said
            # The call ends with those notes; the draft goes with it.
            await pilot.press("a")
            await _settled(pilot)
            await pilot.press("enter")
            await _settled(pilot)
    finally:
        desk.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute(
            "SELECT notes FROM touches WHERE lead_id = ? AND channel = 'phone'", (lead_id,)
        ).fetchall() == [(notes,)]
        assert conn.execute("SELECT count(*) FROM note_drafts").fetchone() == (0,)


async def _settled(pilot: object) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_a_closed_terminal_keeps_every_word_and_gives_the_lead_back(
    tmp_path: Path, signum: int
) -> None:
    db = tmp_path / "desk.db"
    build_desk(db, tmp_path, reps=1, leads=5)
    notes = "typed just before the window closed"
    desk_process = subprocess.Popen(
        [sys.executable, "-m", "tests.stress.tui_rep", str(db), "rep0", notes,
         "--epoch", repr(time.time())],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert desk_process.stdout is not None
        lead_id = int(_line_within(desk_process.stdout, 60) or 0)
        assert lead_id
        # At once: the last words are still inside the pause before a draft is kept.
        os.kill(desk_process.pid, signum)
        desk_process.wait(timeout=30)
    finally:
        desk_process.kill()
        desk_process.wait(timeout=30)
    with sqlite3.connect(db) as conn:
        assert conn.execute(
            "SELECT text FROM note_drafts WHERE lead_id = ?", (lead_id,)
        ).fetchall() == [(notes,)]
        assert conn.execute("SELECT claimed_by FROM leads WHERE id = ?", (lead_id,)).fetchone() == (
            None,
        )


def _handing_over(db: Path, leads: int, to: str) -> None:
    """A desk whose leads are all qualified (to sales) or all nurtured, each with a call and notes."""
    build_desk(db, db.parent, reps=1, leads=leads)
    stage = "sales" if to == "sales" else "nurture"
    when = "2026-11-23 15:00:00.000000"
    note = "Spoke with them about the renewal, the budget and who signs; call back next quarter."
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO touches (lead_id, rep_id, channel, disposition, notes, started_at, "
            "ended_at, phone, inbound) SELECT id, 1, 'phone', 'connected', ?, ?, ?, phone_e164, 0 "
            "FROM leads",
            (note, when, when),
        )
        conn.execute(
            "INSERT INTO routing_decisions (lead_id, touch_id, rep_id, route, proposed_route, "
            "reason, overridden, rules_version_id, decided_at) SELECT t.lead_id, t.id, 1, ?, ?, "
            "'decided on the call', 0, 1, ? FROM touches t",
            (stage, stage, when),
        )
        conn.execute(
            "INSERT INTO checklist_answers (lead_id, criterion, established, note, rep_id, "
            "answered_at, rules_version_id) SELECT id, 'pains', 1, ?, 1, ?, 1 FROM leads",
            (note, when),
        )
        conn.execute(
            "UPDATE leads SET stage = ?, stage_reason = 'decided on the call', queue_bucket = NULL, "
            "qualified_at = CASE WHEN ? = 'sales' THEN ? END, "
            "next_due_at = CASE WHEN ? = 'nurture' THEN '2027-02-21 15:00:00.000000' END",
            (stage, stage, when, stage),
        )


def _export(db: Path, out: Path, to: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "qualdesk", "--db", str(db), "export", "--to", to, "--out",
         str(out), "--json"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def _writing(folder: Path, pid: int) -> bool:
    """Whether the export process is writing its file (its partial file is there)."""
    return any(folder.glob(f".handoff.csv.{pid}.*.part"))


def _handed_over(db: Path) -> tuple[list[tuple[int, str]], int, dict[str, int]]:
    """(batches: lead count and SHA-256, leads recorded as sent, leads per stage)."""
    with sqlite3.connect(db) as conn:
        batches = conn.execute("SELECT lead_count, sha256 FROM export_batches").fetchall()
        sent = conn.execute(
            "SELECT (SELECT count(*) FROM handoffs) + (SELECT count(*) FROM nurture_handoffs)"
        ).fetchone()[0]
        stages = dict(conn.execute("SELECT stage, count(*) FROM leads GROUP BY stage").fetchall())
    return batches, sent, stages


@pytest.mark.parametrize("to", ["sales", "nurture"])
def test_an_export_killed_mid_file_hands_over_all_or_nothing_and_runs_again(
    tmp_path: Path, to: str
) -> None:
    leads = 20_000
    db = tmp_path / "desk.db"
    _handing_over(db, leads, to)
    reference = tmp_path / "reference.db"
    shutil.copyfile(db, reference)
    folder = tmp_path / "files"
    folder.mkdir()
    whole = folder / "reference.csv"
    started = time.monotonic()
    run = _export(reference, whole, to)
    out, err = run.communicate(timeout=120)
    took = time.monotonic() - started
    assert run.returncode == 0, err.decode()
    assert json.loads(out)["exported"] == leads
    before = _handed_over(db)[2]
    mark = "handed_off" if to == "sales" else "nurture"

    target = folder / "handoff.csv"
    rng = random.Random(8)
    kills, batches, mid_file = 0, [], 0
    for turn in range(5):
        run = _export(db, target, to)
        if turn % 2 == 0:  # while the file is being written
            deadline = time.monotonic() + 2 * took
            while not _writing(folder, run.pid) and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.05))
        else:
            time.sleep(rng.uniform(0.1, took))
        mid_file += _writing(folder, run.pid)
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
        kills += run.returncode == -signal.SIGKILL
        # Whatever it had done: the file is sound, and holds no batch or one whole batch.
        assert integrity(db) == "ok"
        batches, sent, stages = _handed_over(db)
        assert len(batches) <= 1
        if target.exists():  # a file in place is always the whole file, never a part of it
            assert target.read_bytes() == whole.read_bytes()
        if batches:
            assert batches[0] == (leads, hashlib.sha256(whole.read_bytes()).hexdigest())
            assert sent == leads and target.exists()
            assert stages == ({mark: leads} if to == "sales" else before)
            break
        assert sent == 0 and stages == before
        # Killed between putting the file in place and recording it: nothing was handed
        # over, and the next export writes another file (this one is never overwritten).
        target.unlink(missing_ok=True)
    assert kills > 0 and mid_file > 0
    if not batches:
        run = _export(db, target, to)
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err.decode()
        assert json.loads(out)["exported"] == leads
        assert target.read_bytes() == whole.read_bytes()
    # Once handed over, nothing waits: running it again writes nothing.
    run = _export(db, folder / "again.csv", to)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0 and json.loads(out)["exported"] == 0, err.decode()
    assert not (folder / "again.csv").exists()
    assert _handed_over(db)[1] == leads
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".part")]
