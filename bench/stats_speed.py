"""How fast the team lead's figures come back over 1,000,000 leads and 5,000,000 touches.

Times `team_figures` (what the dashboard and `qualdesk stats` show) for today,
this week, this month and all time (median and max of several runs after one
warm-up call), against a floor measured in the same run: through the bare
driver (sqlite3, or psycopg on PostgreSQL),
`SELECT rep_id, channel, COUNT(*) FROM touches ... GROUP BY rep_id, channel`
over the same range (over all rows for all time). Prints the floor's query plan
for today's range, so a reader sees it is counted from the covering index
ix_touches_period. Targets: today < 100 ms, all time < 2 s. For a period that
misses its target, every statement the call issued is replayed on the bare
driver and the slowest are printed with their plans.

The leads and reps come from bench/claim_speed.py's builder; the rest is made
here, to look like a year of a desk's work:

- touches spread over the year before the bench's moment (not the 30 days
  bench/claim_speed.py uses), in the order a desk writes them (by started_at),
  each ended 1 to 20 minutes after it started;
- one routing decision per 3 touches over the same days, by the same 8 reps:
  sales 5%, nurture 35%, working 50%, disqualified 10%;
- each lead's first_touch_at is its first touch, and qualified_at is set (to
  that first touch) for the leads in stage sales;
- every timestamp as the desk stores it ('YYYY-MM-DD HH:MM:SS.ffffff'), so range
  boundaries compare exactly as with real data;
- the running totals (rep_touch_totals, rep_lead_totals, touch_pairs) the desk
  keeps with every touch it writes are counted once after the bulk load with
  `rebuild_touch_totals`, timed and printed, not part of the figures.

    .venv/bin/python bench/stats_speed.py [--db postgresql://...] [--leads 1000000]
        [--touches 5000000] [--days 365] [--runs 7] [--runs-all 3] [--rebuild]

The database is built once as a SQLite file in bench/out/ and reused; --rebuild
makes it again. With --db on a PostgreSQL URL the same file is loaded into that
database (bench/pgload.py: made if missing, reused unless --rebuild); the
figures only read, so runs share it.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sqlite3
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "bench"))

import pgload  # noqa: E402
from claim_speed import NOW, build  # noqa: E402
from qualdesk.core.periods import Period, named_period  # noqa: E402
from qualdesk.db.engine import shown_location  # noqa: E402
from qualdesk.db.touchtotals import rebuild_touch_totals  # noqa: E402
from qualdesk.services.desk import open_desk  # noqa: E402
from qualdesk.services.figures.team import team_figures  # noqa: E402

ZONE = "America/New_York"
PERIODS = ("today", "week", "month", "all")
TARGETS = {"today": (0.1, "100 ms"), "all": (2.0, "2 s")}
FLOOR = "SELECT rep_id, channel, COUNT(*) FROM touches{where} GROUP BY rep_id, channel"
# Without ANALYZE statistics SQLite plans the bare all-rows floor on ix_touches_rep_id_started_at,
# which does not hold channel: a table lookup per touch. The same count read from the covering
# index alone is measured too, and the faster of the two is the floor.
COVERED = " INDEXED BY ix_touches_period"
IN_RANGE = " WHERE started_at >= ? AND started_at < ?"


REPS = 8
# Routing decisions: one per DECIDED touches, and the share of each route in percent.
DECIDED = 3
ROUTES = (("sales", 5), ("nurture", 35), ("working", 50), ("disqualified", 10))


def _text(micros: str) -> str:
    """SQL for an instant given in microseconds since the epoch, as the desk stores it."""
    return (
        f"strftime('%Y-%m-%d %H:%M:%S', ({micros}) / 1000000, 'unixepoch') "
        f"|| printf('.%06d', ({micros}) % 1000000)"
    )


def build_year(path: Path, leads: int, touches: int, days: int) -> None:
    """Leads and reps from claim_speed's builder; a year of touches and routing decisions."""
    print(f"building {leads:,} leads (bench/claim_speed.py's builder) …", flush=True)
    with contextlib.redirect_stdout(io.StringIO()):
        build(path, leads, 0, days=days)  # its one touch is replaced below
    now = int(NOW.timestamp()) * 1_000_000
    span = days * 86_400 * 1_000_000
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -1000000")
    db.execute("DELETE FROM touches")
    print(f"building {touches:,} touches over {days} days, in the order a desk writes them …",
          flush=True)  # fmt: skip
    db.execute(
        f"""
        WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {touches}),
        t AS MATERIALIZED (
            SELECT i, {now} - abs(random()) % {span} AS s,
                   60000000 + abs(random()) % 1140000001 AS d FROM k)
        INSERT INTO touches (
            lead_id, rep_id, channel, disposition, notes, started_at, ended_at, inbound)
        SELECT 1 + abs(random()) % {leads}, 1 + abs(random()) % {REPS},
               CASE WHEN i % 10 = 0 THEN 'email' ELSE 'phone' END,
               CASE WHEN i % 10 = 0 THEN NULL WHEN i % 4 = 0 THEN 'connected' ELSE 'no_answer' END,
               '', {_text("s")}, {_text("s + d")}, 0
        FROM t ORDER BY s
        """
    )
    db.commit()
    decisions = touches // DECIDED
    route, bound = "CASE", 0
    for name, share in ROUTES:
        bound += share
        route += f" WHEN roll < {bound} THEN '{name}'"
    route += " END"
    print(f"building {decisions:,} routing decisions …", flush=True)
    db.execute(
        f"""
        WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {decisions}),
        r AS MATERIALIZED (
            SELECT {now} - abs(random()) % {span} AS s, abs(random()) % 100 AS roll FROM k)
        INSERT INTO routing_decisions (
            lead_id, touch_id, rep_id, route, proposed_route, reason, overridden,
            rules_version_id, decided_at)
        SELECT 1 + abs(random()) % {leads}, NULL, 1 + abs(random()) % {REPS}, {route}, {route},
               '', 0, 1, {_text("s")}
        FROM r ORDER BY s
        """
    )
    db.commit()
    hand_off(db)
    print("setting each lead's first touch and, in stage sales, when it was qualified …",
          flush=True)  # fmt: skip
    db.execute("CREATE TEMP TABLE firsts (lead_id INTEGER PRIMARY KEY, at TEXT)")
    db.execute(
        "INSERT INTO temp.firsts SELECT lead_id, min(started_at) FROM touches GROUP BY lead_id"
    )
    # The leads' own timestamps came without microseconds: store them as the desk does.
    full = "CASE WHEN length({0}) = 19 THEN {0} || '.000000' ELSE {0} END"
    db.execute(
        f"""
        UPDATE leads SET
            created_at = {full.format("created_at")}, updated_at = {full.format("updated_at")},
            next_due_at = {full.format("next_due_at")},
            first_touch_at = (SELECT at FROM temp.firsts WHERE lead_id = leads.id),
            qualified_at = CASE WHEN stage = 'sales'
                THEN (SELECT at FROM temp.firsts WHERE lead_id = leads.id) END
        """
    )
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    desk = open_desk(path, clock=lambda: NOW)
    start = time.perf_counter()
    with desk.db.writing() as session:
        rebuild_touch_totals(session)
    desk.close()
    print(f"running totals counted once after the bulk load (rebuild_touch_totals): "
          f"{time.perf_counter() - start:.1f} s, not part of the figures")  # fmt: skip


def hand_off(db: sqlite3.Connection) -> None:
    """Hand every lead routed to sales to them, weekly, with sales' verdicts and outcomes.

    Of the leads handed off, 60% are accepted, 20% rejected and the rest wait
    for a verdict; of the accepted, one in five is won, one lost and one an
    open opportunity, so the figures of sales' side count real rows.
    """
    print("handing the leads routed to sales to them weekly, with verdicts and outcomes …",
          flush=True)  # fmt: skip
    db.executescript(
        """
        CREATE TEMP TABLE sold AS SELECT lead_id, min(decided_at) AS at,
            CAST((julianday(min(decided_at)) - 2440587.5) / 7 AS INTEGER) AS batch
            FROM routing_decisions WHERE route = 'sales' GROUP BY lead_id;
        INSERT INTO export_batches (id, created_at, created_by, file_path, format, profile,
            lead_count, sha256, rules_version_id, destination)
            SELECT batch, max(at), 'lead', '', 'csv', 'plain', count(*), '', 1, 'sales'
            FROM temp.sold GROUP BY batch;
        INSERT INTO handoffs (batch_id, lead_id, handed_off_at, rules_version_id, score, grade)
            SELECT batch, lead_id, at, 1, 45, 'B' FROM temp.sold;
        UPDATE leads SET
            stage = CASE WHEN id % 10 < 6 THEN 'accepted' WHEN id % 10 < 8 THEN 'rejected'
                         ELSE 'handed_off' END,
            handoff_batch_id = (SELECT batch FROM temp.sold WHERE lead_id = leads.id),
            sales_verdict = CASE WHEN id % 10 < 6 THEN 'accepted' WHEN id % 10 < 8
                                 THEN 'rejected' END,
            outcome = CASE WHEN id % 10 < 6 THEN
                CASE id % 5 WHEN 0 THEN 'won' WHEN 1 THEN 'lost' WHEN 2 THEN 'opportunity' END
                END,
            outcome_cents = CASE WHEN id % 10 < 6 AND id % 5 < 3 THEN 1000000 + id % 7 * 250000 END
            WHERE id IN (SELECT lead_id FROM temp.sold);
        INSERT INTO sales_verdicts (lead_id, line, verdict, reason, decided_at, received_at)
            SELECT s.lead_id, 0, l.sales_verdict, '', s.at, s.at FROM temp.sold s
            JOIN leads l ON l.id = s.lead_id WHERE l.sales_verdict IS NOT NULL;
        INSERT INTO sales_outcomes (lead_id, line, outcome, word, amount_cents, received_at)
            SELECT s.lead_id, 0, l.outcome, l.outcome, l.outcome_cents, s.at FROM temp.sold s
            JOIN leads l ON l.id = s.lead_id WHERE l.outcome IS NOT NULL;
        """
    )
    db.commit()


def stored(moment: datetime) -> str:
    """An instant as the desk binds it to SQLite: naive UTC, ISO, with microseconds."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


class Bare:
    """The database through its bare driver (sqlite3 or psycopg), for floors and plans."""

    def __init__(self, location: str | Path) -> None:
        self.sqlite = not pgload.is_postgres(str(location))
        self.engine = "sqlite" if self.sqlite else "postgresql"
        self.driver = "sqlite3" if self.sqlite else "psycopg"
        self.location = location
        self.conn: Any = (
            sqlite3.connect(location)
            if self.sqlite
            else pgload.connect(str(location), autocommit=True)
        )

    def rows(self, sql: str, params: Any = ()) -> list[Any]:
        if not self.sqlite and isinstance(params, tuple | list):
            sql = sql.replace("?", "%s")
        return list(self.conn.execute(sql, params).fetchall())

    def one(self, sql: str, params: Any = ()) -> Any:
        return self.rows(sql, params)[0]

    def bound(self, moment: datetime) -> Any:
        """An instant as the desk binds it: SQLite's text, PostgreSQL's timestamptz."""
        return stored(moment) if self.sqlite else moment

    def plan(self, sql: str, params: Any = ()) -> list[str]:
        if self.sqlite:
            return [row[3] for row in self.rows(f"EXPLAIN QUERY PLAN {sql}", params)]
        return [row[0] for row in self.rows(f"EXPLAIN {sql}", params)]

    def size(self) -> int:
        if self.sqlite:
            files = (Path(f"{self.location}{suffix}") for suffix in ("", "-wal"))
            return sum(file.stat().st_size for file in files if file.exists())
        return int(self.one("SELECT pg_database_size(current_database())")[0])

    def close(self) -> None:
        self.conn.close()


def floor_query(
    bare: Bare, name: str, period: Period, covered: bool = False
) -> tuple[str, tuple[Any, ...]]:
    """The bare GROUP BY over the period's touches (over every row for all time)."""
    if name == "all":
        return FLOOR.format(where=COVERED if covered else ""), ()
    return FLOOR.format(where=IN_RANGE), (bare.bound(period.start), bare.bound(period.end))


def timed(call: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    """Seconds of each of `runs` calls after one warm-up call, and the last result."""
    result = call()
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        seconds.append(time.perf_counter() - start)
    return seconds, result


def breakdown(desk: Any, bare: Bare, period: Period, show: int = 3) -> None:
    """Replay every statement one team_figures call issues on the bare driver; the slowest."""
    issued: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        issued.append((statement, parameters if parameters is not None else ()))

    event.listen(desk.db.engine, "before_cursor_execute", record)
    try:
        team_figures(desk, period, ZONE)
    finally:
        event.remove(desk.db.engine, "before_cursor_execute", record)
    spent: dict[str, list[Any]] = defaultdict(lambda: [0.0, 0, ()])
    for statement, parameters in issued:
        if statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            continue
        start = time.perf_counter()
        bare.conn.execute(statement, parameters).fetchall()
        entry = spent[statement]
        entry[0] += time.perf_counter() - start
        entry[1] += 1
        entry[2] = parameters
    total = sum(seconds for seconds, _, _ in spent.values())
    print(f"  {len(issued)} statements replayed on bare {bare.driver}: "
          f"{total * 1000:,.1f} ms in all")  # fmt: skip
    ranked = sorted(spent.items(), key=lambda item: -item[1][0])
    for statement, (seconds, count, parameters) in ranked[:show]:
        text = " ".join(statement.split())
        cut = f"{text[:160]}…" if len(text) > 160 else text
        print(f"  {seconds * 1000:9,.1f} ms  ({count}x)  {cut}")
        for line in bare.plan(statement, parameters):
            print(f"               plan: {line}")


def check_file(path: Path) -> None:
    """Refuse a file an older version of this bench built."""
    db = sqlite3.connect(path)
    sample = db.execute("SELECT started_at FROM touches WHERE id = 1").fetchone()[0]
    decisions = db.execute("SELECT count(*) FROM routing_decisions").fetchone()[0]
    db.close()
    if len(sample) != 26 or not decisions:
        raise SystemExit(f"{path.name} was built by an older bench; run with --rebuild")


def measure(location: str | Path, runs: int, runs_all: int) -> None:
    desk = open_desk(location, clock=lambda: NOW)
    bare = Bare(location)
    sample = bare.one("SELECT started_at FROM touches WHERE id = 1")[0]
    leads = bare.one("SELECT max(id) FROM leads")[0]
    touches = bare.one("SELECT max(id) FROM touches")[0]
    decisions = bare.one("SELECT count(*) FROM routing_decisions")[0]
    print(f"database: {shown_location(location)} on {bare.engine}, {leads:,} leads, "
          f"{touches:,} touches, {decisions:,} routing decisions, "
          f"{bare.size() / 1e9:.2f} GB")  # fmt: skip
    routes = bare.rows(
        "SELECT route, count(*) FROM routing_decisions GROUP BY route ORDER BY count(*)"
    )
    print("routes: " + ", ".join(f"{route} {count / decisions:.0%}" for route, count in routes))
    firsts, qualified = bare.one("SELECT count(first_touch_at), count(qualified_at) FROM leads")
    print(f"leads with a first touch: {firsts:,}; qualified (stage sales): {qualified:,}")
    shown = repr if bare.sqlite else str  # text on SQLite, timestamptz on PostgreSQL
    print(f"now: {NOW:%Y-%m-%d %H:%M} UTC; zone {ZONE}; touches stored as e.g. "
          f"{shown(sample)}, bound as {shown(bare.bound(NOW))}")  # fmt: skip
    today = named_period("today", NOW, ZONE)
    sql, params = floor_query(bare, "today", today)
    in_today = bare.one(f"SELECT COUNT(*) FROM touches{IN_RANGE}", params)[0]
    print(f"today: {today.start.astimezone(UTC):%Y-%m-%d %H:%M} to "
          f"{today.end.astimezone(UTC):%Y-%m-%d %H:%M} UTC, "
          f"{in_today:,} touches in range")  # fmt: skip
    how = (
        "EXPLAIN QUERY PLAN (no ANALYZE statistics)"
        if bare.sqlite
        else "EXPLAIN (statistics from VACUUM ANALYZE after the load)"
    )
    print(f"\nfloor on today's range, {how}:")
    for line in bare.plan(sql, params):
        print(f"  {line}")
    # PostgreSQL has no INDEXED BY: its planner picks the covering index itself, or not.
    for covered, way in ((False, "as written"), (True, "read from the covering index")):
        if covered and not bare.sqlite:
            continue
        sql, params = floor_query(bare, "all", today, covered)
        print(f"floor over every row, {way}:")
        for line in bare.plan(sql, params):
            print(f"  {line}")

    print(f"\n{'period':<8}{'touches':>11}  {'team_figures median':>19} {'max':>10}  "
          f"{'floor median':>12} {'max':>10}  {'ratio':>7}  target")  # fmt: skip
    missed: list[tuple[str, Period]] = []
    notes: list[str] = []
    for name in PERIODS:
        period = named_period(name, NOW, ZONE)
        count = runs_all if name == "all" else runs
        sql, params = floor_query(bare, name, period)
        floor, rows = timed(lambda sql=sql, args=params: bare.rows(sql, args), count)
        if name == "all" and bare.sqlite:
            sql, params = floor_query(bare, name, period, covered=True)
            indexed, _ = timed(lambda sql=sql: bare.rows(sql), count)
            notes.append(
                f"all-time floor as written {_ms(statistics.median(floor)).strip()}, "
                f"read from the covering index {_ms(statistics.median(indexed)).strip()} "
                "(medians); the faster is the floor"
            )
            floor = min(floor, indexed, key=statistics.median)
        ours, figures = timed(lambda period=period: team_figures(desk, period, ZONE), count)
        counted = sum(rep["touches"] for rep in figures.as_json()["reps"])
        floored = sum(row[2] for row in rows)
        mine, base = statistics.median(ours), statistics.median(floor)
        goal = TARGETS.get(name)
        verdict = ""
        if goal is not None:
            within = mine < goal[0]
            verdict = f"< {goal[1]}: {'within' if within else 'OUTSIDE'} target"
            if not within:
                missed.append((name, period))
        check = "" if counted == floored else f"  (floor counted {floored:,}!)"
        print(f"{name:<8}{counted:>11,}  {_ms(mine):>19} {_ms(max(ours)):>10}  "
              f"{_ms(base):>12} {_ms(max(floor)):>10}  "
              f"{mine / base:>6.1f}x  {verdict}{check}")  # fmt: skip
    print(f"\nmedian and max of {runs} runs ({runs_all} for all time) after one warm-up call;")
    print(f"floor: bare {bare.driver} GROUP BY rep_id, channel over the same range "
          "(every row for all time)")  # fmt: skip
    for note in notes:
        print(note)
    for name, period in missed:
        print(f"\n{name} missed its target; where the time goes:")
        breakdown(desk, bare, period)
    bare.close()
    desk.close()


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a PostgreSQL URL to measure on (default: SQLite)")
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--touches", type=int, default=5_000_000)
    parser.add_argument("--days", type=int, default=365, help="days the touches spread over")
    parser.add_argument("--runs", type=int, default=7, help="runs for today, week and month")
    parser.add_argument("--runs-all", type=int, default=3, help="runs for all time")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if args.db is not None and not pgload.is_postgres(args.db):
        raise SystemExit(f"{args.db}: --db takes a PostgreSQL URL (postgresql://...)")
    if args.db is not None:
        pgload.loaded_from(args.db)  # the server answers, before a long build
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"stats-{args.leads}-{args.touches}-{args.days}d.db"
    built = args.rebuild or not path.exists()
    if built:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        start = time.perf_counter()
        partial = path.with_suffix(".building")
        build_year(partial, args.leads, args.touches, args.days)
        partial.replace(path)
        print(f"built in {time.perf_counter() - start:.0f} s")
    check_file(path)
    if args.db is not None:
        pgload.ensure_loaded(path, args.db, rebuild=built)
    year = " (a realistic year of a desk's work)" if args.days == 365 else ""
    routes = ", ".join(f"{name} {share}%" for name, share in ROUTES)
    print(f"touches and routing decisions spread over the {args.days} days before the bench's "
          f"moment{year};\ntouches last 1 to 20 minutes; one routing decision per {DECIDED} "
          f"touches ({routes});\nleads carry their first touch and, in stage sales, when they "
          "were qualified;\ntimestamps stored as the desk stores them; running totals counted "
          "once after the load\n")  # fmt: skip
    measure(path if args.db is None else args.db, args.runs, args.runs_all)


if __name__ == "__main__":
    main()
