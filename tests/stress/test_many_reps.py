"""Eight reps, eight processes, one desk: no lead called twice, no touch lost.

Each rep is a separate Python process working the shared queue through the
desk's services for a few seconds (bounded by time and by count). Afterwards
the database (a SQLite file, or a PostgreSQL database) is read back and everything the processes saw committed is checked
against it.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from tests.stress.harness import (
    answers,
    build_desk,
    figures_by_rep,
    integrity,
    overlapping_claims,
    read_logs,
    rows,
    start_rep,
    touches,
    unreconciled,
    wait_all,
)

REPS = 8
SECONDS = 6.0


def test_eight_reps_at_once_never_share_a_lead_and_lose_nothing(
    tmp_path: Path, db_location: str | Path
) -> None:
    db = db_location
    handles = build_desk(db, tmp_path, reps=REPS, leads=3000)
    logs_folder = tmp_path / "logs"
    logs_folder.mkdir()
    epoch = time.time()
    reps = [
        start_rep(db, handle, logs_folder, epoch, SECONDS, seed)
        for seed, handle in enumerate(handles)
    ]
    wait_all(reps, limit=SECONDS + 60)
    for rep in reps:
        stderr = rep.errors.read_text(encoding="utf-8", errors="replace")
        assert rep.process.returncode == 0, f"{rep.handle}: {stderr[-2000:]}"
        assert "Traceback" not in stderr and "locked" not in stderr

    logs = read_logs(logs_folder)
    assert logs.errors == []
    assert logs.done == REPS
    # The busy timeout rides out every wait for the write lock: no rep ever saw one.
    assert logs.busy == []
    # Reps claiming at the same moment never wait for one another into an empty queue:
    # the desk holds far more leads than the reps can call in the time.
    assert logs.empty == []
    # No claim was taken from under a rep, and no two reps held a lead at once.
    assert logs.lost == []
    assert overlapping_claims(logs) == []
    calls_made = len(logs.ended)
    assert calls_made >= REPS * 5, "the reps hardly worked: the check would prove little"
    assert all(Counter(handle for handle, _, _ in logs.ended)[h] > 0 for h in handles)

    assert integrity(db) == "ok"
    phone, email = touches(db)
    # Exactly the calls the reps saw saved, each on its lead and by its rep.
    assert {notes: (lead, handle) for handle, lead, notes in logs.ended} == phone
    assert {tag: lead for _, lead, tag in logs.emails} == email
    assert logs.answers and set(logs.answers) <= answers(db)
    assert unreconciled(db) == []
    # No lead is left held: every process ended its call before stopping.
    assert rows(db, "SELECT count(*) FROM leads WHERE claimed_by IS NOT NULL") == [(0,)]
    assert rows(db, "SELECT count(*) FROM note_drafts") == [(0,)]
    # The team figures count what the reps did.
    done = Counter(handle for handle, _, _ in logs.ended)
    mailed = Counter(handle for handle, _, _ in logs.emails)
    assert figures_by_rep(db) == {h: (done[h] + mailed[h], done[h]) for h in done}
