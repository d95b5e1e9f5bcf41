"""How fast the desk claims the next lead with 1,000,000 leads and 5,000,000 touches.

Prints the claim statement's query plan, its latency (p50/p95/p99) against
a floor measured in the same run (a primary-key read over the same
connection, in the same transaction), the whole claim service call, and,
with Pilot, how long a key press takes to end a call, claim the next lead
and paint its card (median of many).

    .venv/bin/python bench/claim_speed.py [--db postgresql://...] [--leads 1000000]
        [--touches 5000000] [--claims 2000] [--presses 60] [--rebuild]

The desk is built once as a SQLite file in bench/out/ and reused; --rebuild
makes it again. Each run works on a copy of it, so every run starts from the
same desk. With --db on a PostgreSQL URL the same file is loaded into that
database (bench/pgload.py: made if missing, reused unless --rebuild), and each
run works on a copy of the database made from it as a template (NAME_run).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"

sys.path.insert(0, str(ROOT / "bench"))

import pgload  # noqa: E402
from qualdesk.core.phones import normalise_phone  # noqa: E402
from qualdesk.core.queue import BROUGHT_FORWARD  # noqa: E402
from qualdesk.db import claims  # noqa: E402
from qualdesk.db.engine import shown_location  # noqa: E402
from qualdesk.db.schema import open_database  # noqa: E402
from qualdesk.services.calling.queue import claim_next, hours_classes, release  # noqa: E402
from qualdesk.services.desk import open_desk  # noqa: E402
from qualdesk.services.reps import add_rep, find_rep  # noqa: E402

# A weekday afternoon in Europe, morning in the Americas: most zones are open.
NOW = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
SAMPLE_PHONES = [
    "+1 212 555 0100", "+1 305 555 0100", "+1 312 555 0100", "+1 415 555 0100",
    "+1 512 555 0100", "+1 617 555 0100", "+1 702 555 0100", "+1 808 555 0100",
    "+1 907 555 0100", "+1 208 555 0100", "+1 605 555 0100", "+1 800 555 0199",
    "+1 416 555 0100", "+1 514 555 0100", "+1 604 555 0100", "+1 403 555 0100",
    "+44 20 7946 0958", "+44 161 496 0000", "+49 30 1234567", "+33 1 23 45 67 89",
    "+31 20 123 4567", "+61 2 9374 4000", "+61 8 9123 4567", "+353 1 234 5678",
    "+34 91 123 4567", "+39 06 1234 5678", "+46 8 123 456 78", "+81 3 1234 5678",
    "+65 6123 4567", "+91 22 2770 1234", "+881612345678",
]  # fmt: skip


def build(path: Path, leads: int, touches: int, *, days: int = 30) -> None:
    """A desk database with `leads` leads in many calling-hours classes and `touches` touches.

    The touches are spread over the `days` days before NOW. Retries of leads short of
    their follow-up target (every A and B lead: one channel; C and D below three calls)
    have their place brought forward, as ending a call sets it.
    """
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    desk = open_desk(path, clock=lambda: NOW)
    for n in range(8):
        add_rep(desk, f"rep{n}", f"Rep {n}", "rep", "America/New_York")
    desk.close()
    classes = []
    for raw in SAMPLE_PHONES:
        phone = normalise_phone(raw, "US")
        classes.append((" ".join(phone.time_zones), phone.jurisdiction, phone.e164[:-4]))
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    db.executemany(
        "INSERT OR IGNORE INTO hours_classes (zones, jurisdiction) VALUES (?, ?)",
        [(zones, place) for zones, place, _ in classes],
    )
    ids = {(z, j): i for i, z, j in db.execute("SELECT id, zones, jurisdiction FROM hours_classes")}
    db.execute("CREATE TEMP TABLE shapes (n INTEGER PRIMARY KEY, class_id, zones, place, prefix)")
    db.executemany(
        "INSERT INTO shapes VALUES (?, ?, ?, ?, ?)",
        [(n, ids[(z, j)], z, j, p) for n, (z, j, p) in enumerate(classes)],
    )
    now = NOW.replace(tzinfo=None).isoformat(sep=" ")
    epoch = int(NOW.timestamp())
    print(f"building {leads:,} leads …", flush=True)
    db.execute(
        f"""
        WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {leads}),
        r AS MATERIALIZED (
            SELECT i, abs(random()) % 100 AS roll, abs(random()) % {len(classes)} AS shape,
                     abs(random()) % 4 AS g, abs(random()) % 1209600 AS spread FROM k)
        INSERT INTO leads (
            created_at, updated_at, name, first_name, last_name, company, title, email,
            phone_raw, phone_e164, match_key, region, jurisdiction, time_zones, hours_class_id,
            source, campaign, industry, company_size, extra, shares_phone, stage, stage_reason,
            callback_owner_only, next_due_at, queue_bucket, queue_order, attempts, score, grade,
            sales_reason, touch_count, touch_channels)
        SELECT
            datetime('{now}', '-' || (spread % 864000) || ' seconds'), '{now}',
            'Lead ' || i, 'Lead', '' || i, 'Company ' || (i % 50000), '',
            'lead' || i || '@x.example',
            s.prefix || printf('%04d', i % 10000), s.prefix || printf('%04d', i % 10000),
            'n:lead ' || i, 'US', s.place, s.zones, s.class_id, 'Bench', 'Bench', '', '', '{{}}', 0,
            CASE WHEN roll < 40 THEN 'new' WHEN roll < 70 THEN 'working'
                 WHEN roll < 90 THEN 'nurture' WHEN roll < 95 THEN 'sales' ELSE 'disqualified' END,
            '', 0,
            CASE WHEN roll < 40 THEN '{now}'
                 WHEN roll < 90 THEN datetime('{now}', (spread - 604800) || ' seconds') END,
            CASE WHEN roll < 40 THEN 1 END,
            CASE WHEN roll < 40 THEN -{epoch} + (spread % 864000)
                 WHEN roll < 70 AND 1 + spread % 5 < CASE WHEN g >= 2 THEN 6 ELSE 3 END
                 THEN {epoch} + spread - 604800 - {BROUGHT_FORWARD}
                 ELSE {epoch} + spread - 604800 END,
            CASE WHEN roll < 40 THEN 0 ELSE 1 + spread % 5 END, g * 20, char(65 + 3 - g), '',
            CASE WHEN roll < 40 THEN 0 ELSE 1 + spread % 5 END,
            CASE WHEN roll < 40 THEN '' ELSE 'phone' END
        FROM r JOIN shapes s ON s.n = r.shape
        """
    )
    db.commit()
    print(f"building {touches:,} touches …", flush=True)
    db.execute(
        f"""
        WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {touches})
        INSERT INTO touches (
            lead_id, rep_id, channel, disposition, notes, started_at, ended_at, inbound)
        SELECT 1 + abs(random()) % {leads}, 1 + abs(random()) % 8,
               CASE WHEN i % 10 = 0 THEN 'email' ELSE 'phone' END,
               CASE WHEN i % 10 = 0 THEN NULL WHEN i % 4 = 0 THEN 'connected' ELSE 'no_answer' END,
               '', datetime('{now}', '-' || (abs(random()) % {days * 86400}) || ' seconds'),
               datetime('{now}', '-' || (abs(random()) % {days * 86400}) || ' seconds'), 0
        FROM k
        """
    )
    db.commit()
    # No ANALYZE: the desk never runs it, so the plans must be right without statistics.
    db.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


# The floor: one lead read by its primary key, in each driver's placeholder style.
PK_READ = {
    "sqlite": "SELECT id, name FROM leads WHERE id = ?",
    "postgresql": "SELECT id, name FROM leads WHERE id = %s",
}


def measure_claims(location: str | Path, count: int, leads: int) -> None:
    desk = open_desk(location, clock=lambda: NOW)
    engine = desk.db.engine_name
    rep = find_rep(desk, "rep0")
    assert rep.id is not None
    # Leads that fell due overnight join the queue a bounded batch per claim; catch up
    # first, as the first claims of a morning do, and report what that costs.
    promoted, rounds, start = 0, 0, time.perf_counter()
    while True:
        with desk.db.writing() as session:
            moved = claims.promote_due(session, NOW)
        promoted, rounds = promoted + moved, rounds + 1
        if not moved:
            break
    took = time.perf_counter() - start
    print(f"\ncatching up: {promoted:,} due leads joined the queue in {rounds - 1:,} batches, "
          f"{took / max(rounds - 1, 1) * 1000:.1f} ms a batch")  # fmt: skip
    how = (
        "EXPLAIN QUERY PLAN (no ANALYZE statistics)"
        if engine == "sqlite"
        else "EXPLAIN (statistics from VACUUM ANALYZE after the load)"
    )
    with desk.db.writing() as session:
        in_force = desk.rules(session)
        known = hours_classes(desk, session)
        classes = known.callable_now(in_force.rules.calling_hours, in_force.version, NOW)
        print(f"\nclaim statement on {engine}, {how}:")
        for line in claims.claim_plan(session, classes):
            print(f"  {line}")
        print("moving due leads into the queue:")
        for line in claims.promote_plan(session):
            print(f"  {line}")
    print(f"\n{len(classes)} of {len(known.rows)} calling-hours classes "
          "callable at the bench's moment")  # fmt: skip
    statement, floor, service = [], [], []
    for n in range(count):
        lead_id = random.randint(1, leads)
        with desk.db.writing() as session:
            # The floor runs on the claim's own connection, in its transaction, once that
            # has begun (psycopg sends BEGIN with a transaction's first statement).
            cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            cursor.execute("SELECT 1")
            cursor.fetchone()
            start = time.perf_counter()
            cursor.execute(PK_READ[engine], (lead_id,))
            cursor.fetchone()
            floor.append(time.perf_counter() - start)
            cursor.close()
            start = time.perf_counter()
            claimed = claims.claim_next(
                session, rep.id, secrets.token_hex(8), NOW, NOW + timedelta(minutes=10), classes
            )
            statement.append(time.perf_counter() - start)
            if claimed is None:
                break
        if n % 4 == 0:
            start = time.perf_counter()
            claim = claim_next(desk, rep)
            service.append(time.perf_counter() - start)
            if claim is not None:
                release(desk, claim)
    desk.close()

    def line(label: str, values: list[float]) -> str:
        p50, p95, p99 = (percentile(values, q) * 1000 for q in (0.5, 0.95, 0.99))
        return f"{label:<34}p50 {p50:7.3f} ms   p95 {p95:7.3f} ms   p99 {p99:7.3f} ms"

    print(f"\n{len(statement):,} claims on {engine} ({shown_location(location)}):")
    print(line("floor: primary-key read", floor))
    print(line("claim statement (UPDATE…RETURNING)", statement))
    print(line("claim_next service (whole txn)", service))
    ratio = percentile(statement, 0.99) / percentile(floor, 0.99)
    verdict = "within" if percentile(statement, 0.99) < 0.005 else "OUTSIDE"
    print(f"claim p99 is {ratio:.1f}x the floor's p99; target p99 < 5 ms: {verdict} target")


async def measure_presses(location: str | Path, presses: int) -> None:
    """Key press to painted card, timed inside the app (Pilot's own waits are not counted)."""
    from qualdesk.tui.app import create_app
    from qualdesk.tui.screens.desk import DeskScreen

    marks: list[float] = []
    paint = DeskScreen._paint
    leave = DeskScreen.action_back

    def painted(screen: DeskScreen) -> None:
        paint(screen)
        marks.append(time.perf_counter())

    def noticed(screen: DeskScreen) -> None:
        leave(screen)
        marks.append(time.perf_counter())

    DeskScreen._paint = painted  # type: ignore[method-assign]
    DeskScreen.action_back = noticed  # type: ignore[method-assign]
    desk = open_desk(location, clock=lambda: NOW)
    app = create_app(desk, rep="rep1")
    cards, floors = [], []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        while app.screen.claim is None:  # type: ignore[attr-defined]
            await asyncio.sleep(0.001)
        await pilot.pause()
        for _ in range(presses):
            before = app.screen.claim.lead_id  # type: ignore[attr-defined]
            app.screen.query_one("#desk-notes").focus()
            await pilot.pause()
            marks.clear()
            start = time.perf_counter()
            await pilot.press("escape")
            await pilot.pause()
            floors.append(marks[0] - start)
            await pilot.press("a")
            await pilot.pause()
            marks.clear()
            start = time.perf_counter()
            await pilot.press("enter")
            while not marks:  # the desk's work runs on its own thread: wait for the paint
                await asyncio.sleep(0.001)
            await pilot.pause()
            cards.append(marks[0] - start)
            after = app.screen.claim  # type: ignore[attr-defined]
            assert after is not None and after.lead_id != before
    desk.close()
    DeskScreen._paint = paint  # type: ignore[method-assign]
    DeskScreen.action_back = leave  # type: ignore[method-assign]
    median = statistics.median(cards) * 1000
    floor = statistics.median(floors) * 1000
    print(f"\nPilot, {presses} calls ended with 'a' then Enter (timed from the key press to")
    print("the new card painted, inside the app):")
    print(f"  floor: a key press handled by the desk (Esc)  median {floor:6.1f} ms")
    print(f"  Enter: end the call, claim, paint next card   median {median:6.1f} ms "
          f"({median / floor:.1f}x the floor); target < 100 ms: "
          f"{'within' if median < 100 else 'OUTSIDE'} target")  # fmt: skip
    print("  keys per lead after a no-answer: 2 (a, Enter)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a PostgreSQL URL to measure on (default: SQLite)")
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--touches", type=int, default=5_000_000)
    parser.add_argument("--claims", type=int, default=2000)
    parser.add_argument("--presses", type=int, default=60)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if args.db is not None and not pgload.is_postgres(args.db):
        raise SystemExit(f"{args.db}: --db takes a PostgreSQL URL (postgresql://...)")
    if args.db is not None:
        pgload.loaded_from(args.db)  # the server answers, before a long build
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"claim-{args.leads}-{args.touches}.db"
    built = args.rebuild or not path.exists()
    if built:
        start = time.perf_counter()
        partial = path.with_suffix(".building")
        build(partial, args.leads, args.touches)
        partial.replace(path)
        print(f"built in {time.perf_counter() - start:.0f} s")
    work: str | Path
    if args.db is None:
        work = OUT / "claim-run.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)
        with sqlite3.connect(path) as source, sqlite3.connect(work) as target:
            source.backup(target)
        open_database(work).dispose()
    else:
        pgload.ensure_loaded(path, args.db, rebuild=built)
        name = pgload.database_name(args.db)
        work = pgload.sibling(args.db, f"{name}_run")
        start = time.perf_counter()
        pgload.make_database(work, template=name)
        print(f"{name}_run made from {name} in {time.perf_counter() - start:.0f} s")
    try:
        measure_claims(work, args.claims, args.leads)
        if args.presses:
            asyncio.run(measure_presses(work, args.presses))
    finally:
        if args.db is None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{work}{suffix}").unlink(missing_ok=True)
        else:
            pgload.drop_database(str(work))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
