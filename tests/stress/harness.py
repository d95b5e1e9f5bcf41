"""Running rep processes against one desk and checking what they left behind.

The desk is a SQLite file or a PostgreSQL database. Every check reads the real
database afterwards; nothing in the processes is trusted beyond their logs,
which hold only what the database had committed.
"""

from __future__ import annotations

import csv
import itertools
import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from qualdesk.core.periods import named_period
from qualdesk.db.engine import database_url, make_engine
from qualdesk.db.touchtotals import rebuild_touch_totals
from qualdesk.services.desk import open_desk
from qualdesk.services.figures.team import team_figures
from qualdesk.services.intake.importer import ImportOptions, import_file
from qualdesk.services.reps import add_rep
from tests.conftest import REPO
from tests.stress.rep import MONDAY

ZONE = "America/New_York"
Location = str | Path


def rows(db: Location, sql: str) -> list[tuple[Any, ...]]:
    """What a query reads from the desk now, on whichever engine holds it."""
    engine = make_engine(database_url(db))
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def build_desk(db: Location, folder: Path, reps: int, leads: int) -> list[str]:
    """A desk with `reps` reps and `leads` New York leads imported an hour before Monday 10am."""
    desk = open_desk(db, clock=lambda: MONDAY - timedelta(hours=1))
    handles = [f"rep{i}" for i in range(reps)]
    for handle in handles:
        add_rep(desk, handle, handle.title(), "rep", ZONE)
    add_rep(desk, "lee", "Lee Lead", "lead", ZONE)
    source = folder / "leads.csv"
    rng = random.Random(7)
    phones: set[str] = set()
    while len(phones) < leads:
        phones.add(f"+1 212 {rng.randint(200, 999)} {rng.randint(0, 9999):04d}")
    with source.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Name", "Company", "Phone", "Country"])
        for number, phone in enumerate(sorted(phones)):
            out.writerow([f"Person {number}", f"Company {number}", phone, "US"])
    summary = import_file(desk, source, ImportOptions(imported_by="ops"))
    assert summary.imported == leads, summary
    desk.close()
    return handles


@dataclass
class RepProcess:
    """One rep process and its log."""

    handle: str
    log: Path
    process: subprocess.Popen[bytes]
    errors: Path
    claims_before: int = 0  # CLAIM lines in the log when this process started


def start_rep(
    db: Location, handle: str, folder: Path, epoch: float, seconds: float, seed: int
) -> RepProcess:
    log = folder / f"{handle}.log"
    errors = folder / f"{handle}.{seed}.err"
    before = claims_logged(log)
    with errors.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.stress.rep", str(db), handle, str(log),
             "--seconds", str(seconds), "--epoch", repr(epoch), "--seed", str(seed)],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=err,
        )  # fmt: skip
    return RepProcess(handle, log, process, errors, before)


def claims_logged(log: Path) -> int:
    """How many claims a rep's log holds."""
    if not log.exists():
        return 0
    return sum(line.startswith("CLAIM ") for line in log.read_text(encoding="utf-8").splitlines())


def kill(rep: RepProcess) -> None:
    """kill -9: no handler runs, no lead is given back, nothing is flushed but the log's lines."""
    os.kill(rep.process.pid, signal.SIGKILL)
    rep.process.wait(timeout=30)


@dataclass
class Claimed:
    """One claim as the logs tell it."""

    handle: str
    lead: int
    token: str
    start: float
    end: float | None = None
    ended: bool = False
    drafts: list[str] = field(default_factory=list)
    resumed: str | None = None  # the notes that came back with a resumed claim

    @property
    def tag(self) -> str:
        return f"{self.handle}-{self.lead}-{self.token}"


@dataclass
class Logs:
    """Everything the rep processes saw committed."""

    claims: list[Claimed] = field(default_factory=list)
    ended: list[tuple[str, int, str]] = field(default_factory=list)
    emails: list[tuple[str, int, str]] = field(default_factory=list)
    answers: list[tuple[int, str, str]] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)
    # Claims that came back with nothing while the desk still had leads waiting.
    empty: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    done: int = 0


def read_logs(folder: Path) -> Logs:
    logs = Logs()
    for path in sorted(folder.glob("*.log")):
        handle = path.stem
        current: Claimed | None = None
        for line in path.read_text(encoding="utf-8").splitlines():
            kind, _, rest = line.partition(" ")
            if kind == "CLAIM":
                lead, token, start = rest.split()
                current = Claimed(handle, int(lead), token, float(start))
                logs.claims.append(current)
            elif kind == "RESUMED" and current is not None:
                current.resumed = rest.split(" ", 1)[1] if " " in rest else ""
            elif kind == "DRAFT" and current is not None:
                current.drafts.append(rest.split(" ", 1)[1])
            elif kind == "ANSWER":
                lead, key, tag = rest.split(" ", 2)
                logs.answers.append((int(lead), key, tag))
            elif kind == "TOUCH":
                lead, tag = rest.split(" ", 1)
                logs.emails.append((handle, int(lead), tag))
            elif kind == "END" and current is not None:
                current.end = float(rest.split()[1])
            elif kind == "ENDED" and current is not None:
                lead, notes = rest.split(" ", 1)
                current.ended = True
                logs.ended.append((handle, int(lead), notes))
                current = None
            elif kind == "LOST":
                logs.lost.append(f"{handle}: {rest}")
                current = None
            elif kind == "BUSY":
                logs.busy.append(f"{handle}: {rest}")
            elif kind == "EMPTY":
                logs.empty.append(f"{handle}: {rest}")
            elif kind == "ERROR":
                logs.errors.append(f"{handle}: {rest}")
            elif kind == "DONE":
                logs.done += 1
            # A line cut by kill -9 mid-write is the only other thing a log can hold.
    return logs


def overlapping_claims(logs: Logs) -> list[str]:
    """Claims of one lead by two reps at once, from the logs' monotonic times.

    A claim ends when its call starts ending; a claim whose process was killed
    holds on until its lease runs out, unless the same rep's next desk took
    it back (a resumed claim).
    """
    found = []
    by_lead: dict[int, list[Claimed]] = defaultdict(list)
    for claim in logs.claims:
        by_lead[claim.lead].append(claim)
    for lead, claims in by_lead.items():
        claims.sort(key=lambda c: c.start)
        for before, after in itertools.pairwise(claims):
            finished = before.end is not None and before.end <= after.start
            resumed = before.end is None and before.handle == after.handle
            if not (finished or resumed):
                found.append(f"lead {lead}: {before} then {after}")
    return found


def integrity(db: Location) -> str:
    """SQLite's own check of the file; a PostgreSQL server keeps its pages itself."""
    if "://" in str(db):
        return str(rows(db, "SELECT 'ok'")[0][0])
    return str(rows(db, "PRAGMA integrity_check")[0][0])


def touches(db: Location) -> tuple[dict[str, tuple[int, str]], dict[str, int]]:
    """The phone touches by their notes (rep handle, lead), and email touches by tag."""
    phone = {
        notes: (lead, handle)
        for notes, lead, handle in rows(
            db,
            "SELECT t.notes, t.lead_id, r.handle FROM touches t JOIN reps r ON r.id = t.rep_id "
            "WHERE t.channel = 'phone'",
        )
    }
    email = dict(rows(db, "SELECT notes, lead_id FROM touches WHERE channel = 'email'"))
    return phone, email


def answers(db: Location) -> set[tuple[int, str, str]]:
    """Every checklist answer: (lead, criterion, note)."""
    return set(rows(db, "SELECT lead_id, criterion, note FROM checklist_answers"))


def unreconciled(db: Location) -> list[str]:
    """Where the leads, the touches, the routing decisions and the running totals disagree."""
    problems = []

    def one(sql: str) -> Any:
        return rows(db, sql)[0][0]

    calls = one("SELECT count(*) FROM touches WHERE channel = 'phone'")
    decided = one("SELECT count(*) FROM routing_decisions")
    if calls != decided:
        problems.append(f"{calls} calls but {decided} routing decisions")
    orphans = one(
        "SELECT count(*) FROM routing_decisions d LEFT JOIN touches t ON t.id = d.touch_id "
        "WHERE t.id IS NULL OR t.lead_id != d.lead_id OR t.rep_id != d.rep_id"
    )
    if orphans:
        problems.append(f"{orphans} routing decisions without their call")
    # Every worked lead stands where its last routing decision sent it.
    astray = rows(
        db,
        "SELECT l.id, l.stage, d.route FROM leads l JOIN routing_decisions d ON d.id = "
        "(SELECT max(id) FROM routing_decisions WHERE lead_id = l.id) "
        "WHERE l.stage != d.route",
    )
    if astray:
        problems.append(f"leads not where their last call routed them: {astray[:5]}")
    last = one(
        "SELECT count(*) FROM leads l WHERE l.last_attempt_at IS DISTINCT FROM "
        "(SELECT max(ended_at) FROM touches WHERE lead_id = l.id AND channel = 'phone')"
    )
    if last:
        problems.append(f"{last} leads whose last attempt is not their last call")
    drafts_of_ended = one(
        "SELECT count(*) FROM note_drafts n JOIN touches t ON t.lead_id = n.lead_id "
        "AND t.rep_id = n.rep_id AND t.channel = 'phone' AND t.ended_at >= n.saved_at"
    )
    if drafts_of_ended:
        problems.append(f"{drafts_of_ended} drafts outlived the call that saved their notes")
    desk = open_desk(db, upgrade=False)
    try:
        with desk.db.writing() as session:
            query = "SELECT * FROM rep_touch_totals ORDER BY 1, 2, 3"
            kept = session.execute(text(query)).all()
            leads_kept = session.execute(text("SELECT * FROM rep_lead_totals ORDER BY 1, 2")).all()
            rebuild_touch_totals(session)
            if session.execute(text(query)).all() != kept:
                problems.append("the running totals of touches disagree with the touches")
            if session.execute(text("SELECT * FROM rep_lead_totals ORDER BY 1, 2")).all() != (
                leads_kept
            ):
                problems.append("the running totals of leads touched disagree with the touches")
    finally:
        desk.close()
    return problems


def figures_by_rep(db: Location) -> dict[str, tuple[int, int]]:
    """(touches, calls) per rep of all time, as the team view and `qualdesk stats` count them."""
    desk = open_desk(db, clock=lambda: MONDAY + timedelta(days=1), upgrade=False)
    try:
        period = named_period("all", desk.clock(), ZONE)
        reps = team_figures(desk, period, ZONE).as_json()["reps"]
    finally:
        desk.close()
    return {r["rep"]: (r["touches"], r["calls"]) for r in reps if r["touches"]}


def wait_all(reps: list[RepProcess], limit: float) -> None:
    """Wait for every rep process to stop by itself; kill any still going at the limit."""
    deadline = time.monotonic() + limit
    for rep in reps:
        try:
            rep.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            kill(rep)
            raise AssertionError(f"{rep.handle} did not stop by itself") from None
