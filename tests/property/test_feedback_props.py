"""Whatever file sales send back, the feedback reader counts every row and never crashes.

For any bytes: either the file is refused whole, in one line, with nothing
written; or every row read is exactly one of accepted, rejected, pending,
unchanged, refused or blank, every refused row is in the rejects file with
its line and reason, the desk recorded exactly the verdicts and outcomes
counted, and reading the same file again changes nothing and writes nothing.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from qualdesk.core.errors import QualdeskError
from qualdesk.core.feedback import FEEDBACK_ALIASES
from qualdesk.core.headers import REJECT_COLUMNS
from qualdesk.db.models import FeedbackBatch, SalesOutcome, SalesVerdict
from qualdesk.services.access import Actor
from qualdesk.services.handoff.feedback import FeedbackSummary, read_feedback
from tests.property.conftest import EMAILS, Stages, Template, count, fresh_desk
from tests.property.files import as_bytes, assert_one_line, csv_text, nasty_text, rarely, spelled

LEAD_IDS = [str(n) for n in range(1, 10)] + [
    "#4", "4.0", " 5 ", "４", "²", "-1", "0", "99999999999999999", "1e3", "abc", "",
]  # fmt: skip
# A generic id column may hold the CRM's own ids: Salesforce's, HubSpot's.
CRM_IDS = [*LEAD_IDS, "00Q5g00000AbCdEFGH", "00Q5g00000AbCdE", "5120", "12345678901"]
OTHER_EMAILS = ["nobody@example.com", "", "LEAD1@EXAMPLE.COM", " lead2@example.com "]
VERDICTS = [
    "accepted", "Accepted", "ACCEPT", "yes", "Y", "ok", "SAL", "true", "Approved",
    "rejected", "Rejected", "no", "n", "declined", "false", "Returned", " rejected ",
    "maybe", "pending", "",
    "Closed - Converted", "Closed - Not Converted", "Open - Not Contacted", "Working - Contacted",
    "salesqualifiedlead", "Sales Qualified Lead", "opportunity", "customer", "lead", "Other",
    "BAD_TIMING", "Unqualified", "NEW", "IN_PROGRESS", "Attempted to contact", "OPEN_DEAL",
    "Closed Won", "closedlost", "Prospecting", "contractsent", "won", "lost", "open",
]  # fmt: skip
AMOUNTS = ["", "12500", "12,500.00", "$12,500", "€1.234,56", "12,5", "-5", "abc", "1e3", "0"]
REASONS = ["", "no budget", "Budget frozen – café closed", "  spaced   out  ", "x" * 300]
DATES = [
    "", "2026-11-23", "23/11/2026", "11/22/2026", "2026-11-22T10:00:00Z", "2026-11-01", "Nov 22",
    "yesterday", "2100-01-01", "2026-11-24", "1/2/3", "12", "0", "2026-11-22 25:00",
    "2026-11-22 10:00 EST", "2026-11-22 14:00 +1400", "2026-11-22T10:00:00+99:00",
    "0001-01-01 00:00 +0100", "0001-01-01 00:00 -0100", "9999-12-31 23:59 -0500",
    "9999-12-31 23:59 +0500", "99999999999999999999",
]  # fmt: skip
ZONES = ["UTC", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago"]


def _cell(field: str | None) -> st.SearchStrategy[str]:
    plausible = {
        "lead_id": st.sampled_from(LEAD_IDS),
        "crm_id": st.sampled_from(CRM_IDS),
        "email": st.sampled_from(sorted(set(EMAILS.values())) + OTHER_EMAILS),
        "status": st.sampled_from(VERDICTS),
        "lifecycle": st.sampled_from(VERDICTS),
        "stage": st.sampled_from(VERDICTS),
        "opportunity_id": st.sampled_from(["", "0065g00000XyZabCDE"]),
        "amount": st.sampled_from(AMOUNTS),
        "closed": st.sampled_from(DATES),
        "reason": st.sampled_from(REASONS),
        "date": st.sampled_from(DATES) | st.datetimes().map(str) | st.dates().map(str),
        "reject": st.sampled_from(["", "3", "no verdict given"]),
    }.get(field or "", st.sampled_from(["", "note"]))
    return rarely(12).flatmap(lambda hostile: nasty_text if hostile else plausible)


@st.composite
def verdict_files(draw: st.DrawFn) -> bytes:
    """The bytes of a verdict file as a CRM might export one, or of any file at all."""
    if draw(rarely(15)):
        return draw(st.binary(max_size=200))

    def column(fields: tuple[str, ...]) -> st.SearchStrategy[tuple[str, str | None]]:
        return st.sampled_from(fields).flatmap(
            lambda field: (
                st.sampled_from(FEEDBACK_ALIASES[field])
                .flatmap(spelled)
                .map(lambda name: (name, field))
            )
        )

    header = []
    if not draw(rarely(15)):
        header.append(draw(column(("status", "lifecycle", "stage"))))
    if not draw(rarely(15)):
        header.append(draw(column(("lead_id", "crm_id", "email"))))
    unknown = st.sampled_from(["Name", "Owner", ""]) | nasty_text
    others = st.one_of(
        column(tuple(FEEDBACK_ALIASES)),
        st.sampled_from(REJECT_COLUMNS).map(lambda name: (name, "reject")),
        rarely(3).flatmap(lambda odd: unknown if odd else st.just("Name")).map(lambda n: (n, None)),
    )
    header += draw(st.lists(others, max_size=4))
    header = list(draw(st.permutations(header)))
    fields = [field for _, field in header]
    rows = draw(st.lists(st.tuples(*map(_cell, fields)).map(list), min_size=1, max_size=8))
    for index in range(len(rows)):
        change = draw(st.integers(0, 20))
        if change == 0:
            rows[index] = rows[index][:-1]
        elif change == 1:
            rows[index] = [*rows[index], draw(nasty_text)]
        elif change == 2:
            rows[index] = [""] * len(fields)
    text, _ = draw(csv_text([name for name, _ in header], rows))
    return draw(as_bytes(text))


def _check_balanced(summary: FeedbackSummary) -> None:
    parts = (
        summary.accepted + summary.rejected + summary.pending + summary.unchanged
        + summary.refused + summary.blank + summary.not_on_desk + summary.handed_back
        + summary.footer
    )  # fmt: skip
    assert summary.rows_read == parts, summary
    assert summary.outcomes <= summary.rows_read - summary.blank - summary.refused
    assert summary.without_reason <= summary.rejected
    assert len(summary.issues) <= min(summary.refused, 20)
    for _, reason in summary.issues:
        assert_one_line(reason)
    if summary.notice:
        assert_one_line(summary.notice)


def _check_rejects_file(summary: FeedbackSummary) -> None:
    """Every refused row is in the rejects file with its line and reason."""
    assert summary.rejects_file is not None
    with open(summary.rejects_file, encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
        handle.seek(0)
        delimiter = first[len(REJECT_COLUMNS[0])]
        rows = list(csv.reader(handle, delimiter=delimiter, strict=True))
    assert rows[0][:2] == list(REJECT_COLUMNS)
    written = [(int(row[0]), row[1]) for row in rows[1:]]
    assert len(written) == summary.refused
    for _, reason in written:
        assert_one_line(reason)
    assert set(summary.issues) <= set(written)


REGRESSIONS = [
    # A lead id written as a superscript digit passed isdigit() and crashed int().
    b"Lead ID,Verdict\n\xc2\xb2,accepted\n",
    # A date at the very edge of the calendar overflowed when moved into the reader's zone.
    b"Lead ID,Verdict,Date\n1,accepted,0001-01-01 00:00 +0100\n2,rejected,9999-12-31 23:59 -0500\n",
    # An email with a control character in it broke the reason over two lines.
    b"Email,Verdict\nl\x0bead1@example.com,accepted\n",
    # A zone name dateutil cannot read printed its warning on the user's terminal.
    b"Lead ID,Verdict,Date\n1,accepted,2026-11-22 10:00 EST\n",
]


@settings(
    max_examples=120,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    data=verdict_files(),
    zone=st.sampled_from(ZONES),
    dry_run=st.sampled_from([False, False, True]),
)
@example(data=REGRESSIONS[0], zone="UTC", dry_run=False)
@example(data=REGRESSIONS[1], zone="America/New_York", dry_run=False)
@example(data=REGRESSIONS[2], zone="UTC", dry_run=False)
@example(data=REGRESSIONS[3], zone="UTC", dry_run=False)
@pytest.mark.filterwarnings("error")  # a warning would reach the user's terminal
def test_every_verdict_row_is_applied_unchanged_refused_or_blank(
    feedback_template: Template, stages: Stages, data: bytes, zone: str, dry_run: bool
) -> None:
    with fresh_desk(feedback_template) as (desk, folder):
        path = folder / "verdicts.csv"
        path.write_bytes(data)
        before = stages(desk)
        verdicts, batches = count(desk, SalesVerdict.id), count(desk, FeedbackBatch.id)
        outcomes = count(desk, SalesOutcome.id)
        try:
            summary = read_feedback(
                desk, path, by=Actor("prop", "lead"), zone_name=zone, dry_run=dry_run
            )
        except QualdeskError as exc:
            event("refused whole")
            assert_one_line(str(exc))
            assert stages(desk) == before
            assert count(desk, SalesVerdict.id) == verdicts
            assert _others(folder) == []
            return
        _check_balanced(summary)
        for part in (
            "accepted",
            "rejected",
            "pending",
            "unchanged",
            "refused",
            "blank",
            "not_on_desk",
            "footer",
            "outcomes",
        ):
            if getattr(summary, part):
                event(f"some rows {part}")
        applied = summary.accepted + summary.rejected
        after = stages(desk)
        if dry_run:
            assert after == before and summary.rejects_file is None and _others(folder) == []
            return
        assert count(desk, SalesVerdict.id) == verdicts + applied
        assert count(desk, SalesOutcome.id) == outcomes + summary.outcomes
        assert sum(after[n] != before[n] for n in before) == applied
        if summary.already_batch is not None:  # the template's own file, drawn again
            assert count(desk, FeedbackBatch.id) == batches and _others(folder) == []
            return
        if summary.rows_read > summary.blank:
            assert count(desk, FeedbackBatch.id) == batches + 1
        if summary.refused:
            _check_rejects_file(summary)
        else:
            assert summary.rejects_file is None and _others(folder) == []

        files = _others(folder)
        again = read_feedback(desk, path, by=Actor("prop", "lead"), zone_name=zone)
        _check_balanced(again)
        assert (again.accepted, again.rejected, again.outcomes) == (0, 0, 0), (
            "reading a file twice changed the desk"
        )
        assert stages(desk) == after
        assert count(desk, SalesOutcome.id) == outcomes + summary.outcomes
        assert (again.pending, again.unchanged, again.refused, again.not_on_desk) == (
            summary.pending, summary.unchanged + summary.accepted + summary.rejected,
            summary.refused, summary.not_on_desk,
        )  # fmt: skip
        if again.rows_read > again.blank:
            assert again.already_batch == summary.batch_id and again.rejects_file is None
            assert count(desk, FeedbackBatch.id) == batches + 1 and _others(folder) == files


def _others(folder: Path) -> list[str]:
    """Files in the example's folder besides the database and the verdict file."""
    return sorted(
        p.name for p in folder.iterdir() if not p.name.startswith(("desk.db", "verdicts."))
    )
