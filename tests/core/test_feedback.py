"""Sales' verdict files read in the CRM's words: headers, words, amounts, what a row changes."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from qualdesk.core.errors import FileRefused
from qualdesk.core.feedback import (
    map_feedback_header,
    read_amount,
    read_close_date,
    read_outcome,
    read_verdict,
)
from qualdesk.core.rules import DeskRules, parse_rules
from qualdesk.core.verdicts import Change, LeadNow, RowWords, Said, change_for, read_row_words
from tests.conftest import NOW, REPO

GOLDEN = REPO / "tests" / "data" / "golden"


@pytest.fixture(scope="module")
def shipped() -> DeskRules:
    return parse_rules((REPO / "data" / "desk.toml").read_text(encoding="utf-8"))


def _golden(name: str) -> list[tuple[str, str | None]]:
    with (GOLDEN / name).open(encoding="utf-8", newline="") as handle:
        return [(row["word"], row["meaning"] or None) for row in csv.DictReader(handle)]


@pytest.mark.parametrize(("word", "meaning"), _golden("crm-verdicts.csv"))
def test_the_shipped_rules_read_every_crm_status(
    shipped: DeskRules, word: str, meaning: str | None
) -> None:
    """Salesforce Lead Status, HubSpot lifecycle stages and lead statuses, the desk's own
    words; any case, spacing or punctuation. An empty meaning: not a verdict word."""
    assert read_verdict(word, shipped.sales.verdicts) == meaning


@pytest.mark.parametrize(("word", "meaning"), _golden("crm-outcomes.csv"))
def test_the_shipped_rules_read_every_opportunity_stage(
    shipped: DeskRules, word: str, meaning: str | None
) -> None:
    """Salesforce Opportunity stages and HubSpot deal stages; an empty meaning: none."""
    assert read_outcome(word, shipped.sales.outcomes) == meaning


def _header(*columns: str) -> dict[str, tuple[str, ...]]:
    mapped = map_feedback_header(list(columns), "v.csv")
    return {name: tuple(columns[i] for i in places) for name, places in mapped.fields.items()}


def test_the_desks_own_id_comes_before_a_crm_id() -> None:
    salesforce = _header(
        "Lead ID", "Email", "Lead Status", "Qualdesk Lead ID", "Unqualified Reason"
    )
    assert salesforce["lead_id"] == ("Qualdesk Lead ID",)
    assert salesforce["crm_id"] == ("Lead ID",)
    assert salesforce["reason"] == ("Unqualified Reason",)
    # The plain export's lead_id is the desk's; "Lead ID" is whoever's the CRM says.
    assert _header("lead_id", "status")["lead_id"] == ("lead_id",)
    assert _header("Lead ID", "status")["crm_id"] == ("Lead ID",)
    hubspot = _header("Record ID", "Lifecycle Stage", "Lead Status", "Email", "qualdesk_lead_id")
    # HubSpot's record numbers are its own, never the desk's.
    assert (hubspot["lead_id"], hubspot["crm_record"]) == (("qualdesk_lead_id",), ("Record ID",))
    assert "crm_id" not in hubspot
    assert (hubspot["lifecycle"], hubspot["status"]) == (("Lifecycle Stage",), ("Lead Status",))


def test_an_opportunity_report_needs_no_verdict_column() -> None:
    fields = _header("Opportunity ID", "Stage", "Amount", "Close Date", "Qualdesk Lead ID")
    assert (fields["stage"], fields["amount"], fields["closed"]) == (
        ("Stage",),
        ("Amount",),
        ("Close Date",),
    )
    assert "crm_id" not in fields  # an opportunity's own id names no lead
    deals = _header("Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Email")
    assert deals["stage"] == ("Deal Stage",)


def test_reasons_take_the_most_telling_column_first() -> None:
    fields = _header("Email", "Notes", "Lead Status", "Closed lost reason", "Lead status reason")
    assert fields["reason"] == ("Lead status reason", "Closed lost reason", "Notes")


def test_a_file_saying_nothing_of_sales_verdict_is_refused_whole() -> None:
    with pytest.raises(FileRefused, match="no verdict column"):
        map_feedback_header(["Email", "Amount"], "v.csv")
    with pytest.raises(FileRefused, match="no column names the lead"):
        map_feedback_header(["Opportunity ID", "Stage"], "v.csv")


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("12500", 1_250_000),
        ("12500.5", 1_250_050),
        ("12,500.00", 1_250_000),
        ("$12,500", 1_250_000),
        ("USD 12,500.00", 1_250_000),
        ("12500 EUR", 1_250_000),
        ("€1.234,56", 123_456),
        ("12.500,00 €", 1_250_000),
        ("1 234,56", 123_456),
        ("1'234.56", 123_456),
        ("1,234", 123_400),
        ("1.234", 123_400),
        ("12,5", 1_250),
        ("12500.000", 1_250_000),
        ("0.505", 51),
        ("0", 0),
    ],
)
def test_amounts_as_crm_reports_and_spreadsheets_write_them(text: str, cents: int) -> None:
    assert read_amount(text) == cents


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("lots", "is not an amount"),
        ("1e3", "is not an amount"),
        ("1,23,456", "is not an amount"),
        ("12.", "is not an amount"),
        ("-500", "is negative"),
        ("(500)", "is negative"),
        ("99999999999999999", "is too large"),
    ],
)
def test_an_amount_that_cannot_be_read_is_named(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=f"amount '.*' {why}"):
        read_amount(text)


def test_a_close_date_may_be_still_to_come() -> None:
    assert read_close_date("2027-03-31", NOW, "America/New_York") == date(2027, 3, 31)
    assert read_close_date("23/11/2026", NOW, "UTC") == date(2026, 11, 23)
    with pytest.raises(ValueError, match="close date 'soon' is not a date"):
        read_close_date("soon", NOW, "UTC")


def _words(
    shipped: DeskRules,
    status: str = "",
    lifecycle: str = "",
    stage: str = "",
    opportunity_id: str = "",
) -> RowWords | str:
    def said(column: str, word: str) -> Said | None:
        return Said(column, word) if word else None

    return read_row_words(
        said("Lead Status", status),
        said("Lifecycle Stage", lifecycle),
        said("Stage", stage),
        said("Converted Opportunity ID", opportunity_id),
        shipped.sales.verdicts,
        shipped.sales.outcomes,
    )


def test_status_and_lifecycle_stage_read_together(shipped: DeskRules) -> None:
    assert _words(shipped, "Connected", "Sales Qualified Lead") == RowWords("accepted")
    assert _words(shipped, "Unqualified", "Lead") == RowWords("rejected")
    assert _words(shipped, "Attempted to contact", "Marketing Qualified Lead") == RowWords(
        "pending"
    )
    assert _words(shipped, "Unqualified", "Opportunity") == (
        "Lifecycle Stage 'Opportunity' says accepted but Lead Status 'Unqualified' says rejected"
    )
    assert _words(shipped, "Maybe") == (
        "Lead Status 'Maybe' is not one of sales' words (add it to [sales.verdicts] in the rules)"
    )
    assert _words(shipped) == "no verdict given"


def test_a_status_word_may_name_an_outcome_too(shipped: DeskRules) -> None:
    assert _words(shipped, lifecycle="customer") == RowWords("accepted", "won", "customer")
    # An opportunity named in passing never replaces an outcome the desk has.
    assert _words(shipped, lifecycle="Opportunity") == RowWords(
        "accepted", "opportunity", "Opportunity", settled=False
    )
    assert _words(shipped, "Closed - Converted", opportunity_id="0065g00000XyZabCDE") == RowWords(
        "accepted", "opportunity", "Converted Opportunity ID 0065g00000XyZabCDE", settled=False
    )
    # HubSpot's OPEN is a lead still open, not an open deal.
    assert _words(shipped, "OPEN") == RowWords("pending")
    assert _words(shipped, stage="open") == RowWords(None, "opportunity", "open")
    assert _words(shipped, "Closed - Not Converted", stage="Closed Won") == (
        "Lead Status 'Closed - Not Converted' says rejected but Stage 'Closed Won' says won"
    )
    assert _words(shipped, lifecycle="customer", stage="Closed Lost") == RowWords(
        "accepted", "lost", "Closed Lost"
    )
    # The old "Outcome" column of accepted or rejected still reads as a verdict.
    assert _words(shipped, stage="Rejected") == RowWords("rejected")


HANDED = LeadNow("handed_off")
ACCEPTED_WON = LeadNow("accepted", "won", 1_250_000, date(2026, 11, 20))


def test_an_outcome_accepts_a_lead_still_with_sales() -> None:
    won = RowWords(None, "won", "Closed Won")
    assert change_for(7, HANDED, won, 500, date(2026, 11, 20)) == Change(
        "accepted", "accepted", ("won", 500, date(2026, 11, 20)), implied=True
    )
    assert change_for(7, HANDED, RowWords("pending", "won", "closedwon")) == Change(
        "accepted", "accepted", ("won", None, None), implied=True
    )
    assert change_for(7, HANDED, RowWords("pending")) == Change("pending")
    assert change_for(7, LeadNow("rejected"), won) == (
        "sales rejected lead #7; an outcome needs it accepted first, "
        "or a verdict of accepted on the same row"
    )
    assert change_for(7, LeadNow("rejected"), RowWords("accepted", "won", "customer")) == Change(
        "accepted", "accepted", ("won", None, None)
    )


def test_an_outcome_changes_only_what_it_says() -> None:
    won = RowWords(None, "won", "Closed Won")
    # Repeated, or without the amount and close date a file lacks: nothing to record.
    assert change_for(4, ACCEPTED_WON, won) == Change("unchanged")
    assert change_for(4, ACCEPTED_WON, won, 1_250_000, date(2026, 11, 20)) == Change("unchanged")
    assert change_for(4, ACCEPTED_WON, won, 1_300_000) == Change(
        "unchanged", None, ("won", 1_300_000, date(2026, 11, 20))
    )
    lost = RowWords(None, "lost", "closedlost")
    assert change_for(4, ACCEPTED_WON, lost) == Change(
        "unchanged", None, ("lost", 1_250_000, date(2026, 11, 20))
    )
    in_passing = RowWords("accepted", "opportunity", "Opportunity", settled=False)
    assert change_for(4, ACCEPTED_WON, in_passing) == Change("unchanged")
    assert change_for(4, LeadNow("accepted"), in_passing) == Change(
        "unchanged", None, ("opportunity", None, None)
    )
