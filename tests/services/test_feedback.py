"""Sales' files in their CRM's own words: lead reports, contacts, opportunities and deals."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, func, select

from qualdesk.db.models import FeedbackBatch, HandOff, Lead, Rep, SalesOutcome, SalesVerdict
from qualdesk.services.access import Actor
from qualdesk.services.calling.calls import end_call, set_criterion
from qualdesk.services.calling.queue import claim_next
from qualdesk.services.desk import Desk
from qualdesk.services.handoff.export import export_leads
from qualdesk.services.handoff.feedback import FeedbackSummary, read_feedback
from qualdesk.services.rules import load_rules
from tests.conftest import REPO, FrozenClock
from tests.services.conftest import Make

QUALIFYING = ("vertical", "pains", "budget", "urgency")
ZONE = "America/New_York"


@pytest.fixture
def handed(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock, tmp_path: Path
) -> list[int]:
    """Five leads qualified and handed off to sales, lead n at lead<n>@example.com."""
    make_leads("ny:a", "ny:b", "ny:c", "ny:d", "ny:e")
    ids = []
    for _ in range(5):
        claim = claim_next(desk, reps["ana"])
        assert claim is not None
        for key in QUALIFYING:
            set_criterion(desk, claim, key, True, note=key)
        end_call(desk, claim, "connected", notes="qualified")
        clock.now += timedelta(minutes=5)
        ids.append(claim.lead_id)
    with desk.db.writing() as session:
        for lead_id in ids:
            lead = session.get(Lead, lead_id)
            assert lead is not None
            lead.email = f"lead{lead_id}@example.com"
            session.add(lead)
    export_leads(desk, out=tmp_path / "handoff.csv", profile="salesforce", by=Actor("lee", "lead"))
    clock.now += timedelta(hours=1)
    return ids


def _lead(desk: Desk, lead_id: int) -> Lead:
    with desk.db.reading() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return lead


def _count(desk: Desk, column: object) -> int:
    with desk.db.reading() as session:
        return int(session.scalar(select(func.count(col(column)))) or 0)  # type: ignore[arg-type]


def _read(desk: Desk, folder: Path, name: str, text: str) -> FeedbackSummary:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return read_feedback(desk, path, by=Actor("lee", "lead"), zone_name=ZONE)


def _counts(summary: FeedbackSummary) -> dict[str, int]:
    parts = ("accepted", "rejected", "pending", "unchanged", "outcomes", "refused")
    return {part: getattr(summary, part) for part in parts if getattr(summary, part)}


def test_a_salesforce_lead_report_reads_as_exported(
    desk: Desk, handed: list[int], tmp_path: Path
) -> None:
    a, b, c, d, _ = handed
    # Salesforce's own 18-character Lead ID beside the Qualdesk Lead ID our export writes.
    read = _read(
        desk,
        tmp_path,
        "report1607.csv",
        (
            '"Lead ID","First Name","Last Name","Company / Account","Email","Lead Status",'
            '"Qualdesk Lead ID","Converted Opportunity ID","Unqualified Reason"\n'
            f'"00Q5g00000AbCdEFGH","Ada","Byron","Analytical","lead{a}@example.com",'
            f'"Closed - Converted","{a}","0065g00000XyZabCDE",""\n'
            f'"00Q5g00000AbCdEFGI","Ben","Okafor","Navy","lead{b}@example.com",'
            f'"Closed - Not Converted","{b}","","No budget this year"\n'
            f'"00Q5g00000AbCdEFGJ","Cy","Ng","Acme","lead{c}@example.com","Working - Contacted",'
            f'"{c}","",""\n'
            # No Qualdesk Lead ID: the email names the lead, not Salesforce's id.
            f'"00Q5g00000AbCdEFGK","Di","Fox","Acme","LEAD{d}@example.com","Open - Not Contacted",'
            '"","",""\n'
            '"00Q5g00000AbCdEFGL","Ed","Ray","Acme","","Closed - Converted","","",""\n'
        ),
    )
    assert _counts(read) == {
        "accepted": 1,
        "rejected": 1,
        "pending": 2,
        "outcomes": 1,
        "refused": 1,
    }
    assert read.issues == [
        (
            6,
            "Lead ID '00Q5g00000AbCdEFGL' is not a qualdesk lead id; export the Qualdesk "
            "Lead ID column (or Email) with the verdicts",
        ),
    ]
    assert [_lead(desk, i).stage for i in handed] == [
        "accepted",
        "rejected",
        "handed_off",
        "handed_off",
        "handed_off",
    ]
    assert _lead(desk, b).sales_reason == "No budget this year"
    # The converted opportunity is the lead's first outcome.
    assert _lead(desk, a).outcome == "opportunity"
    with desk.db.reading() as session:
        outcome = session.scalars(select(SalesOutcome)).one()
        assert (outcome.lead_id, outcome.word) == (a, "Converted Opportunity ID 0065g00000XyZabCDE")
        batch = session.get(FeedbackBatch, read.batch_id)
        assert batch is not None and (batch.pending, batch.outcomes) == (2, 1)
        assert session.scalar(select(func.count(col(SalesVerdict.id)))) == 2


def test_the_desks_id_wins_and_a_crm_record_number_is_never_taken_for_a_lead(
    desk: Desk, handed: list[int], tmp_path: Path
) -> None:
    a, b, c, d, e = handed
    read = _read(
        desk,
        tmp_path,
        "hubspot-contacts.csv",
        (
            "Record ID,First Name,Email,Lifecycle Stage,Lead Status,Lead status reason\n"
            # HubSpot's own record ids: one no lead on the desk, one that is lead c's number.
            f"9051,Ada,lead{a}@example.com,Sales Qualified Lead,Connected,\n"
            f"{c},Ben,lead{b}@example.com,Lead,Unqualified,No fit\n"
            f"9151,Cy,lead{c}@example.com,Customer,,\n"
            f"9201,Di,lead{d}@example.com,Marketing Qualified Lead,Attempted to contact,\n"
            f"9251,Ed,lead{e}@example.com,Opportunity,Unqualified,\n"
            f"{d},Fay,nobody@example.com,Customer,,\n"
        ),
    )
    assert _counts(read) == {
        "accepted": 2,
        "rejected": 1,
        "pending": 1,
        "outcomes": 1,
        "refused": 1,
    }
    # Fay's Record ID is lead d's number, but HubSpot's own: her email is on no lead.
    assert read.not_on_desk == 1
    assert dict(read.issues) == {
        6: "Lifecycle Stage 'Opportunity' says accepted but Lead Status 'Unqualified' says "
        "rejected",
    }
    assert [_lead(desk, i).stage for i in handed] == [
        "accepted",
        "rejected",
        "accepted",
        "handed_off",
        "handed_off",
    ]
    assert (_lead(desk, b).sales_reason, _lead(desk, c).outcome) == ("No fit", "won")

    # With the Qualdesk Lead ID, the desk's id is read whatever the Lead ID says.
    again = _read(
        desk,
        tmp_path,
        "with-desk-id.csv",
        (f"Lead ID,Qualdesk Lead ID,Email,Lead Status\n{a},{d},lead{a}@example.com,Unqualified\n"),
    )
    assert _counts(again) == {"rejected": 1}
    assert (_lead(desk, a).stage, _lead(desk, d).stage) == ("accepted", "rejected")


def test_a_lead_still_open_in_sales_system_is_pending_and_starts_nothing(
    desk: Desk, handed: list[int], tmp_path: Path
) -> None:
    a, b, *_ = handed
    first = _read(desk, tmp_path, "v1.csv", f"Qualdesk Lead ID,Lead Status\n{a},Accepted\n")
    assert _counts(first) == {"accepted": 1}
    verdicts = _count(desk, SalesVerdict.id)
    read = _read(
        desk,
        tmp_path,
        "v2.csv",
        (f"Qualdesk Lead ID,Lead Status\n{a},Working - Contacted\n{b},IN_PROGRESS\n"),
    )
    assert _counts(read) == {"pending": 2} and read.rejects_file is None
    assert (_lead(desk, a).stage, _lead(desk, b).stage) == ("accepted", "handed_off")
    assert _count(desk, SalesVerdict.id) == verdicts
    assert read.as_json()["pending"] == 2 and read.as_json()["outcomes"] == 0


def test_reading_the_same_file_again_writes_nothing(
    desk: Desk, handed: list[int], tmp_path: Path, clock: FrozenClock
) -> None:
    a, b, *_ = handed
    text = f"Lead ID,Status,Reason\n{a},accepted,\n{b},maybe,\n{b},open,\n"
    first = _read(desk, tmp_path, "v.csv", text)
    assert _counts(first) == {"accepted": 1, "refused": 1, "pending": 1}
    assert first.batch_id == 1 and first.rejects_file is not None
    clock.now += timedelta(days=1)
    files = sorted(p.name for p in tmp_path.iterdir())
    again = _read(desk, tmp_path, "v.csv", text)
    assert _counts(again) == {"unchanged": 1, "refused": 1, "pending": 1}
    assert again.already == "already read as feedback batch 1 on 2026-11-23; nothing changed"
    assert again.batch_id is None and again.rejects_file is None
    assert sorted(p.name for p in tmp_path.iterdir()) == files
    assert _count(desk, FeedbackBatch.id) == 1
    assert again.as_json()["already_read"] == {"batch_id": 1, "on": "2026-11-23"}

    # A later file changed the verdict: the old file read again is applied as usual.
    assert _counts(_read(desk, tmp_path, "v2.csv", f"Lead ID,Status\n{a},rejected\n")) == {
        "rejected": 1
    }
    third = _read(desk, tmp_path, "v.csv", text)
    assert _counts(third) == {"accepted": 1, "refused": 1, "pending": 1}
    assert third.batch_id == 3 and third.already is None and third.rejects_file is not None
    assert _lead(desk, a).stage == "accepted"


def test_opportunities_and_outcomes_are_kept_as_history(
    desk: Desk, handed: list[int], tmp_path: Path, clock: FrozenClock
) -> None:
    a, b, c, d, e = handed
    _read(desk, tmp_path, "v.csv", f"Lead ID,Status,Reason\n{a},accepted,\n{c},rejected,late\n")
    clock.now += timedelta(days=3)
    # A Salesforce Opportunity report: no verdict column.
    opportunities = _read(
        desk,
        tmp_path,
        "opportunities.csv",
        (
            "Opportunity ID,Opportunity Name,Stage,Amount,Close Date,Qualdesk Lead ID\n"
            f'0065g00000XyZab001,Acme renewal,Proposal/Price Quote,"$12,500.00",2026-12-20,{a}\n'
            f"0065g00000XyZab002,Navy pilot,Prospecting,5000,,{b}\n"
            f"0065g00000XyZab003,Late deal,Closed Won,9000,2026-11-01,{c}\n"
            f"0065g00000XyZab004,Big deal,Closed Won,lots,2026-11-01,{d}\n"
            f'0065g00000XyZab005,Euro deal,Closed Won,"€1.234,56",2026-11-25,{e}\n'
        ),
    )
    assert _counts(opportunities) == {"accepted": 2, "unchanged": 1, "outcomes": 3, "refused": 2}
    assert dict(opportunities.issues) == {
        4: f"sales rejected lead #{c}; an outcome needs it accepted first, or a verdict of "
        "accepted on the same row",
        5: "amount 'lots' is not an amount (write 12500.00 or 12,500.00)",
    }
    lead = _lead(desk, a)
    assert (lead.outcome, lead.outcome_cents, lead.outcome_on) == (
        "opportunity",
        1_250_000,
        date(2026, 12, 20),
    )
    # An outcome accepts a lead sales had not yet judged: decided when it closed, or now.
    with desk.db.reading() as session:
        implied = {
            v.lead_id: (v.verdict, v.reason, v.decided_at)
            for v in session.scalars(select(SalesVerdict).where(col(SalesVerdict.lead_id) != a))
            if v.verdict == "accepted"
        }
    noon = datetime.combine(date(2026, 11, 25), time(12), ZoneInfo(ZONE))
    assert implied == {b: ("accepted", "", clock()), e: ("accepted", "", noon)}
    assert (_lead(desk, b).stage, _lead(desk, e).outcome_cents) == ("accepted", 123_456)

    clock.now += timedelta(days=2)
    # A HubSpot deals export: a won deal, and b's open deal as it was.
    won = _read(
        desk,
        tmp_path,
        "deals.csv",
        (
            "Record ID,Deal Name,Deal Stage,Amount,Close Date,Qualdesk Lead ID\n"
            f'7001,Acme renewal,closedwon,"13,000",2026-11-27,{a}\n'
            f"7002,Navy pilot,Prospecting,5000,,{b}\n"
        ),
    )
    assert _counts(won) == {"unchanged": 2, "outcomes": 1}
    with desk.db.reading() as session:
        history = session.execute(
            select(
                SalesOutcome.outcome,
                SalesOutcome.word,
                SalesOutcome.amount_cents,
                SalesOutcome.closed_on,
            )
            .where(col(SalesOutcome.lead_id) == a)
            .order_by(col(SalesOutcome.id))
        ).all()
    assert [tuple(row) for row in history] == [
        ("opportunity", "Proposal/Price Quote", 1_250_000, date(2026, 12, 20)),
        ("won", "closedwon", 1_300_000, date(2026, 11, 27)),
    ]
    lead = _lead(desk, a)
    assert (lead.outcome, lead.outcome_cents, lead.outcome_on) == (
        "won",
        1_300_000,
        date(2026, 11, 27),
    )

    # A lead report read again names the opportunity it converted to: the win stands.
    report = _read(
        desk,
        tmp_path,
        "leads.csv",
        (
            "Qualdesk Lead ID,Lead Status,Converted Opportunity ID\n"
            f"{a},Closed - Converted,0065g00000XyZab001\n"
        ),
    )
    assert _counts(report) == {"unchanged": 1} and _lead(desk, a).outcome == "won"
    # Rejected and won on one row says two things: refused, naming both.
    both = _read(
        desk,
        tmp_path,
        "both.csv",
        (
            f"Qualdesk Lead ID,Lead Status,Stage\n{b},Closed - Not Converted,Closed Won\n"
            f"{a},Closed - Converted,closedwon\n"
        ),
    )
    assert both.issues == [
        (2, "Lead Status 'Closed - Not Converted' says rejected but Stage 'Closed Won' says won")
    ]


def test_a_status_added_in_the_rules_file_is_read_without_code(
    desk: Desk, handed: list[int], tmp_path: Path
) -> None:
    a, b, *_ = handed
    text = f"Qualdesk Lead ID,Lead Status\n{a},Nurturing\n{b},Accepted\n"
    before = _read(desk, tmp_path, "v.csv", text)
    assert before.issues == [
        (
            2,
            "Lead Status 'Nurturing' is not one of sales' words "
            "(add it to [sales.verdicts] in the rules)",
        ),
    ]
    rules = (REPO / "data" / "desk.toml").read_text(encoding="utf-8")
    assert 'pending = [\n    "pending",' in rules
    custom = tmp_path / "desk.toml"
    custom.write_text(
        rules.replace('pending = [\n    "pending",', 'pending = [\n    "pending", "Nurturing",'),
        encoding="utf-8",
    )
    load_rules(desk, custom, Actor("lee", "lead"))
    after = _read(desk, tmp_path, "v.csv", text)
    assert _counts(after) == {"pending": 1, "unchanged": 1}
    assert after.already is not None and _lead(desk, a).stage == "handed_off"


def test_a_rejection_after_sales_reported_an_outcome_is_refused(
    desk: Desk, handed: list[int], tmp_path: Path
) -> None:
    """A lead won (or an open opportunity) cannot be rejected by a later lead report."""
    a, b, *_ = handed
    _read(
        desk, tmp_path, "opps.csv",
        "Qualdesk Lead ID,Stage,Amount,Close Date\n"
        f"{a},Closed Won,45000,2026-11-23\n{b},Prospecting,1000,2027-02-01\n",
    )  # fmt: skip
    late = _read(
        desk, tmp_path, "leads.csv",
        "Qualdesk Lead ID,Lead Status,Unqualified Reason\n"
        f"{a},Closed - Not Converted,Duplicate\n{b},Closed - Not Converted,No budget\n",
    )  # fmt: skip
    assert _counts(late) == {"refused": 2}
    assert dict(late.issues) == {
        2: f"sales already reported lead #{a} as won; a rejection now contradicts it "
        "(correct the opportunity first, or leave the lead out)",
        3: f"sales already reported lead #{b} as an opportunity; a rejection now contradicts "
        "it (correct the opportunity first, or leave the lead out)",
    }
    assert (_lead(desk, a).stage, _lead(desk, a).outcome) == ("accepted", "won")


def test_a_crm_export_of_every_contact_skips_those_the_desk_never_had(
    desk: Desk, handed: list[int], tmp_path: Path
) -> None:
    """A HubSpot contacts export holds marketing's whole database: most are no lead here."""
    a = handed[0]
    strangers = "".join(f"{900 + n},person{n}@other.example,Subscriber,\n" for n in range(50))
    read = _read(
        desk, tmp_path, "all-contacts.csv",
        "Record ID,Email,Lifecycle Stage,Lead Status\n"
        f"{a},lead{a}@example.com,Sales Qualified Lead,Connected\n" + strangers,
    )  # fmt: skip
    assert _counts(read) == {"accepted": 1}
    assert (read.not_on_desk, read.refused, read.rejects_file) == (50, 0, None)
    # A file naming no lead on the desk at all is a mistake, not a quiet success.
    none = _read(desk, tmp_path, "others.csv", "Email,Lead Status\nx@other.example,Open\n")
    assert none.not_on_desk == 1 and none.every_row_refused
    wrong = _read(
        desk, tmp_path, "wrong.csv",
        "Email,Lead Status\nx@other.example,Open\ny@other.example,Maybe\n",
    )  # fmt: skip
    assert (wrong.not_on_desk, wrong.refused, wrong.every_row_refused) == (1, 1, True)


def test_a_reports_footer_under_the_data_is_ignored(
    desk: Desk, handed: list[int], tmp_path: Path
) -> None:
    """Salesforce's classic report export ends with who generated it and a copyright line."""
    a, b, *_ = handed
    read = _read(
        desk, tmp_path, "report.csv",
        '"Qualdesk Lead ID","Lead Status","Unqualified Reason"\n'
        f'"{a}","Closed - Converted",""\n"{b}","Working - Contacted",""\n'
        '\n\n"Acme Corp"\n"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n'
        '"Confidential Information - Do Not Distribute"\n"Generated By:  Lee Morgan  12/5/2026"\n',
    )  # fmt: skip
    assert _counts(read) == {"accepted": 1, "pending": 1}
    assert (read.blank, read.footer, read.refused) == (2, 4, 0)


def test_an_acceptance_an_old_close_date_implies_is_dated_no_earlier_than_the_hand_off(
    desk: Desk, handed: list[int], tmp_path: Path
) -> None:
    a = handed[0]
    _read(
        desk,
        tmp_path,
        "opps.csv",
        f"Qualdesk Lead ID,Stage,Close Date\n{a},Closed Won,2026-01-05\n",
    )
    with desk.db.reading() as session:
        verdict = session.scalars(select(SalesVerdict).where(SalesVerdict.lead_id == a)).one()
        handoff = session.scalars(select(HandOff).where(HandOff.lead_id == a)).one()
    assert verdict.verdict == "accepted" and verdict.decided_at == handoff.handed_off_at
    assert _lead(desk, a).outcome_on == date(2026, 1, 5)
