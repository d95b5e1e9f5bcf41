"""A rep at work, as a separate process: the stress tests start several and may kill them.

    python -m tests.stress.rep DB HANDLE LOG --seconds S --epoch WALL [--calls N] [--seed N]

It claims leads and works them through the desk's own services, exactly as
the call desk does: a note typed (kept as a draft), sometimes a criterion or
an email, then the call ended with a disposition. Every step is written to
LOG, one line each, only after the database has committed it, so whatever
the log holds must be in the database, whenever the process was killed.
The desk's clock runs at real speed from a fixed Monday morning, the same
in every process (WALL is the wall-clock time that morning starts at).

Lines: CLAIM lead token t0 | RESUMED lead notes | DRAFT lead text | ANSWER lead key tag | TOUCH lead tag |
END lead t1 |
ENDED lead tag | LOST lead message | BUSY message | ERROR traceback | DONE.
t0 is taken after the claim committed and t1 before the call starts ending,
on the machine's monotonic clock, which every process shares: the interval
[t0, t1] lies inside the time the rep really held the lead.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from sqlmodel import select

from qualdesk.core.errors import DatabaseBusy
from qualdesk.db.models import Rep
from qualdesk.services.calling import calls, drafts, queue
from qualdesk.services.calling.lease import ClaimLost
from qualdesk.services.desk import Desk, open_desk

MONDAY = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
# Mostly calls that leave the lead on the desk, some that route it on.
OUTCOMES = ["no_answer"] * 5 + ["busy", "voicemail", "connected", "not_interested"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("handle")
    parser.add_argument("log", type=Path)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--epoch", type=float, required=True)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    epoch = args.epoch

    def clock() -> datetime:
        return MONDAY + timedelta(seconds=time.time() - epoch)

    rng = random.Random(args.seed)
    desk = open_desk(args.db, clock=clock, upgrade=False)
    with desk.db.reading() as session:
        rep = session.exec(select(Rep).where(Rep.handle == args.handle)).one()
    with args.log.open("a", buffering=1, encoding="utf-8") as log:
        deadline = time.monotonic() + args.seconds
        first = True
        done = 0
        while time.monotonic() < deadline and done < args.calls:
            try:
                done += _one_call(desk, rep, log, rng, resume=first)
                first = False
            except ClaimLost as exc:
                log.write(f"LOST {exc}\n")
            except DatabaseBusy as exc:
                log.write(f"BUSY {exc}\n")
            except Exception:
                log.write("ERROR " + traceback.format_exc().replace("\n", " | ") + "\n")
                sys.exit(1)
        log.write("DONE\n")
    desk.close()


def _one_call(desk: Desk, rep: Rep, log: TextIO, rng: random.Random, *, resume: bool) -> int:
    write = log.write
    claim = queue.claim_next(desk, rep, resume=resume)
    if claim is None:
        write(f"EMPTY {time.monotonic():.6f}\n")
        time.sleep(0.02)
        return 0
    write(f"CLAIM {claim.lead_id} {claim.token} {time.monotonic():.6f}\n")
    tag = f"{rep.handle}-{claim.lead_id}-{claim.token}"
    notes = ""
    if claim.resumed:
        # The lead a killed desk of this rep held: its notes come back with it.
        draft = calls.load_card(desk, claim).draft
        notes = draft.text if draft else ""
        write(f"RESUMED {claim.lead_id} {notes.strip()}\n")
    for word in range(rng.randint(1, 3)):
        notes += f" {tag}:{word}"
        if drafts.save_draft(desk, claim, notes):
            write(f"DRAFT {claim.lead_id} {notes.strip()}\n")
        time.sleep(rng.uniform(0, 0.01))
    if rng.random() < 0.3:
        key = rng.choice(["vertical", "budget", "pains"])
        calls.set_criterion(desk, claim, key, True, note=tag)
        write(f"ANSWER {claim.lead_id} {key} {tag}\n")
    if rng.random() < 0.2:
        calls.log_touch(desk, claim, "email", f"{tag}:email")
        write(f"TOUCH {claim.lead_id} {tag}:email\n")
    write(f"END {claim.lead_id} {time.monotonic():.6f}\n")
    calls.end_call(desk, claim, rng.choice(OUTCOMES), notes=notes)
    write(f"ENDED {claim.lead_id} {notes.strip()}\n")
    return 1


if __name__ == "__main__":
    main()
