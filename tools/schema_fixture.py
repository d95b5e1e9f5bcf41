"""Freeze a database written by this version of qualdesk as tests/data/schema_<rev>.sql.

Run it before changing the schema: the test suite then proves that every
later version opens this database and keeps every row in it.

    .venv/bin/python tools/schema_fixture.py
"""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from qualdesk.db import touchtotals
from qualdesk.db.models import ChecklistAnswer, Lead, NoteDraft, RoutingDecision, Touch
from qualdesk.db.schema import SCHEMA_HEAD
from qualdesk.services.desk import open_desk
from qualdesk.services.intake.dnc import add_number
from qualdesk.services.intake.importer import ImportOptions, import_file
from qualdesk.services.reps import add_rep

ROWS = """Name,Company,Title,Email,Phone,Country,Booth
Ada Lovelace,Analytical Ltd,CTO,ada@example.com,+44 20 7946 0958,UK,7
,Switchboard Corp,,,+1 305 555 0123,US,
Grace Hopper,Navy,Admiral,grace@example.com,+1 305 555 0123,US,
Bad Row,Acme,,,4.15555E+09,US,
Tolly Free,Freephone Inc,,,+1 800 555 0199,US,
"""


def main() -> None:
    now = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    target = Path(__file__).parents[1] / "tests" / "data" / f"schema_{SCHEMA_HEAD}.sql"
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "desk.db"
        source = Path(folder) / "expo.csv"
        source.write_text(ROWS, encoding="utf-8")
        desk = open_desk(db_path, clock=lambda: now)
        ana = add_rep(desk, "ana", "Ana Reyes", "rep", "America/New_York")
        add_rep(desk, "lee", "Lee Morgan", "lead", "Europe/London")
        import_file(desk, source, ImportOptions(source="Trade show", imported_by="ops"))
        add_number(desk, "+1 202 555 0143", region="US", by="ops", reason="asked")
        version = desk.rules().version
        with desk.db.writing() as session:
            assert ana.id is not None
            touch = Touch(
                lead_id=1,
                rep_id=ana.id,
                channel="phone",
                disposition="no_answer",
                notes="rang out",
                started_at=now,
                ended_at=now + timedelta(seconds=30),
                phone="+442079460958",  # the number the call dialled
            )
            session.add(touch)
            session.flush()
            # As the desk writes every touch: with its running totals.
            touchtotals.count_touch(session, rep_id=ana.id, lead_id=1, channel="phone",
                                disposition="no_answer", seconds=30)  # fmt: skip
            called = session.get(Lead, 1)  # and the facts the lead keeps of its touches
            assert called is not None
            called.touch_count, called.touch_channels = 1, "phone"
            called.first_call_at, called.last_rep_id = now, ana.id
            session.add(
                ChecklistAnswer(
                    lead_id=1,
                    criterion="vertical",
                    established=True,
                    note="manufacturing",
                    rep_id=ana.id,
                    answered_at=now,
                    rules_version_id=version,
                )
            )
            session.add(RoutingDecision(lead_id=1, touch_id=touch.id, rep_id=ana.id,
                                        route="working", proposed_route="working",
                                        reason="retry per cadence", rules_version_id=version,
                                        decided_at=now))  # fmt: skip
            session.add(NoteDraft(lead_id=3, rep_id=ana.id, text="asked for the CFO", saved_at=now))
        desk.close()
        with sqlite3.connect(db_path) as conn:
            dump = "\n".join(conn.iterdump())
    target.write_text(dump + "\n", encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
