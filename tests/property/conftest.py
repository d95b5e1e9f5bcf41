"""Desk databases for property tests: built once, copied fresh for every example.

Hypothesis runs a test body many times inside one pytest test, so function
fixtures (tmp_path, desk) would be shared by every example. Instead each
example copies a template database into its own temporary folder and opens
that: a real SQLite file, never one an earlier example has changed.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from qualdesk.db.models import Lead
from qualdesk.services.access import Actor
from qualdesk.services.desk import Desk, open_desk
from tests.conftest import NOW, FrozenClock


@dataclass(frozen=True)
class Template:
    """A closed desk database to copy, and a folder for the examples' copies."""

    path: Path
    scratch: Path


@contextmanager
def fresh_desk(template: Template) -> Iterator[tuple[Desk, Path]]:
    """A copy of the template, open, in a new folder of its own: (desk, folder)."""
    with tempfile.TemporaryDirectory(dir=template.scratch) as name:
        folder = Path(name)
        shutil.copyfile(template.path, folder / "desk.db")
        desk = open_desk(folder / "desk.db", clock=FrozenClock())
        try:
            yield desk, folder
        finally:
            desk.close()


def count(desk: Desk, column: object) -> int:
    """How many rows the column's table holds."""
    with desk.db.reading() as session:
        return int(session.scalar(select(func.count(col(column)))) or 0)  # type: ignore[arg-type]


# On the desk before any example imports: a duplicate (same email, or same
# phone and name) of one of these is found against the desk, not the file.
DESK_LEADS = (
    "Name,Company,Email,Phone\n"
    "Ada Lovelace,Analytical Ltd,ada@example.com,+44 20 7946 0958\n"
    "Grace Hopper,Navy,grace@example.com,(212) 555-0123\n"
    "Reception,Switchboard Inc,,+1 212 555 0100\n"
)
DNC_NUMBER = "+1 415 555 0100"


@pytest.fixture(scope="session")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for examples that need only a file, no desk."""
    return tmp_path_factory.mktemp("examples")


@pytest.fixture(scope="session")
def import_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """A desk with the default rules, three leads and one do-not-call number."""
    from qualdesk.services.intake.dnc import add_number
    from qualdesk.services.intake.importer import ImportOptions, import_file

    base = tmp_path_factory.mktemp("import-template")
    desk = open_desk(base / "template.db", clock=FrozenClock())
    try:
        leads = base / "desk-leads.csv"
        leads.write_text(DESK_LEADS, encoding="utf-8")
        import_file(desk, leads, ImportOptions(imported_by="template"))
        add_number(desk, DNC_NUMBER, region="US", by="template", reason="asked")
    finally:
        desk.close()
    return Template(base / "template.db", tmp_path_factory.mktemp("import-examples"))


QUALIFYING = ("vertical", "pains", "budget", "urgency")
# Lead ids in the feedback template, by what they are when an example starts.
HANDED_OFF = (1, 2, 3)
ACCEPTED, REJECTED = 4, 5
SHARED_EMAIL = (6, 3)  # lead 6 (handed off) and lead 3 share one email
IN_SALES = 7  # qualified, not yet exported
NEW = 8
EMAILS = {n: f"lead{n}@example.com" for n in range(1, 9)}
EMAILS[3] = EMAILS[6]


@pytest.fixture(scope="session")
def feedback_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """A desk whose leads stand at every stage a verdict file can name (see the ids above)."""
    from qualdesk.services.calling.calls import end_call, set_criterion
    from qualdesk.services.calling.queue import claim_lead
    from qualdesk.services.handoff.export import export_leads
    from qualdesk.services.handoff.feedback import read_feedback
    from qualdesk.services.intake.importer import ImportOptions, import_file
    from qualdesk.services.reps import add_rep

    base = tmp_path_factory.mktemp("feedback-template")
    clock = FrozenClock(NOW - timedelta(days=3))
    desk = open_desk(base / "template.db", clock=clock)
    try:
        leads = base / "leads.csv"
        rows = [f"Lead {n},+1 212 555 01{n:02d},lead{n}@example.com" for n in range(1, 9)]
        leads.write_text("Name,Phone,Email\n" + "\n".join(rows) + "\n", encoding="utf-8")
        import_file(desk, leads, ImportOptions(imported_by="template"))
        ana = add_rep(desk, "ana", "Ana Reyes", "rep", "America/New_York")

        def qualify(lead_id: int) -> None:
            claim = claim_lead(desk, ana, lead_id)
            for key in QUALIFYING:
                set_criterion(desk, claim, key, True, note=key)
            end_call(desk, claim, "connected", notes="qualified")
            clock.now += timedelta(minutes=5)

        for lead_id in range(1, 7):
            qualify(lead_id)
        export_leads(desk, out=base / "handoff.csv", by=Actor("lee", "lead"))
        clock.now += timedelta(hours=1)
        verdicts = base / "verdicts.csv"
        verdicts.write_text(
            f"Lead ID,Verdict,Reason\n{ACCEPTED},accepted,\n{REJECTED},rejected,no budget\n",
            encoding="utf-8",
        )
        read_feedback(desk, verdicts, by=Actor("lee", "lead"))
        qualify(IN_SALES)
        with desk.db.writing() as session:
            lead = session.get(Lead, SHARED_EMAIL[1])
            assert lead is not None
            lead.email = EMAILS[SHARED_EMAIL[1]]
            session.add(lead)
        stages = _stages(desk)
    finally:
        desk.close()
    assert stages == {
        1: "handed_off", 2: "handed_off", 3: "handed_off", 4: "accepted", 5: "rejected",
        6: "handed_off", 7: "sales", 8: "new",
    }, stages  # fmt: skip
    return Template(base / "template.db", tmp_path_factory.mktemp("feedback-examples"))


def _stages(desk: Desk) -> dict[int, str]:
    with desk.db.reading() as session:
        return {lead_id: stage for lead_id, stage in session.execute(select(Lead.id, Lead.stage))}


Stages = Callable[[Desk], dict[int, str]]


@pytest.fixture(scope="session")
def stages() -> Stages:
    return _stages
