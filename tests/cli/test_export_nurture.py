"""`qualdesk export --to nurture`: the hand-back to marketing from the command line."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from qualdesk.services.calling.calls import end_call
from qualdesk.services.calling.queue import claim_lead
from qualdesk.services.desk import open_desk
from qualdesk.services.reps import add_rep
from tests.cli.conftest import Run
from tests.conftest import FrozenClock

LEADS = (
    "Name,Company,Phone\nAda Lovelace,Analytical,+1 212 555 0101\nBob Stone,Acme,+1 212 555 0102\n"
)


@pytest.fixture
def nurtured(run: Run, db_location: str | Path, tmp_path: Path) -> dict[str, int]:
    """Ada routed to nurture (not interested), Bob out (asked not to be called)."""
    source = tmp_path / "leads.csv"
    source.write_text(LEADS, encoding="utf-8")
    assert run("import", str(source)).code == 0
    clock = FrozenClock()
    desk = open_desk(db_location, clock=clock)
    try:
        ana = add_rep(desk, "ana", "Ana Reyes", "rep", "America/New_York")
        for lead_id, disposition in ((1, "not_interested"), (2, "do_not_call")):
            end_call(desk, claim_lead(desk, ana, lead_id), disposition, notes="called")
            clock.now += timedelta(minutes=5)
    finally:
        desk.close()
    return {"nurture": 1, "out": 2}


def test_export_to_nurture_hands_marketing_the_nurtured_leads_once(
    run: Run, nurtured: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "nurture.csv"
    done = run("export", "--to", "nurture", "--out", str(out))
    assert done.code == 0, done.err
    assert done.out == (
        f"Handed 1 lead back to marketing's nurture as batch 1 (plain csv) -> {out}\n"
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert "stage,nurture_reason,recycle_on,routed_by,routed_at,do_not_call" in lines[0]
    assert lines[1].startswith("1,") and ",nurture," in lines[1] and ",ana," in lines[1]
    again = run("export", "--to", "nurture", "--out", str(tmp_path / "none.csv"))
    assert again.out == "No nurtured leads are waiting to go back to marketing; nothing written.\n"
    assert not (tmp_path / "none.csv").exists()
    # The sales export is today's: nothing qualified, nothing written.
    sales = run("export", "--out", str(tmp_path / "sales.csv"))
    assert sales.out.startswith("No qualified leads are waiting") and sales.code == 0
    copy = run("export", "--batch", "1", "--out", str(tmp_path / "copy.csv"))
    assert copy.code == 0 and (tmp_path / "copy.csv").read_bytes() == out.read_bytes()


def test_include_out_marks_do_not_call_and_speaks_json(
    run: Run, nurtured: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "sf.csv"
    done = run(
        "export", "--to", "nurture", "--include-out", "--profile", "salesforce", "--out",
        str(out), "--json",
    )  # fmt: skip
    assert done.code == 0, done.err
    assert json.loads(done.out) == {
        "exported": 2, "batch_id": 1, "file": str(out), "destination": "nurture", "out": 1,
        "do_not_call": 1,
    }  # fmt: skip
    text = out.read_text(encoding="utf-8")
    assert text.startswith("Qualdesk Lead ID,") and "Closed - Not Converted" in text
    assert "DO NOT CALL" in text
    human = run("export", "--to", "nurture", "--include-out", "--out", str(tmp_path / "x.csv"))
    assert human.out.startswith("No nurtured or disqualified leads are waiting")


def test_the_summary_counts_the_out_leads(
    run: Run, nurtured: dict[str, int], tmp_path: Path
) -> None:
    done = run("export", "--to", "nurture", "--include-out", "--out", str(tmp_path / "a.csv"))
    assert done.code == 0, done.err
    assert "Handed 2 leads back to marketing's nurture as batch 1" in done.out
    assert "1 of them out (disqualified), 1 on the do-not-call list" in done.out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--include-out"], "--include-out goes with --to nurture"),
        (["--to", "sales", "--include-out"], "--include-out goes with --to nurture"),
        (["--to", "marketing"], "'marketing' is not one of 'sales', 'nurture'"),
        (
            ["--batch", "1", "--to", "nurture"],
            "--batch writes the batch as it was first written; drop --to",
        ),
        (["--batch", "1", "--include-out"], "drop --include-out"),
    ],
)
def test_wrong_flags_are_a_usage_error_on_one_line(
    run: Run, nurtured: dict[str, int], tmp_path: Path, args: list[str], words: str
) -> None:
    done = run("export", *args, "--out", str(tmp_path / "x.csv"))
    assert done.code == 2 and "Traceback" not in done.err
    errors = done.err.splitlines()
    assert len(errors) == 1 and words in errors[0], done.err
    assert errors[0].startswith("qualdesk export: ") and errors[0].endswith(
        "(see qualdesk export --help)"
    )
    assert not (tmp_path / "x.csv").exists()


def test_a_taken_file_is_one_line_and_nothing_recorded(
    run: Run, nurtured: dict[str, int], tmp_path: Path
) -> None:
    taken = tmp_path / "taken.csv"
    taken.write_text("marketing's own", encoding="utf-8")
    done = run("export", "--to", "nurture", "--out", str(taken))
    assert done.code == 1 and done.err.count("\n") == 1
    assert done.err.startswith("qualdesk: ") and "a file is already there" in done.err
    assert taken.read_text(encoding="utf-8") == "marketing's own"
    again = run("export", "--to", "nurture", "--out", str(tmp_path / "ok.csv"))
    assert again.code == 0 and "Handed 1 lead back" in again.out
