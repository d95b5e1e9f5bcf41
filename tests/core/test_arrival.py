"""A lead's own creation time from marketing's file: the forms tools write, zones, a date
alone, times after the import, and text that is no date (kept, never a reason to refuse)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qualdesk.core.arrival import read_created
from qualdesk.core.headers import map_header
from qualdesk.core.leadfile import LeadDraft, RowDefaults, check_row
from qualdesk.core.records import Record

IMPORTED = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
NEW_YORK = "America/New_York"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("2026-11-20T14:03:00.000+0000", "2026-11-20 14:03"),  # Salesforce API CreatedDate
        ("2026-11-20T14:03:00Z", "2026-11-20 14:03"),
        ("2026-11-20 14:03", "2026-11-20 19:03"),  # no offset: the import's zone
        ("11/20/2026 2:03 PM", "2026-11-20 19:03"),  # a Salesforce report
        ("11/03/2026 09:00", "2026-11-03 14:00"),  # month first, as US tools write it
        ("20/11/2026 14:03", "2026-11-20 19:03"),  # a day past 12 can only be the day
        ("2026-11-20 00:00", "2026-11-20 05:00"),  # midnight written out is midnight
        ("2026-11-20", "2026-11-21 05:00"),  # a date alone: from the end of that day
        ("11/20/2026", "2026-11-21 05:00"),
        ("2027-01-01 10:00", "2026-11-23 15:00"),  # after the import: the import's time
    ],
)
def test_creation_times_in_the_forms_tools_write(text: str, meant: str) -> None:
    assert read_created(text, NEW_YORK, IMPORTED) == utc(meant)


@pytest.mark.parametrize(
    "text",
    ["soon", "Friday", "2026-11-20 14:03 EST", "45231", "0000-00-00", "2026-13-45", "x" * 99],
)
def test_text_that_is_no_date_the_desk_can_place_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"date|range"):
        read_created(text, NEW_YORK, IMPORTED)


@pytest.mark.parametrize(
    "column", ["Created Date", "Create Date", "Created", "Created At", "Date Created",
               "Lead Created Date", "createdate", "CreatedDate"],
)  # fmt: skip
def test_a_created_date_column_gives_the_lead_its_arrival(column: str) -> None:
    header = map_header(["Name", "Phone", column])
    defaults = RowDefaults("US", zone=NEW_YORK, now=IMPORTED)
    draft = check_row(
        Record(2, ["Ada", "+1 212 555 0100", "2026-11-20 20:50"], ""), header, defaults
    )
    assert isinstance(draft, LeadDraft)
    assert draft.arrived_at == utc("2026-11-21 01:50") and not draft.arrival_unread
    assert draft.extra == {}


def test_a_creation_date_that_cannot_be_read_keeps_the_row_and_the_text() -> None:
    header = map_header(["Name", "Phone", "Created Date"])
    defaults = RowDefaults("US", zone=NEW_YORK, now=IMPORTED)
    draft = check_row(
        Record(2, ["Ada", "+1 212 555 0100", "last tuesday-ish"], ""), header, defaults
    )
    assert isinstance(draft, LeadDraft)
    assert draft.arrived_at is None and draft.arrival_unread
    assert draft.extra == {"Created Date": "last tuesday-ish"}
    blank = check_row(Record(3, ["Ada", "+1 212 555 0100", ""], ""), header, defaults)
    assert isinstance(blank, LeadDraft)
    assert blank.arrived_at is None and not blank.arrival_unread
