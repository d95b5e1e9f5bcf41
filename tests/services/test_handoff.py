"""The loop with sales on a real database: import -> desk -> export -> feedback -> review."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import col, func, select

from qualdesk.core.errors import FileRefused, QualdeskError
from qualdesk.core.periods import named_period, typed_period
from qualdesk.core.stages import Stage
from qualdesk.db.models import HandOff, Lead, Rep, SalesVerdict
from qualdesk.db.touchtotals import rebuild_touch_totals
from qualdesk.services.access import Actor, administrator
from qualdesk.services.calling.calls import end_call, log_touch, set_criterion
from qualdesk.services.calling.queue import claim_next
from qualdesk.services.desk import Desk
from qualdesk.services.figures.team import team_figures
from qualdesk.services.handoff import review
from qualdesk.services.handoff.export import export_again, export_leads
from qualdesk.services.handoff.feedback import read_feedback
from qualdesk.services.intake.dnc import add_number
from qualdesk.services.reps import add_rep, set_active
from tests.conftest import FrozenClock
from tests.services.conftest import Make

QUALIFYING = ("vertical", "pains", "budget", "urgency")
ZONE = "America/New_York"


def _work(desk: Desk, rep: Rep, clock: FrozenClock, qualify: bool) -> int:
    claim = claim_next(desk, rep)
    assert claim is not None
    if qualify:
        for key in QUALIFYING:
            set_criterion(desk, claim, key, True, note=f"{key} noted")
    end_call(desk, claim, "connected" if qualify else "no_answer", notes="called")
    clock.now += timedelta(minutes=5)
    return claim.lead_id


def _lead(desk: Desk, lead_id: int) -> Lead:
    with desk.db.reading() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return lead


def _figures(desk: Desk, clock: FrozenClock) -> dict:  # type: ignore[type-arg]
    return team_figures(desk, named_period("today", clock(), ZONE), ZONE).as_json()


@pytest.fixture
def qualified(desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock) -> list[int]:
    """Four new leads; ana qualifies three and one does not answer."""
    make_leads("ny:a", "ny:b", "ny:c", "ny:d")
    worked = [_work(desk, reps["ana"], clock, qualify=n < 3) for n in range(4)]
    return worked[:3]


def test_a_lead_walks_the_whole_loop(
    desk: Desk, reps: dict[str, Rep], qualified: list[int], clock: FrozenClock, tmp_path: Path
) -> None:
    lee = add_rep(desk, "lee", "Lee Morgan", "lead", ZONE)
    figures = _figures(desk, clock)
    ana = next(r for r in figures["reps"] if r["rep"] == "ana")
    assert (ana["touches"], ana["calls"], ana["connects"], ana["qualified"]) == (4, 4, 3, 3)
    assert ana["by_channel"] == {"phone": 4} and ana["connect_rate"] == 0.75
    assert ana["attempts_per_lead"] == 1.0 and ana["channel_variety"] == 1.0
    conversion = figures["desk"]["conversion"]
    assert (conversion["raw"], conversion["qualified"], conversion["handed_off"]) == (4, 3, 0)
    assert figures["desk"]["queue"]["waiting_for_export"] == 3

    first = export_leads(
        desk, out=tmp_path / "handoff1.csv", profile="salesforce", by=Actor("lee", "lead")
    )
    assert (first.exported, first.batch_id) == (3, 1)
    assert all(_lead(desk, i).stage == Stage.HANDED_OFF.value for i in qualified)
    assert export_leads(desk, out=tmp_path / "none.csv", by=Actor("lee", "lead")).exported == 0
    assert not (tmp_path / "none.csv").exists()
    again = export_again(desk, 1, out=tmp_path / "again.csv", by=Actor("lee", "lead"))
    assert (tmp_path / "again.csv").read_bytes() == (tmp_path / "handoff1.csv").read_bytes()
    assert again.exported == 3

    verdicts = tmp_path / "verdicts.csv"
    a, b, c = qualified
    verdicts.write_text(
        "Lead ID,Status,Rejection Reason,Date\n"
        f"{a},Accepted,,2026-11-23\n{b},rejected,no budget,\n#{c},Rejected,wrong person,\n"
        "999,accepted,,\n",
        encoding="utf-8",
    )
    read = read_feedback(desk, verdicts, by=Actor("lee", "lead"), zone_name=ZONE)
    assert (read.accepted, read.rejected, read.refused, read.unchanged) == (1, 2, 1, 0)
    assert read.issues == [(5, "no lead #999 on the desk")]
    assert Path(read.rejects_file or "").read_text().count("no lead #999") == 1
    assert [_lead(desk, i).stage for i in qualified] == ["accepted", "rejected", "rejected"]
    twice = read_feedback(desk, verdicts, by=Actor("lee", "lead"), rejects=tmp_path / "r2.csv")
    assert (twice.accepted, twice.rejected, twice.unchanged) == (0, 0, 3)

    conversion = _figures(desk, clock)["desk"]["conversion"]
    assert (conversion["handed_off"], conversion["accepted"], conversion["rejected"]) == (3, 1, 2)
    assert conversion["acceptance_rate"] == round(1 / 3, 4)
    to_review = review.to_review(desk)
    assert [(r.lead_id, r.reason) for r in to_review] == [(b, "no budget"), (c, "wrong person")]
    card = review.review_card(desk, to_review[0])
    assert card.batch_id == 1 and card.rules_version == 1 and card.grade == "B"
    assert [i["key"] for i in card.checklist if i["established"]] == list(QUALIFYING)
    assert card.touches and card.touches[0].notes == "called"

    with pytest.raises(
        QualdeskError, match=r"only a team lead may rule on sales. rejections; ana is a rep"
    ):
        review.rule(desk, to_review[0].verdict_id, reps["ana"], valid=True, note="x")
    with pytest.raises(QualdeskError, match="needs a note"):
        review.rule(desk, to_review[0].verdict_id, lee, valid=True, note="  ")
    assert review.rule(desk, to_review[0].verdict_id, lee, valid=False, note="budget was set")
    assert review.rule(desk, to_review[1].verdict_id, lee, valid=True, note="right, wrong person")
    with pytest.raises(QualdeskError, match="already ruled"):
        review.rule(desk, to_review[1].verdict_id, lee, valid=False, note="changed my mind")
    assert _lead(desk, b).stage == Stage.SALES.value
    nurtured = _lead(desk, c)
    assert nurtured.stage == Stage.NURTURE.value
    assert nurtured.next_due_at == clock() + timedelta(days=30)  # grade B recycles in 30 days

    reviews = _figures(desk, clock)["desk"]["reviews"]
    assert reviews == {"reviewed": 2, "rejections_valid": 1, "rejections_valid_share": 0.5,
                       "to_review": 0}  # fmt: skip
    clock.now += timedelta(hours=1)
    second = export_leads(
        desk, out=tmp_path / "handoff2.jsonl", fmt="jsonl", by=Actor("lee", "lead")
    )
    assert (second.exported, second.batch_id) == (1, 2)
    # Sales' old file read again must not undo the review: its rejection of b is stale.
    stale = read_feedback(desk, verdicts, by=Actor("lee", "lead"), rejects=tmp_path / "r3.csv")
    assert (stale.rejected, stale.unchanged, stale.refused) == (0, 1, 3)
    assert any(f"repeats sales' verdict on an earlier hand-off of lead #{b}" in reason
               for _, reason in stale.issues)  # fmt: skip
    assert _lead(desk, b).stage == Stage.HANDED_OFF.value
    assert f'"lead_id": {b}' in (tmp_path / "handoff2.jsonl").read_text()
    with desk.db.reading() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(HandOff).where(col(HandOff.lead_id) == b)
            )
            == 2
        )
        assert session.scalar(select(func.count()).select_from(SalesVerdict)) == 3
        # Each hand-off's moment is stored as the desk stores a moment, so SQL compares it.
        handed = col(HandOff.handed_off_at) == clock()
        assert session.scalar(select(func.count()).where(handed)) == 1
    desk_figures = _figures(desk, clock)["desk"]
    for groups in ("by_campaign", "by_source"):
        assert sum(g["handed_off"] for g in desk_figures[groups]) == 3
        assert sum(g["reviewed"] for g in desk_figures[groups]) == 2


def test_a_failed_export_hands_off_nothing_and_leaves_no_file(
    desk: Desk, qualified: list[int], tmp_path: Path
) -> None:
    target = tmp_path / "out.csv"

    def meanwhile(done: int, total: int) -> None:
        # While the file is written, a team lead puts a lead's number on do-not-call.
        add_number(desk, _lead(desk, qualified[0]).phone_e164, region=None, by="lee")

    with pytest.raises(QualdeskError, match="nothing handed off"):
        export_leads(desk, out=target, progress=meanwhile, by=Actor("lee", "lead"))
    assert not target.exists() and list(tmp_path.glob(".out.csv.*")) == []
    # The three share the number, so all three left the desk; none was handed off.
    assert {_lead(desk, i).stage for i in qualified} == {"disqualified"}
    with desk.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(HandOff)) == 0


def test_export_refuses_before_writing(desk: Desk, qualified: list[int], tmp_path: Path) -> None:
    taken = tmp_path / "taken.csv"
    taken.write_text("sales' own file", encoding="utf-8")
    with pytest.raises(QualdeskError, match="already there"):
        export_leads(desk, out=taken, by=Actor("lee", "lead"))
    assert taken.read_text(encoding="utf-8") == "sales' own file"
    with pytest.raises(QualdeskError, match="does not exist"):
        export_leads(desk, out=tmp_path / "missing" / "out.csv", by=Actor("lee", "lead"))
    with pytest.raises(QualdeskError, match="--profile"):
        export_leads(desk, out=tmp_path / "x.csv", profile="zoho", by=Actor("lee", "lead"))
    with pytest.raises(QualdeskError, match="no export batch"):
        export_again(desk, 42, out=tmp_path / "y.csv", by=Actor("lee", "lead"))
    assert all(_lead(desk, i).stage == "sales" for i in qualified)
    folder = export_leads(desk, out=tmp_path, by=Actor("lee", "lead"))
    assert folder.file is not None and folder.file.parent == tmp_path


def test_feedback_reads_what_sales_send(desk: Desk, qualified: list[int], tmp_path: Path) -> None:
    a, b, c = qualified
    email = "ada@example.com"
    with desk.db.writing() as session:
        lead = session.get(Lead, a)
        assert lead is not None
        lead.email = email
        session.add(lead)
    export_leads(desk, out=tmp_path / "out.csv", by=Actor("lee", "lead"))
    path = tmp_path / "crm export.csv"
    # Windows-1252, semicolons, CRM header names, an email instead of the id, a bad row.
    path.write_bytes(
        (
            "Qualdesk Lead ID;E-mail;Lead Status;Comments;Decision Date\r\n"
            f";{email.upper()};Approved;;\r\n"
            f"{b};;Declined;Budget frozen – café closed;23/11/2026\r\n"
            f"{c};;maybe;;\r\n"
            f"{b};;accepted;;\r\n"
            ";;;;\r\n"
        ).encode("cp1252")
    )
    read = read_feedback(desk, path, by=Actor("lee", "lead"))
    assert (read.accepted, read.rejected, read.refused, read.blank) == (1, 1, 2, 1)
    assert read.notice and "Windows-1252" in read.notice
    assert dict(read.issues) == {
        4: "Lead Status 'maybe' is not one of sales' words "
        "(add it to [sales.verdicts] in the rules)",
        5: f"lead #{b} already has a verdict on line 3",
    }
    assert _lead(desk, b).sales_reason == "Budget frozen – café closed"
    # Refused rows go back as sales sent them, with their line and reason first.
    refused = Path(read.rejects_file or "").read_text(encoding="utf-8-sig").splitlines()
    assert refused == [
        "Reject Line;Reject Reason;Qualdesk Lead ID;E-mail;Lead Status;Comments;Decision Date",
        f"4;{dict(read.issues)[4]};{c};;maybe;;",
        f"5;lead #{b} already has a verdict on line 3;{b};;accepted;;",
    ]
    assert _lead(desk, c).stage == "handed_off"


def test_a_verdict_file_without_the_needed_columns_is_refused_whole(
    desk: Desk, qualified: list[int], tmp_path: Path
) -> None:
    path = tmp_path / "v.csv"
    path.write_text("Name,Verdict\nAda,accepted\n", encoding="utf-8")
    with pytest.raises(FileRefused, match="no column names the lead"):
        read_feedback(desk, path, by=Actor("lee", "lead"))
    path.write_text("Lead ID,Name\n1,Ada\n", encoding="utf-8")
    with pytest.raises(FileRefused, match="no verdict column"):
        read_feedback(desk, path, by=Actor("lee", "lead"))
    with desk.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(SalesVerdict)) == 0


def test_a_lead_not_yet_handed_off_is_reported_not_guessed(
    desk: Desk, qualified: list[int], tmp_path: Path
) -> None:
    path = tmp_path / "v.csv"
    path.write_text(f"id,verdict\n{qualified[0]},accepted\n", encoding="utf-8")
    read = read_feedback(desk, path, dry_run=True, by=Actor("lee", "lead"))
    assert read.refused == 1 and "not yet handed off" in read.issues[0][1]
    assert _lead(desk, qualified[0]).stage == "sales"


def test_figures_of_all_time_agree_with_counting_every_touch(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    make_leads("ny:a", "ny:b", "uk")
    for rep, qualify in ((reps["ana"], True), (reps["ben"], False), (reps["ana"], False)):
        claim = claim_next(desk, rep)
        assert claim is not None
        log_touch(desk, claim, "email", "sent the deck")
        log_touch(desk, claim, "email", "and the pricing")
        if qualify:
            for key in QUALIFYING:
                set_criterion(desk, claim, key, True)
        clock.now += timedelta(minutes=7)
        end_call(desk, claim, "connected" if qualify else "busy")
    now = clock()
    every_day = typed_period("2000-01-01", None, now, ZONE)
    counted = team_figures(desk, every_day, ZONE).as_json()["reps"]
    kept = team_figures(desk, named_period("all", now, ZONE), ZONE).as_json()["reps"]
    assert kept == counted
    ana = next(r for r in kept if r["rep"] == "ana")
    assert (ana["touches"], ana["calls"], ana["connects"], ana["leads_touched"]) == (6, 2, 1, 2)
    assert ana["by_channel"] == {"email": 4, "phone": 2} and ana["talk_seconds"] == 420
    assert ana["channel_variety"] == 2.0 and ana["attempts_per_lead"] == 1.0
    with desk.db.writing() as session:
        before = session.execute(text("SELECT * FROM rep_touch_totals ORDER BY 1, 2, 3")).all()
        pairs = session.execute(text("SELECT * FROM rep_lead_totals ORDER BY 1, 2")).all()
        rebuild_touch_totals(session)
        assert (
            session.execute(text("SELECT * FROM rep_touch_totals ORDER BY 1, 2, 3")).all() == before
        )
        assert session.execute(text("SELECT * FROM rep_lead_totals ORDER BY 1, 2")).all() == pairs


def test_a_rep_who_left_still_shows_where_they_worked(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    make_leads("ny:a")
    _work(desk, reps["ben"], clock, qualify=False)
    add_rep(desk, "cleo", "Cleo Park", "rep", ZONE)
    for handle in ("ben", "cleo"):
        set_active(desk, handle, False, by=administrator())
    shown = [r["rep"] for r in _figures(desk, clock)["reps"]]
    assert shown == ["ana", "ben"]
