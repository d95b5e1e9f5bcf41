"""How fast the desk exports 100,000 qualified leads for sales, against a floor.

Times the whole `export_leads` call (read the buyer profiles, write the file,
store the hand-off batch, move the leads to handed_off) for the plain,
salesforce and hubspot CSV profiles and plain JSON Lines, median of several
runs, each on a fresh copy of the database since an export hands its leads
off. The floor, measured in the same run, is the sqlite3 command-line shell
dumping the same rows as CSV (per lead: its contact columns, touch count,
calls, first and last touch, checklist answers and call notes), or, without
the shell, Python's csv module over the same query. Target: within 2x the floor.

    .venv/bin/python bench/export_speed.py [--leads 100000] [--runs 3] [--rebuild]

The database is built once into bench/out/ and reused; --rebuild makes it again.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "bench"))

from claim_speed import NOW  # noqa: E402
from qualdesk.db.touchtotals import rebuild_touch_totals  # noqa: E402
from qualdesk.services import export  # noqa: E402
from qualdesk.services.access import Actor  # noqa: E402
from qualdesk.services.desk import open_desk  # noqa: E402
from qualdesk.services.handoff.export import export_leads  # noqa: E402
from qualdesk.services.reps import add_rep  # noqa: E402

REPS = 8
RUNS = (("plain", "csv"), ("salesforce", "csv"), ("hubspot", "csv"), ("plain", "jsonl"))
# Criteria of the default rules (data/desk.toml) each lead has an answer to, with a note.
ANSWERS = (
    ("pains", "Manual reconciliation takes two days a month"),
    ("budget", "Budget approved for Q1"),
    ("decision_makers", "CFO decides, IT director advises"),
    ("urgency", "Audit in March"),
    ("vertical", ""),
)
CALLS = 3  # touches per lead; the first went unanswered, the others left a note

# The same information the export writes, one row per qualified lead, oldest qualified first.
FLOOR = """
SELECT l.id AS lead_id, l.first_name, l.last_name, l.name, l.company, l.title, l.email,
       l.phone_e164 AS phone, l.phone_ext, l.source, l.campaign, l.industry, l.company_size,
       l.score, l.grade,
       (SELECT p.handle FROM routing_decisions r JOIN reps p ON p.id = r.rep_id
         WHERE r.lead_id = l.id AND r.route = 'sales' ORDER BY r.id DESC LIMIT 1)
         AS qualified_by,
       l.qualified_at, l.stage_reason AS qualified_because,
       t.touches, t.calls, t.first_touch, t.last_touch,
       (SELECT group_concat(a.criterion || '=' || iif(a.established, 'yes', 'no')
                            || iif(a.note != '', ': ' || a.note, ''), '; ')
          FROM checklist_answers a WHERE a.lead_id = l.id) AS checklist,
       (SELECT group_concat(n.notes, char(10)) FROM (
            SELECT notes FROM touches WHERE lead_id = l.id AND notes != ''
            ORDER BY started_at, id) AS n) AS call_notes,
       l.extra
FROM leads AS l
LEFT JOIN (
    SELECT lead_id, count(*) AS touches, sum(channel = 'phone') AS calls,
           min(started_at) AS first_touch, max(started_at) AS last_touch
    FROM touches GROUP BY lead_id) AS t ON t.lead_id = l.id
WHERE l.stage = 'sales'
ORDER BY l.qualified_at, l.id
"""


def build(path: Path, leads: int) -> None:
    """A desk database whose `leads` leads were all qualified and wait for the export."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    desk = open_desk(path, clock=lambda: NOW)
    for n in range(REPS):
        add_rep(desk, f"rep{n}", f"Rep {n}", "rep", "America/New_York")
    desk.close()
    now = NOW.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    print(f"building {leads:,} qualified leads …", flush=True)
    # Lead i was created up to 30 days ago, called CALLS times an hour apart from a day after,
    # and qualified on its last call.
    db.execute(
        f"""
        WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {leads})
        INSERT INTO leads (
            id, created_at, updated_at, name, first_name, last_name, company, title, email,
            phone_raw, phone_e164, match_key, region, jurisdiction, time_zones, source, campaign,
            industry, company_size, extra, shares_phone, stage, stage_reason, callback_owner_only,
            queue_order, attempts, first_touch_at, last_attempt_at, score, grade, qualified_at,
            owner_id, sales_reason, touch_count, touch_channels)
        SELECT i, created, '{now}', 'Firstname' || i || ' Lastname' || i, 'Firstname' || i,
               'Lastname' || i, 'Company ' || (i % 40000) || ' Ltd', 'Head of Finance',
               'person' || i || '@company' || (i % 40000) || '.example',
               '+1 212 555 ' || printf('%04d', i % 10000), '+1212555' || printf('%04d', i % 10000),
               'n:firstname' || i || ' lastname' || i, 'US', 'US', 'America/New_York',
               CASE i % 3 WHEN 0 THEN 'Webinar' WHEN 1 THEN 'Paid search' ELSE 'Trade show' END,
               'Campaign ' || (i % 12), 'Manufacturing', '250-500', '{{}}', 0, 'sales',
               'Pains confirmed, budget approved, decision makers known', 0, 0, {CALLS},
               datetime(created, '+1 day'), datetime(created, '+1 day', '+{CALLS - 1} hours'),
               70, 'A', datetime(created, '+1 day', '+{CALLS - 1} hours'), 1 + i % {REPS}, '',
               0, ''
        FROM (SELECT i, datetime('{now}', '-' || (2592000 - i % 2419200) || ' seconds') AS created
              FROM k)
        """
    )
    print(f"building {leads * CALLS:,} touches, {leads * len(ANSWERS):,} checklist answers "
          f"and {leads:,} routing decisions …", flush=True)  # fmt: skip
    db.execute(
        f"""
        WITH RECURSIVE c(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM c WHERE n < {CALLS - 1})
        INSERT INTO touches (
            lead_id, rep_id, channel, disposition, notes, started_at, ended_at, inbound)
        SELECT l.id, l.owner_id, 'phone', iif(n = 0, 'no_answer', 'connected'),
               iif(n = 0, '', 'Call ' || n || ' with ' || l.first_name
                   || ': runs month-end close in spreadsheets, wants a demo with the CFO'),
               datetime(l.created_at, '+1 day', '+' || n || ' hours'),
               datetime(l.created_at, '+1 day', '+' || n || ' hours',
                        '+' || (n * 300) || ' seconds'), 0
        FROM leads AS l, c ORDER BY l.id, n
        """
    )
    db.execute("CREATE TEMP TABLE answers (criterion, note)")
    db.executemany("INSERT INTO temp.answers VALUES (?, ?)", ANSWERS)
    db.execute(
        """
        INSERT INTO checklist_answers (
            lead_id, criterion, established, note, rep_id, answered_at, rules_version_id)
        SELECT l.id, a.criterion, 1, a.note, l.owner_id, l.qualified_at, 1
        FROM leads AS l, temp.answers AS a ORDER BY l.id, a.rowid
        """
    )
    db.execute(
        """
        INSERT INTO routing_decisions (
            lead_id, touch_id, rep_id, route, proposed_route, reason, overridden,
            rules_version_id, decided_at)
        SELECT l.id, (SELECT max(id) FROM touches WHERE lead_id = l.id), l.owner_id, 'sales',
               'sales', 'established 5 of 10 criteria, score 70', 0, 1, l.qualified_at
        FROM leads AS l ORDER BY l.id
        """
    )
    db.commit()
    db.close()
    # The touches were written around the desk: count the running totals it keeps with
    # every touch it writes (rep_touch_totals, rep_lead_totals, touch_pairs) once.
    desk = open_desk(path, clock=lambda: NOW)
    start = time.perf_counter()
    with desk.db.writing() as session:
        rebuild_touch_totals(session)
    desk.close()
    print(f"running totals counted once after the bulk load: {time.perf_counter() - start:.1f} s")
    # No ANALYZE: the desk never runs it, so the plans must be right without statistics.
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def fresh_copy(source: Path, target: Path) -> None:
    """A copy of the built database with no WAL beside either file."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    wal = Path(f"{source}-wal")
    if wal.exists() and wal.stat().st_size:
        raise SystemExit(f"{wal} holds pages not in {source.name}; run with --rebuild")
    shutil.copy(source, target)


def sqlite_floor(path: Path, out: Path) -> float:
    """Seconds for the sqlite3 shell to dump the same rows as CSV."""
    start = time.perf_counter()
    with out.open("wb") as stream:
        subprocess.run(["sqlite3", "-csv", "-header", str(path), FLOOR], stdout=stream, check=True)
    return time.perf_counter() - start


def python_floor(path: Path, out: Path) -> float:
    """Seconds for Python's csv module to write the same rows from a sqlite3 query."""
    start = time.perf_counter()
    db = sqlite3.connect(path)
    with out.open("w", encoding="utf-8", newline="") as stream:
        cursor = db.execute(FLOOR)
        writer = csv.writer(stream)
        writer.writerow([column[0] for column in cursor.description])
        writer.writerows(cursor)
    db.close()
    return time.perf_counter() - start


class StatementClock:
    """Seconds an engine spends in its cursors' execute calls (the SQL, not the Python)."""

    def __init__(self, engine: Any) -> None:
        self.seconds = 0.0
        self._began = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_: Any) -> None:
        self._began = time.perf_counter()

    def _after(self, *_: Any) -> None:
        self.seconds += time.perf_counter() - self._began


# The export's stages, as qualdesk.services.handoff.export calls them: read the buyer profiles (SQL
# and Python), write the file (render the rows, hash, compress, fsync, move into place), hand
# the leads off (INSERT handoffs, UPDATE leads). The rest is the batch row and the commit.
STAGES = (("read", "_profiles"), ("write", "write_file"), ("hand off", "_hand_off"))


class StageClock:
    """Seconds spent in each stage of one export call (wraps the module's functions)."""

    def __init__(self) -> None:
        self.seconds = dict.fromkeys([name for name, _ in STAGES], 0.0)
        self._saved = {attr: getattr(export, attr) for _, attr in STAGES}

    def __enter__(self) -> StageClock:
        for name, attr in STAGES:
            setattr(export, attr, self._timed(name, self._saved[attr]))
        return self

    def __exit__(self, *_: Any) -> None:
        for attr, function in self._saved.items():
            setattr(export, attr, function)

    def _timed(self, name: str, function: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start

        return timed


def export_once(
    built: Path, work: Path, out: Path, profile: str, fmt: str, leads: int
) -> tuple[float, float, int, dict[str, float]]:
    """Seconds for one export on a fresh copy of the database, of them in SQL, the file's size,
    and the seconds of each stage."""
    fresh_copy(built, work)
    out.unlink(missing_ok=True)
    desk = open_desk(work, clock=lambda: NOW)
    sql = StatementClock(desk.db.engine)
    with StageClock() as stages:
        start = time.perf_counter()
        result = export_leads(desk, out=out, fmt=fmt, profile=profile, by=Actor("bench", "lead"))
        seconds = time.perf_counter() - start
    desk.close()
    if result.exported != leads:
        raise SystemExit(f"{profile} {fmt}: exported {result.exported:,} of {leads:,} leads")
    size = out.stat().st_size
    out.unlink()
    spent = dict(stages.seconds)
    spent["rest"] = seconds - sum(spent.values())
    return seconds, sql.seconds, size, spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    built = OUT / f"export-{args.leads}.db"
    if args.rebuild or not built.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{built}{suffix}").unlink(missing_ok=True)
        start = time.perf_counter()
        partial = built.with_suffix(".building")
        build(partial, args.leads)
        partial.replace(built)
        print(f"built in {time.perf_counter() - start:.0f} s")
    work = OUT / "export-run.db"
    size = built.stat().st_size / 1e6
    print(f"database: {built.name}, {size:.0f} MB: {args.leads:,} qualified leads, each with "
          f"{CALLS} touches ({CALLS - 1} with a call note), {len(ANSWERS)} checklist answers "
          "and a routing decision")  # fmt: skip

    if shutil.which("sqlite3"):
        floor_name, floor = "floor: sqlite3 -csv shell dump", sqlite_floor
        version = subprocess.run(["sqlite3", "--version"], capture_output=True, text=True)
        print(f"floor: the sqlite3 shell {version.stdout.split()[0]} dumping the same rows as CSV")
    else:
        floor_name, floor = "floor: Python csv over sqlite3", python_floor
        print("floor: no sqlite3 shell on PATH; Python's csv module over the same sqlite3 query")
    fresh_copy(built, work)
    dump = OUT / "export-floor.csv"
    floors = [floor(work, dump) for _ in range(args.runs)]
    floor_size = dump.stat().st_size
    rows = sum(1 for _ in csv.reader(dump.open(encoding="utf-8", newline=""))) - 1
    dump.unlink()

    results = []
    for profile, fmt in RUNS:
        out = OUT / f"export-run.{fmt}"
        runs = [export_once(built, work, out, profile, fmt, args.leads) for _ in range(args.runs)]
        results.append((f"export {profile} {fmt}", [r[0] for r in runs], [r[1] for r in runs],
                        runs[-1][2], [r[3] for r in runs]))  # fmt: skip
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)

    base = statistics.median(floors)
    print(f"\nmedian of {args.runs} runs; each export on a fresh copy of the database; "
          f"the floor wrote {rows:,} rows")  # fmt: skip
    print(f"{'':<32}{'median':>9}{'min':>9}{'max':>9}{'in SQL':>9}{'file':>11}{'ratio':>8}  "
          "target")  # fmt: skip
    print(f"{floor_name:<32}{base:>8.2f}s{min(floors):>8.2f}s{max(floors):>8.2f}s{'':>9}"
          f"{floor_size / 1e6:>8.1f} MB{1:>7.2f}x")  # fmt: skip
    for name, seconds, in_sql, file_size, _ in results:
        mine = statistics.median(seconds)
        ratio = mine / base
        verdict = "within" if ratio <= 2 else "OUTSIDE"
        print(f"{name:<32}{mine:>8.2f}s{min(seconds):>8.2f}s{max(seconds):>8.2f}s"
              f"{statistics.median(in_sql):>8.2f}s{file_size / 1e6:>8.1f} MB{ratio:>7.2f}x  "
              f"within 2x: {verdict} target")  # fmt: skip
    print("in SQL: median seconds inside the cursors' execute calls (the hand-off's INSERT and")
    print("UPDATE, the SELECTs up to their first row); the rest is Python, fetching and commit")
    print(f"leads per second, plain csv: {args.leads / statistics.median(results[0][1]):,.0f}")
    names = [*(name for name, _ in STAGES), "rest"]
    print(f"\nwhere an export's time goes, median seconds per stage:\n{'':<32}"
          + "".join(f"{name:>10}" for name in names))  # fmt: skip
    for name, _, _, _, stages in results:
        medians = (statistics.median(spent[stage] for spent in stages) for stage in names)
        print(f"{name:<32}" + "".join(f"{value:>9.2f}s" for value in medians))
    print("read: the buyer profiles (SQL and Python); write: render the rows, hash, compress,")
    print("write and fsync the file; hand off: INSERT handoffs, UPDATE leads; rest: the batch")
    print("row with the compressed file, the commit, opening the sessions")


if __name__ == "__main__":
    main()
