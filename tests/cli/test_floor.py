"""`qualdesk floor`: the same rows as the team view's floor, its JSON, release and hand-over."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from qualdesk.db.models import Lead
from qualdesk.services.calling.queue import claim_lead
from qualdesk.services.desk import Desk, open_desk
from qualdesk.services.floor import beat, open_session
from qualdesk.services.reps import find_rep
from tests.cli.conftest import Run

LEADS = "Name,Company,Phone,Country\nAda Lovelace,Analytical Ltd,+44 20 7946 0958,GB\n"


@pytest.fixture
def staffed(run: Run, tmp_path: Path, db_location: str | Path) -> Iterator[Desk]:
    """ana and ben (reps) and lee (team lead), one lead, and the desk on the real clock."""
    assert run("reps", "add", "lee", "--name", "Lee Morgan", "--role", "lead").code == 0
    assert run("reps", "add", "ana", "--name", "Ana Reyes").code == 0
    assert run("reps", "add", "ben", "--name", "Ben Okafor").code == 0
    leads = tmp_path / "leads.csv"
    leads.write_text(LEADS, encoding="utf-8")
    assert run("import", str(leads)).code == 0
    desk = open_desk(db_location)
    yield desk
    desk.close()


def at_a_desk_with_the_lead(desk: Desk) -> int:
    """ana signs in at a terminal and opens lead #1; returns her session's id."""
    ana = find_rep(desk, "ana")
    opened = open_session(desk, ana, source="terminal", place="host pid 7")
    claim = claim_lead(desk, ana, 1)
    beat(desk, opened, state="card", lead_id=claim.lead_id, last_key_at=desk.clock())
    return opened


def test_the_floor_lists_each_rep_at_a_desk(run: Run, staffed: Desk) -> None:
    assert run("floor").out.strip() == "Nobody is at a desk, and no lead is held."
    at_a_desk_with_the_lead(staffed)

    result = run("floor")

    assert result.code == 0
    header, row = result.out.splitlines()
    assert header.split() == ["rep", "desk", "lead", "doing", "for", "idle", "today", "callbacks"]
    assert row.startswith("ana  live  terminal host pid 7  #1 Ada Lovelace, Analytical Ltd")
    assert "on the card" in row


def test_the_floor_as_json(run: Run, staffed: Desk) -> None:
    opened = at_a_desk_with_the_lead(staffed)

    data = json.loads(run("floor", "--json", "--zone", "Europe/London").out)

    assert set(data) == {"now", "zone", "live_within_seconds", "reps"}
    assert data["zone"] == "Europe/London" and data["now"].endswith("Z")
    (row,) = data["reps"]
    assert list(row) == [
        "handle", "name", "role", "live", "source", "place", "session_id", "desks", "seen_at",
        "seen_seconds_ago", "state", "state_since", "state_seconds", "idle_seconds", "lead",
        "touches_today", "callbacks",
    ]  # fmt: skip
    assert list(row["lead"]) == [
        "id", "name", "company", "held_since", "held_seconds", "lease_until",
    ]  # fmt: skip
    assert (row["handle"], row["source"], row["session_id"], row["state"]) == (
        "ana", "terminal", opened, "card",
    )  # fmt: skip
    assert (row["lead"]["id"], row["lead"]["name"]) == (1, "Ada Lovelace")
    assert row["seen_at"].endswith("Z") and isinstance(row["idle_seconds"], int)


def test_a_team_lead_releases_a_lead_and_a_rep_is_refused(run: Run, staffed: Desk) -> None:
    at_a_desk_with_the_lead(staffed)

    refused = run("--as", "ana", "floor", "release", "1")
    assert refused.code == 1
    assert (
        refused.err.strip() == "qualdesk: only a team lead may release a rep's lead; ana is a rep"
    )
    assert json.loads(run("floor", "--json").out)["reps"][0]["lead"]["id"] == 1

    released = run("--as", "lee", "floor", "release", "1", "--reason", "ana went home")
    assert released.code == 0
    assert released.out.startswith("Released lead #1 from ana: it is back in the queue")
    assert json.loads(run("floor", "--json").out)["reps"][0]["lead"] is None
    again = run("--as", "lee", "floor", "release", "1")
    assert again.code == 1 and "not held by anyone" in again.err
    story = json.loads(run("leads", "show", "1", "--json").out)
    (change,) = story["changes"]
    assert (change["field"], change["old"], change["by"], change["reason"]) == (
        "held_by", "ana", "lee", "ana went home",
    )  # fmt: skip


def test_callbacks_go_to_another_rep_and_a_rep_is_refused(run: Run, staffed: Desk) -> None:
    ana = find_rep(staffed, "ana")
    with staffed.db.writing() as session:  # a callback ana booked
        lead = session.get(Lead, 1)
        assert lead is not None
        lead.stage, lead.owner_id = "working", ana.id
        lead.callback_at = staffed.clock() + timedelta(hours=2)
        session.add(lead)

    refused = run("--as", "ana", "floor", "callbacks", "ana", "--to", "ben")
    assert refused.code == 1
    assert "only a team lead may hand a rep's callbacks to another rep; ana is a rep" in refused.err
    unknown = run("--as", "lee", "floor", "callbacks", "ana", "--to", "zed")
    assert unknown.code == 1 and "no rep with handle 'zed'" in unknown.err
    assert run("floor", "callbacks", "ana").code == 2  # --to is required

    handed = run("--as", "lee", "floor", "callbacks", "ana", "--to", "ben")

    assert handed.code == 0
    assert handed.out.strip() == "Handed 1 callback from ana to ben."
    with staffed.db.reading() as session:
        moved = session.get(Lead, 1)
        assert moved is not None and moved.owner_id == find_rep(staffed, "ben").id
