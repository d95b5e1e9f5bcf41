"""Header mapping, strict record splitting and the per-row checks."""

from __future__ import annotations

import pytest

from qualdesk.core.errors import FileRefused
from qualdesk.core.headers import choose_delimiter, map_header
from qualdesk.core.leadfile import BLANK, LeadDraft, Rejection, RowDefaults, build_lead, identity
from qualdesk.core.records import Record, RecordReader

DEFAULTS = RowDefaults(region="US", source="expo", campaign="spring")


def test_headers_map_case_and_punctuation_insensitively_with_aliases() -> None:
    header = map_header(
        ["E-Mail", "Phone Number", "Company Name", "Job Title", "FULL NAME", "Booth"]
    )
    assert header.fields == {"email": 0, "phone": 1, "company": 2, "title": 3, "name": 4}
    assert header.unknown_columns == ["Booth"]


@pytest.mark.parametrize(
    ("columns", "words"),
    [
        (["Name", "Phone", "name"], "appears twice"),
        (["N\x00a\x00m\x00e\x00", "P\x00h\x00o\x00n\x00e\x00"], "UTF-16 without a byte-order mark"),
        (["a", "b", "c"], "no recognisable header"),
        (["Name", "Email"], "lacks a phone column"),
        (["Phone", "Email"], "lacks a name or company column"),
    ],
)
def test_headers_that_refuse_the_file(columns: list[str], words: str) -> None:
    with pytest.raises(FileRefused, match=words):
        map_header(columns)


def test_a_field_named_twice_takes_the_first_value_and_keeps_the_other() -> None:
    header = map_header(["Name", "Phone", "Work Phone", "Email", "E-mail"])
    assert header.fields == {"name": 0, "phone": 1, "email": 3}
    assert header.alternates == {"phone": (2,), "email": (4,)}
    draft = build_lead(
        Record(2, ["Ada", "", "+44 20 7946 0958", "a@x.com", "b@x.com"], ""), header, DEFAULTS
    )
    assert isinstance(draft, LeadDraft) and draft.phone and draft.phone.e164 == "+442079460958"
    assert draft.email == "a@x.com" and draft.extra == {"E-mail": "b@x.com"}


def test_columns_without_a_name_get_labels_no_other_column_has() -> None:
    header = map_header(["Name", "", "Phone", "column 2"])
    assert header.unknown_columns == ["column 2 (2)", "column 2"]


def test_mobile_is_a_phone_column_and_reject_columns_are_ignored() -> None:
    header = map_header(["First Name", "Last Name", "Mobile", "Reject Line", "Reject Reason"])
    assert header.fields == {"first_name": 0, "last_name": 1, "mobile": 2}
    assert header.ignored == (3, 4) and header.unknown_columns == []


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_found_from_the_header(delimiter: str) -> None:
    assert (
        choose_delimiter(delimiter.join(["Name", "Phone", "E-mail, work", "Company"])) == delimiter
    )


def _records(text: str, width: int = 3) -> list[Record]:
    return list(RecordReader(text.splitlines(keepends=True), ",", width))


def test_quoted_newlines_are_one_record() -> None:
    records = _records('a,"two\nlines",c\nd,e,f\n')
    assert [r.cells for r in records] == [["a", "two\nlines", "c"], ["d", "e", "f"]]
    assert [r.line for r in records] == [2, 4]


def test_an_unterminated_quote_rejects_its_own_line_only() -> None:
    records = _records('a,"oops,c\nd,e,f\ng,"h",i\nj,k,l\n')
    assert records[0].cells is None and "unterminated quote" in (records[0].problem or "")
    assert [r.cells for r in records[1:]] == [["d", "e", "f"], ["g", "h", "i"], ["j", "k", "l"]]
    assert [r.line for r in records] == [2, 3, 4, 5]


def test_long_notes_spanning_many_lines_stay_one_record() -> None:
    notes = "\n".join(f"line {n}" for n in range(120))
    records = _records(f'a,"{notes}",c\nd,e,f\n')
    assert [r.cells for r in records] == [["a", notes, "c"], ["d", "e", "f"]]


def test_an_unterminated_quote_before_a_real_multiline_cell_does_not_eat_it() -> None:
    records = _records('a,"oops,c\nd,"multi\nline",f\ng,h,i\n')
    assert records[0].cells is None
    assert [r.cells for r in records[1:]] == [["d", "multi\nline", "f"], ["g", "h", "i"]]


def test_stray_quotes_inside_a_cell_are_kept_and_bad_quoting_is_named() -> None:
    assert _records('a,5" floppy,c\n')[0].cells == ["a", '5" floppy', "c"]
    broken = _records('a,"x"y,c\n')[0]
    assert broken.cells is None and "bad quoting" in (broken.problem or "")


HEADER = map_header(["Name", "Company", "Title", "Email", "Phone", "Country", "Notes"])


def _row(*cells: str, line: int = 2) -> LeadDraft | Rejection | str:
    return build_lead(Record(line, list(cells), ""), HEADER, DEFAULTS)


def test_a_good_row_is_cleaned() -> None:
    draft = _row(
        "  Ada   Lovelace ", "Analytical", "CTO", " Ada@Example.COM ", "020 7946 0958", "UK", "n"
    )
    assert isinstance(draft, LeadDraft)
    assert draft.name == "Ada Lovelace" and (draft.first_name, draft.last_name) == (
        "Ada",
        "Lovelace",
    )
    assert draft.email == "ada@example.com"
    assert draft.phone.e164 == "+442079460958"
    assert draft.extra == {"Notes": "n", "Country": "UK"}
    assert (draft.source, draft.campaign) == ("expo", "spring")


def test_names_are_nfc_normalised() -> None:
    draft = _row("Jose\u0301", "", "", "", "212 555 0100", "", "")
    assert isinstance(draft, LeadDraft) and draft.name == "Jos\u00e9"


def test_last_comma_first_is_understood() -> None:
    draft = _row("Lovelace, Ada", "", "", "", "212 555 0100", "", "")
    assert isinstance(draft, LeadDraft)
    assert (draft.name, draft.first_name, draft.last_name) == ("Ada Lovelace", "Ada", "Lovelace")


@pytest.mark.parametrize(
    ("cells", "words"),
    [
        (("Ada", "", "", "", "", "", ""), "no phone"),
        (("", "", "CTO", "", "212 555 0100", "", ""), "no name and no company"),
        (("Ada", "", "", "", "555-1234", "", ""), "not a valid number"),
        (("Ada", "", "", "", "4.15555E+09", "", ""), "scientific notation"),
        (("Ada", "", "", "", "4155552671.0", "", ""), "decimal number"),
        (("Ad\x00a", "", "", "", "212 555 0100", "", ""), "NUL character in 'Name'"),
        (("Ada\x1b[31m", "", "", "", "212 555 0100", "", ""), "control character in 'Name'"),
        (("A" * 300, "", "", "", "212 555 0100", "", ""), "'Name' is 300 characters"),
        (("Ada", "", "", "", "212 555 0100", "", "x" * 10_001), "'Notes' is 10,001 characters"),
        (("Ada", "", "", "", "20 7946 0958", "Narnia", ""), "country 'Narnia' is unknown"),
        (("Ada", "", "", ""), "has 4 fields, the header has 7"),
    ],
)
def test_bad_rows_are_rejected_with_a_reason(cells: tuple[str, ...], words: str) -> None:
    verdict = _row(*cells, line=9)
    assert isinstance(verdict, Rejection) and verdict.line == 9
    assert words in verdict.reason


def test_whitespace_around_key_fields_is_trimmed_not_refused() -> None:
    draft = _row("Ana Smith\t", "Acme\r", "", "", " 212 555 0100\t", "", "")
    assert isinstance(draft, LeadDraft) and (draft.name, draft.company) == ("Ana Smith", "Acme")


def test_an_overlong_extension_is_refused() -> None:
    verdict = _row("Ada", "", "", "", "212 555 0100 ext. 1234567890123", "", "")
    assert isinstance(verdict, Rejection) and "extension" in verdict.reason


def test_trailing_empty_cells_are_tolerated_and_blank_rows_are_blank() -> None:
    assert isinstance(_row("Ada", "", "", "", "212 555 0100", "", "", "", ""), LeadDraft)
    assert _row("", " ", "", "", "", "", "") == BLANK


def test_the_country_column_sets_the_region() -> None:
    draft = _row("Ada", "", "", "", "020 7946 0958", "United Kingdom", "")
    assert isinstance(draft, LeadDraft) and draft.phone.e164 == "+442079460958"


def test_an_invalid_email_is_kept_as_an_extra_not_as_the_email() -> None:
    draft = _row("Ada", "", "", "ada at example", "212 555 0100", "", "")
    assert isinstance(draft, LeadDraft)
    assert draft.email is None and draft.email_invalid and draft.extra["Email"] == "ada at example"


def test_identity_is_the_folded_name_else_the_company() -> None:
    assert identity("Ada  LOVELACE", "x") == identity("ada lovelace", "y")
    assert identity("", "Acme") != identity("Acme", "")
