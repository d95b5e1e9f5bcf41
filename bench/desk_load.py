"""Many reps at once, a process each, claiming and calling: throughput, claim latency, and proof.

Builds a desk (20,000 New York leads by default, imported an hour before the
bench's moment, so all are callable; one rep per process), then starts N rep
processes together (`desk_load.py --worker`), each working for S seconds
from a common start: claim the next lead (services.calling.queue.claim_next,
timed), then end the call with a disposition (services.calling.calls.end_call,
which logs the call and routes the lead), as tests/stress/rep.py does without
its drafts and pauses. Each process makes one such call before the start, as a
desk open for a while has (its first claim compiles the statements and reads
the rules); those calls are checked with the others but neither counted nor
timed. The desk's clock runs at real speed from the bench's moment, the same
in every process (the moment the parent starts them).

Each process logs what the database committed: its claims (with when each
began and ended, on the machine's monotonic clock), the calls it saw saved,
and the claims that came back empty. The parent then checks the database:

- double_claims: two claims of one lead that overlapped in time;
- lost_touches: calls a rep saw saved that the database does not hold;
- empty_queue_seen: claims that came back empty while leads were ready.

Prints one line (progress, the machine's load and each process's first claim
go to stderr); with --json exactly one JSON object. A desk of 1,000 reps
claims about 17 times a second (a call a minute each): the line says how
many times that the engine managed.

    .venv/bin/python bench/desk_load.py [--db postgresql://...] [--reps 50]
        [--seconds 20] [--talk 0] [--leads 20000] [--json] [--rebuild]

With --talk S a rep spends S seconds on each call on average (0.5 to 1.5
times S) between the claim and ending it, and is mid-call at the start: the
load a desk offers, rather than reps claiming flat out, which on a small
machine measures its CPUs.

The desk is built once as a SQLite file in bench/out/ (reused; --rebuild
makes it again); each run works on a fresh copy of it, or with --db on a
PostgreSQL database loaded afresh from it (bench/pgload.py).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "bench"))

import pgload  # noqa: E402
from qualdesk.db.engine import shown_location  # noqa: E402

# A Tuesday, 10:30 in New York: every lead of the desk may be called.
NOW = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
ZONE = "America/New_York"
# Mostly calls that leave the lead on the desk, some that route it on.
OUTCOMES = ["no_answer"] * 5 + ["busy", "voicemail", "connected", "not_interested"]
# A desk of 1,000 reps, a call a minute each.
DESK_OF_1000 = 1000 / 60


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# -- the desk ---------------------------------------------------------------------


def build(path: Path, reps: int, leads: int) -> None:
    """A desk with `reps` reps and `leads` New York leads, imported an hour before NOW."""
    from qualdesk.services.desk import open_desk
    from qualdesk.services.intake.importer import ImportOptions, import_file
    from qualdesk.services.reps import add_rep

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    desk = open_desk(path, clock=lambda: NOW - timedelta(hours=1))
    for n in range(reps):
        add_rep(desk, f"rep{n}", f"Rep {n}", "rep", ZONE)
    source = path.with_suffix(".csv")
    rng = random.Random(7)
    phones: set[str] = set()
    while len(phones) < leads:
        phones.add(f"+1 212 {rng.randint(200, 999)} {rng.randint(0, 9999):04d}")
    with source.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Name", "Company", "Phone", "Country"])
        for number, phone in enumerate(sorted(phones)):
            out.writerow([f"Person {number}", f"Company {number}", phone, "US"])
    summary = import_file(desk, source, ImportOptions(source="Bench", imported_by="ops"))
    source.unlink()
    desk.close()
    if summary.imported != leads:
        raise SystemExit(f"the bench's import made {summary.imported} leads, not {leads}")


def prepare(args: argparse.Namespace) -> str | Path:
    """The desk this run works on: a fresh copy of the built file, or a database loaded from it."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"desk-load-{args.leads}-{args.reps}.db"
    if args.rebuild or not path.exists():
        start = time.perf_counter()
        say(f"building a desk of {args.reps} reps and {args.leads:,} leads …")
        partial = path.with_suffix(".building")
        build(partial, args.reps, args.leads)
        partial.replace(path)
        say(f"built in {time.perf_counter() - start:.0f} s")
    if args.db is not None:
        start = time.perf_counter()
        pgload.load(path, args.db, quiet=True)
        say(f"loaded into {shown_location(args.db)} in {time.perf_counter() - start:.0f} s")
        return str(args.db)
    work = OUT / "desk-load-run.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(path) as source, sqlite3.connect(work) as target:
        source.backup(target)
    return work


# -- a rep at work ----------------------------------------------------------------


def worker(args: argparse.Namespace) -> None:
    """One rep: ready, wait for the common start, then claim and call until the time is up."""
    from qualdesk.core.errors import DatabaseBusy, QualdeskError
    from qualdesk.services.calling import calls, queue
    from qualdesk.services.calling.lease import ClaimLost
    from qualdesk.services.desk import open_desk
    from qualdesk.services.reps import find_rep

    def clock() -> datetime:
        return NOW + timedelta(seconds=time.time() - args.epoch)

    desk = open_desk(args.db, clock=clock, upgrade=False)
    rep = find_rep(desk, args.rep)
    rng = random.Random(args.seed)
    with Path(args.log).open("w", buffering=1, encoding="utf-8") as log:

        def work() -> None:
            try:
                _one_call(desk, rep, log, rng, queue.claim_next, calls.end_call, args.talk)
            except ClaimLost as exc:
                log.write(f"LOST {exc}\n")
            except DatabaseBusy as exc:
                log.write(f"BUSY {exc}\n")
            except QualdeskError as exc:
                log.write(f"REFUSED {exc}\n")
            except Exception:
                log.write("ERROR " + traceback.format_exc().replace("\n", " | ") + "\n")
                sys.exit(1)

        # One call before the start, as a desk open for a while has made: its first
        # claim compiles the statements and reads the rules, once per process.
        work()
        log.write("START\n")
        print("ready", flush=True)
        start = float(sys.stdin.readline())
        time.sleep(max(0.0, start - time.time()))
        deadline = time.monotonic() + args.seconds - max(0.0, time.time() - start)
        spent = time.process_time()
        if args.talk:  # reps who talk are mid-call at the start, not all claiming at once
            time.sleep(rng.uniform(0, args.talk))
        while time.monotonic() < deadline:
            work()
        log.write(f"DONE {time.process_time() - spent:.3f}\n")
    desk.close()


def _one_call(desk: Any, rep: Any, log: TextIO, rng: random.Random, claim_next: Any,
              end_call: Any, talk: float) -> None:  # fmt: skip
    start = time.perf_counter()
    claim = claim_next(desk, rep)
    took = (time.perf_counter() - start) * 1000
    if claim is None:
        log.write(f"EMPTY {time.monotonic():.6f} {took:.3f}\n")
        time.sleep(0.02)
        return
    log.write(f"CLAIM {claim.lead_id} {claim.token} {time.monotonic():.6f} {took:.3f}\n")
    tag = f"{rep.handle}-{claim.lead_id}-{claim.token}"
    if talk:
        time.sleep(rng.uniform(0.5, 1.5) * talk)
    log.write(f"END {claim.lead_id} {time.monotonic():.6f}\n")
    end_call(desk, claim, rng.choice(OUTCOMES), notes=tag)
    log.write(f"ENDED {claim.lead_id} {tag}\n")


# -- the run and its checks -------------------------------------------------------


@dataclass
class Held:
    """One claim as a log tells it: [start, end] lies inside the time the rep held the lead."""

    rep: str
    lead: int
    start: float
    end: float | None = None


@dataclass
class Seen:
    claims: list[Held]  # every claim, the warm-up calls' too
    timed: int  # the claims made in the run's time
    took: list[float]  # every claim_next call in the run's time, empty or not, in ms
    first: list[float]  # each process's first claim_next call (before the start), in ms
    empty: list[float]  # when claims came back empty
    saved: list[str]  # the tags of the calls the reps saw saved
    troubles: list[str]  # lost claims, busy databases, refusals, errors
    done: int
    cpu: float = 0.0  # seconds of CPU the rep processes spent in the run's time


def read_logs(folder: Path) -> Seen:
    seen = Seen([], 0, [], [], [], [], [], 0)
    for path in sorted(folder.glob("*.log")):
        current: Held | None = None
        started = False
        for line in path.read_text(encoding="utf-8").splitlines():
            kind, _, rest = line.partition(" ")
            if kind in ("CLAIM", "EMPTY"):
                took = float(rest.split()[-1])
                (seen.took if started else seen.first).append(took)
            if kind == "CLAIM":
                lead, _token, at, _ = rest.split()
                current = Held(path.stem, int(lead), float(at))
                seen.claims.append(current)
                seen.timed += started
            elif kind == "EMPTY":
                seen.empty.append(float(rest.split()[0]))
            elif kind == "START":
                started = True
            elif kind == "END" and current is not None:
                current.end = float(rest.split()[1])
            elif kind == "ENDED":
                seen.saved.append(rest.split(" ", 1)[1])
                current = None
            elif kind in ("LOST", "BUSY", "REFUSED", "ERROR"):
                seen.troubles.append(f"{path.stem} {kind}: {rest[:300]}")
                current = None
            elif kind == "DONE":
                seen.done += 1
                seen.cpu += float(rest or 0)
    return seen


def double_claims(claims: list[Held]) -> list[str]:
    """Claims of one lead whose times overlapped (as tests/stress/harness.py checks)."""
    by_lead: dict[int, list[Held]] = defaultdict(list)
    for claim in claims:
        by_lead[claim.lead].append(claim)
    found = []
    for lead, held in by_lead.items():
        held.sort(key=lambda claim: claim.start)
        for before, after in itertools.pairwise(held):
            if before.end is None or before.end > after.start:
                found.append(f"lead {lead}: {before} then {after}")
    return found


def rows(location: str | Path, sql: str) -> list[tuple[Any, ...]]:
    from sqlalchemy import text

    from qualdesk.db.engine import database_url, make_engine

    engine = make_engine(database_url(location))
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def cpu_jiffies() -> tuple[int, int]:
    """The machine's CPU time so far, (busy, all), in jiffies; (0, 0) off Linux."""
    try:
        fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return (0, 0)
    total = sum(fields[:8])
    return (total - fields[3] - fields[4], total)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


def run(args: argparse.Namespace) -> dict[str, Any]:
    location = prepare(args)
    engine = "sqlite" if args.db is None else "postgresql"
    logs = OUT / "desk-load-logs"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    loaded = os.getloadavg()[0]
    say(f"starting {args.reps} rep processes …")
    epoch = time.time()  # the bench's moment, in every process's clock
    processes = []
    for n in range(args.reps):
        handle = f"rep{n}"
        command = [
            sys.executable, str(Path(__file__).resolve()), "--worker", "--rep", handle,
            "--db", str(location), "--log", str(logs / f"{handle}.log"),
            "--seconds", str(args.seconds), "--seed", str(n), "--epoch", repr(epoch),
            "--talk", str(args.talk),
        ]  # fmt: skip
        with (logs / f"{handle}.err").open("wb") as errors:
            processes.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=errors,
                    text=True,
                )
            )
    for n, process in enumerate(processes):
        assert process.stdout is not None
        if process.stdout.readline().strip() != "ready":
            process.wait()
            said = (logs / f"rep{n}.err").read_text(encoding="utf-8", errors="replace")
            for other in processes:
                other.kill()
            raise SystemExit(f"rep{n} did not start: {said.strip().splitlines()[-1:]}")
    start = time.time() + 1.0
    for process in processes:
        assert process.stdin is not None
        process.stdin.write(f"{start!r}\n")
        process.stdin.close()
    say(f"{args.reps} reps at work for {args.seconds:g} s …")
    before = cpu_jiffies()
    failed = []
    for n, process in enumerate(processes):
        try:
            code = process.wait(timeout=args.seconds + 120)
        except subprocess.TimeoutExpired:
            process.kill()
            code = -9
        if code != 0:
            said = (logs / f"rep{n}.err").read_text(encoding="utf-8", errors="replace")
            failed.append(f"rep{n} exited {code}: {said.strip()[-500:]}")

    after = cpu_jiffies()
    busy = (after[0] - before[0]) / max(1, after[1] - before[1])
    seen = read_logs(logs)
    kept = {str(notes) for (notes,) in rows(location, "SELECT notes FROM touches")}
    lost = [tag for tag in seen.saved if tag not in kept]
    # Every lead never called yet is callable; while one is left unclaimed, the queue
    # was never empty (leads only left it during the run).
    fresh = rows(location, "SELECT count(*) FROM leads WHERE stage = 'new' AND claimed_by IS NULL")
    left = int(fresh[0][0])
    last = max((claim.start for claim in seen.claims), default=0.0)
    empty = [at for at in seen.empty if left or at < last]
    held = int(rows(location, "SELECT count(*) FROM leads WHERE claimed_by IS NOT NULL")[0][0])
    claims = seen.timed
    result = {
        "engine": engine,
        "reps": args.reps,
        "claims": claims,
        "claims_per_s": round(claims / args.seconds, 1),
        "p50_ms": round(percentile(seen.took, 0.5), 1),
        "p99_ms": round(percentile(seen.took, 0.99), 1),
        "double_claims": len(double_claims(seen.claims)),
        "lost_touches": len(lost),
        "empty_queue_seen": len(empty),
        "x_desk_of_1000": round(claims / args.seconds / DESK_OF_1000, 1),
    }
    cores = os.cpu_count() or 1
    say(f"  machine: load average {loaded:.1f} before the reps started; during the run its "
        f"{cores} cores were {busy:.0%} busy, the rep processes using "
        f"{seen.cpu / args.seconds:.2f} of them")  # fmt: skip
    say(f"  each process's first claim (before the start, not counted): median "
        f"{percentile(seen.first, 0.5):.1f} ms")  # fmt: skip
    for line in [*failed, *seen.troubles[:5]]:
        say(f"  {line}")
    if seen.troubles[5:]:
        say(f"  … and {len(seen.troubles) - 5} more lost, busy or refused")
    if seen.done != args.reps:
        say(f"  only {seen.done} of {args.reps} reps finished their run")
    if held:
        say(f"  {held} leads still held after every rep stopped")
    if not left:
        say("  the desk ran out of fresh leads: build it with more (--leads)")
    if args.db is None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{location}{suffix}").unlink(missing_ok=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a PostgreSQL URL to run on (default: SQLite)")
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument(
        "--talk", type=float, default=0.0,
        help="seconds a rep spends on each call, on average (default 0: claim flat out)",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rep", help=argparse.SUPPRESS)
    parser.add_argument("--log", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--epoch", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    if args.db is not None and not pgload.is_postgres(args.db):
        raise SystemExit(f"{args.db}: --db takes a PostgreSQL URL (postgresql://...)")
    if args.db is not None:
        pgload.loaded_from(args.db)  # the server answers, before the build
    result = run(args)
    if args.json:
        print(json.dumps(result))
        return
    talking = f", {args.talk:g} s a call" if args.talk else ""
    print(f"{result['engine']}: {result['reps']} reps for {args.seconds:g} s{talking}, "
          f"{result['claims']:,} claims, {result['claims_per_s']:,} claims/s "
          f"({result['x_desk_of_1000']}x a desk of 1,000 reps at 17/s), "
          f"claim p50 {result['p50_ms']} ms p99 {result['p99_ms']} ms; "
          f"double claims {result['double_claims']}, lost touches {result['lost_touches']}, "
          f"empty queue seen {result['empty_queue_seen']}")  # fmt: skip


if __name__ == "__main__":
    main()
