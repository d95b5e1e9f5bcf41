"""Importing real lead files into a real desk database: every rule, nothing lost."""

from __future__ import annotations

import codecs
import csv
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlmodel import col, select

from qualdesk.core.errors import FileRefused, QualdeskError
from qualdesk.core.stages import Stage
from qualdesk.db.models import ImportBatch, ImportIssue, Lead, Rep, Touch
from qualdesk.services.access import Actor
from qualdesk.services.desk import Desk
from qualdesk.services.intake.batches import undo_batch
from qualdesk.services.intake.dnc import add_number
from qualdesk.services.intake.importer import ImportOptions, ImportSummary, import_file
from tests.conftest import WriteCsv

GOOD = [
    ["Ada Lovelace", "Analytical Ltd", "CTO", "ada@example.com", "+44 20 7946 0958", "UK"],
    ["Grace Hopper", "Navy", "Rear Admiral", "grace@example.com", "(305) 555-0123", "US"],
    ["Alan Turing", "Bletchley", "", "alan@example.com", "020 7946 0959", "GB"],
]


def _import(desk: Desk, path: Path, **options: object) -> ImportSummary:
    return import_file(desk, path, ImportOptions(imported_by="ops", **options))  # type: ignore[arg-type]


def _leads(desk: Desk) -> list[Lead]:
    with desk.db.reading() as session:
        return list(session.scalars(select(Lead).order_by(col(Lead.id))))


def _balanced(summary: ImportSummary) -> bool:
    parts = summary.imported + summary.duplicates + summary.rejected + summary.blank
    return summary.rows_read == parts


def test_a_clean_file_imports_every_row(desk: Desk, write_csv: WriteCsv) -> None:
    summary = _import(desk, write_csv(GOOD), source="expo", campaign="spring")
    assert (summary.rows_read, summary.imported, summary.batch_id) == (3, 3, 1)
    leads = _leads(desk)
    assert [lead.phone_e164 for lead in leads] == ["+442079460958", "+13055550123", "+442079460959"]
    assert {lead.stage for lead in leads} == {Stage.NEW.value}
    assert leads[1].jurisdiction == "US-FL" and leads[1].time_zones == "America/New_York"
    assert leads[0].source == "expo" and leads[0].campaign == "spring"
    assert leads[0].next_due_at is not None


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
    ],
)
def test_unicode_encodings_are_read(desk: Desk, tmp_path: Path, encoding: str, bom: bytes) -> None:
    text = "Name,Phone,Company\r\nJosé Müller,+49 30 1234567,Bäckerei Ünal\r\n"
    path = tmp_path / "leads.csv"
    path.write_bytes(bom + text.encode(encoding))
    summary = _import(desk, path)
    assert summary.imported == 1 and not summary.notices
    assert _leads(desk)[0].name == "José Müller"


def test_windows_1252_is_read_with_a_notice(desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes("Name,Phone\r\nRené Günther,+49 30 1234567\r\n".encode("cp1252"))
    summary = _import(desk, path)
    assert summary.encoding == "cp1252" and "Windows-1252" in summary.notices[0]
    assert _leads(desk)[0].name == "René Günther"


def test_undecodable_bytes_refuse_the_whole_file(desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"Name,Phone\r\nAda,+44 20 7946 0958\r\nBob\xff,+1\r\n")
    with pytest.raises(FileRefused, match="undecodable bytes"):
        _import(desk, path)
    assert _leads(desk) == [] and not (tmp_path / "leads.rejects.csv").exists()


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_other_delimiters(desk: Desk, write_csv: WriteCsv, delimiter: str) -> None:
    summary = _import(desk, write_csv(GOOD, delimiter=delimiter))
    assert summary.imported == 3 and summary.delimiter == delimiter


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("", "empty"),
        ("\r\n\r\n  \r\n", "empty"),
        ("Ada,+44 20 7946 0958,Analytical\r\n", "no recognisable header"),
        ("Name,Email\r\nAda,ada@example.com\r\n", "lacks a phone column"),
        ("Name,Phone,name\r\nAda,+44 20 7946 0958,x\r\n", "appears twice"),
        ("Name,Phone\r\n", "header but no rows"),
    ],
)
def test_whole_file_refusals_write_nothing(
    desk: Desk, tmp_path: Path, content: str, words: str
) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(content, encoding="utf-8", newline="")
    with pytest.raises(FileRefused, match=words):
        _import(desk, path)
    with desk.db.reading() as session:
        assert session.scalars(select(ImportBatch)).first() is None
    assert list(tmp_path.glob("*rejects*")) == []


def test_a_missing_file_is_named(desk: Desk, tmp_path: Path) -> None:
    with pytest.raises(FileRefused, match="no such file"):
        _import(desk, tmp_path / "nope.csv")


def test_bad_rows_go_to_the_rejects_file_and_the_rest_imports(desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(
        "Name,Phone,Company,Notes\r\n"
        'Ada,+44 20 7946 0958,Analytical,"first line\r\nsecond line"\r\n'
        "Bob,4.15555E+09,Acme,\r\n"
        'Carl,"+1 305 555 0100,Acme,oops\r\n'
        "Dora,+1 305 555 0101,Acme,fine\r\n"
        ",,,\r\n"
        "Eve,+1 305 555 0102\r\n",
        encoding="utf-8",
        newline="",
    )
    summary = _import(desk, path)
    assert (summary.rows_read, summary.imported, summary.rejected, summary.blank) == (6, 2, 3, 1)
    assert _balanced(summary)
    assert {r.line for r in summary.rejected_rows} == {4, 5, 8}
    assert _leads(desk)[0].extra == {"Notes": "first line\r\nsecond line"}
    rejects = tmp_path / "leads.rejects.csv"
    assert summary.rejects_file == str(rejects)
    with rejects.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Reject Line", "Reject Reason", "Name", "Phone", "Company", "Notes"]
    assert [(r[0], r[2]) for r in rows[1:]] == [("4", "Bob"), ("5", "Carl"), ("8", "Eve")]
    assert "scientific notation" in rows[1][1] and "unterminated quote" in rows[2][1]
    with desk.db.reading() as session:
        stored = session.scalars(select(ImportIssue).where(ImportIssue.kind == "rejected")).all()
    assert sorted(i.line for i in stored) == [4, 5, 8]


def test_a_rejects_file_already_there_is_never_overwritten(desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("Name,Phone\r\nBob,4.15555E+09\r\n", encoding="utf-8", newline="")
    first = _import(desk, path)
    edited = tmp_path / "leads.rejects.csv"
    edited.write_text("being fixed by hand", encoding="utf-8")
    second = _import(desk, path, force=True)
    assert (
        first.rejects_file == str(edited)
        and edited.read_text(encoding="utf-8") == "being fixed by hand"
    )
    assert second.rejects_file == str(tmp_path / "leads.rejects-2.csv")


def test_rejects_keep_the_source_and_campaign_the_import_gave(desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("Name,Phone\r\nBob,4.15555E+09\r\n", encoding="utf-8", newline="")
    _import(desk, path, source="Expo", campaign="Spring")
    rejects = tmp_path / "leads.rejects.csv"
    lines = rejects.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "Reject Line,Reject Reason,Name,Phone,Source,Campaign"
    rejects.write_text("\n".join(lines).replace("4.15555E+09", "+1 415 555 2671"), encoding="utf-8")
    _import(desk, rejects)
    fixed = _leads(desk)[0]
    assert (fixed.source, fixed.campaign) == ("Expo", "Spring")


def test_a_dry_run_counts_shared_numbers_as_the_import_does(
    desk: Desk, write_csv: WriteCsv
) -> None:
    rows = [GOOD[1], ["Dora", "Navy", "", "", "(305) 555-0123", "US"]]
    path = write_csv(rows)
    assert _import(desk, path, dry_run=True).shared_phone == _import(desk, path).shared_phone == 2


def test_rejects_of_rejects_import_too(desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("Name,Phone\r\nBob,4.15555E+09\r\n", encoding="utf-8", newline="")
    _import(desk, path)
    second = _import(desk, tmp_path / "leads.rejects.csv")
    assert second.rejected == 1
    third = tmp_path / "leads.rejects.rejects.csv"
    assert (
        third.read_text(encoding="utf-8-sig").splitlines()[0]
        == "Reject Line,Reject Reason,Name,Phone"
    )


@pytest.mark.parametrize("where", ["input", "folder", "missing"])
def test_a_harmful_rejects_path_is_refused_before_reading(
    desk: Desk, tmp_path: Path, write_csv: WriteCsv, where: str
) -> None:
    path = write_csv([*GOOD, ["Bad", "", "", "", "", ""]])
    target = {"input": path, "folder": tmp_path, "missing": tmp_path / "no" / "r.csv"}[where]
    before = path.read_bytes()
    with pytest.raises(FileRefused, match="--rejects"):
        _import(desk, path, rejects_path=target)
    assert path.read_bytes() == before and _leads(desk) == []


def test_a_file_of_only_blank_rows_is_refused(desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("Name,Phone\r\n,\r\n ,  \r\n", encoding="utf-8", newline="")
    with pytest.raises(FileRefused, match="header but no rows"):
        _import(desk, path)


def test_fixed_rejects_import_as_they_are(desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("Name,Phone\r\nBob,4.15555E+09\r\n", encoding="utf-8", newline="")
    _import(desk, path)
    rejects = tmp_path / "leads.rejects.csv"
    fixed = rejects.read_text(encoding="utf-8-sig").replace("4.15555E+09", "+1 415 555 2671")
    rejects.write_text(fixed, encoding="utf-8-sig")
    summary = _import(desk, rejects)
    assert summary.imported == 1 and summary.unknown_columns == []
    assert _leads(desk)[0].extra == {}


def test_duplicates_in_the_file_and_on_the_desk(desk: Desk, write_csv: WriteCsv) -> None:
    _import(desk, write_csv(GOOD[:1], name="first.csv"))
    rows = [
        ["Ada L.", "Analytical", "", "ADA@example.com", "+44 20 7946 0000", "UK"],
        ["Grace Hopper", "Navy", "", "grace@example.com", "(305) 555-0123", "US"],
        ["grace  hopper", "Navy", "", "", "305 555 0123", "US"],
        ["Dora", "Navy", "", "dora@example.com", "(305) 555-0123", "US"],
    ]
    summary = _import(desk, write_csv(rows, name="second.csv"))
    assert (summary.imported, summary.duplicates) == (2, 2)
    reasons = {row.line: row.reason for row in summary.duplicate_rows}
    assert reasons == {2: "same email as lead #1", 4: "same phone and name as line 3"}
    assert summary.duplicate_rows[0].duplicate_of == 1
    assert summary.shared_phone == 2
    assert [lead.shares_phone for lead in _leads(desk)] == [False, True, True]
    assert _balanced(summary)


def test_switchboard_sharing_marks_the_lead_already_on_the_desk(
    desk: Desk, write_csv: WriteCsv
) -> None:
    _import(desk, write_csv([GOOD[1]], name="a.csv"))
    _import(desk, write_csv([["Dora", "Navy", "", "", "(305) 555-0123", "US"]], name="b.csv"))
    assert [lead.shares_phone for lead in _leads(desk)] == [True, True]


def test_do_not_call_numbers_are_imported_disqualified(desk: Desk, write_csv: WriteCsv) -> None:
    add_number(desk, "(305) 555-0123", region="US", by="ops")
    summary = _import(desk, write_csv(GOOD))
    assert (summary.imported, summary.dnc) == (3, 1)
    grace = _leads(desk)[1]
    assert grace.stage == Stage.DISQUALIFIED.value and grace.next_due_at is None
    assert "do-not-call" in grace.stage_reason


def test_the_same_file_twice_needs_force(desk: Desk, write_csv: WriteCsv) -> None:
    path = write_csv(GOOD)
    _import(desk, path)
    with pytest.raises(FileRefused, match=r"already imported as batch 1.*--force"):
        _import(desk, path)
    again = _import(desk, path, force=True)
    assert (again.imported, again.duplicates, again.batch_id) == (0, 3, 2)


def test_dry_run_writes_nothing(desk: Desk, tmp_path: Path, write_csv: WriteCsv) -> None:
    path = write_csv([*GOOD, ["Bad", "", "", "", "", ""]])
    summary = _import(desk, path, dry_run=True)
    assert (summary.imported, summary.rejected, summary.batch_id) == (3, 1, None)
    assert _leads(desk) == []
    assert list(tmp_path.glob("*rejects*")) == []


def test_undo_removes_untouched_leads_and_keeps_worked_ones(
    desk: Desk, write_csv: WriteCsv, clock: object
) -> None:
    path = write_csv(GOOD)
    _import(desk, path)
    with desk.db.writing() as session:
        rep = Rep(handle="ana", name="Ana", created_at=desk.clock())
        session.add(rep)
        session.flush()
        assert rep.id is not None
        session.add(Touch(lead_id=2, rep_id=rep.id, started_at=desk.clock()))
    result = undo_batch(desk, 1, by=Actor("lee", "lead"))
    assert (result.removed, result.kept) == (2, 1)
    assert [lead.id for lead in _leads(desk)] == [2]
    with pytest.raises(QualdeskError, match="already undone"):
        undo_batch(desk, 1, by=Actor("lee", "lead"))
    with pytest.raises(QualdeskError, match="no import batch 9"):
        undo_batch(desk, 9, by=Actor("lee", "lead"))
    summary = _import(desk, path)
    assert (summary.imported, summary.duplicates) == (2, 1)


def test_unknown_columns_are_kept_on_the_lead(desk: Desk, write_csv: WriteCsv) -> None:
    header = ["Name", "Phone", "Favourite Colour", ""]
    summary = _import(desk, write_csv([["Ada", "+44 20 7946 0958", "teal", "x"]], header=header))
    assert summary.unknown_columns == ["Favourite Colour", "column 4"]
    assert _leads(desk)[0].extra == {"Favourite Colour": "teal", "column 4": "x"}


def test_a_bad_region_is_refused(desk: Desk, write_csv: WriteCsv) -> None:
    with pytest.raises(QualdeskError, match="--region"):
        _import(desk, write_csv(GOOD), region="ZZ")


def test_the_region_option_reads_national_numbers(desk: Desk, write_csv: WriteCsv) -> None:
    rows = [["Ada", "Analytical", "", "", "020 7946 0958", ""]]
    summary = _import(desk, write_csv(rows), region="GB")
    assert summary.imported == 1 and _leads(desk)[0].phone_e164 == "+442079460958"


def test_the_sample_file_balances(desk: Desk) -> None:
    from qualdesk.services.resources import data_file

    summary = _import(desk, data_file("sample_leads.csv"), rejects_path=None, dry_run=True)
    assert summary.rows_read > 250 and _balanced(summary)
    assert summary.duplicates > 0 and summary.rejected > 0


def test_the_sample_file_imports_alike_on_every_engine(desk: Desk, tmp_path: Path) -> None:
    from qualdesk.services.intake.batches import batch_detail
    from qualdesk.services.resources import data_file

    sample = data_file("sample_leads.csv")
    summary = _import(desk, sample, rejects_path=tmp_path / "rejects.csv")
    counts = ("rows_read", "imported", "duplicates", "rejected", "blank", "shared_phone")
    assert [getattr(summary, name) for name in counts] == [301, 281, 6, 14, 0, 14]
    assert summary.batch_id is not None
    _, issues = batch_detail(desk, summary.batch_id)
    assert [(i.line, i.kind) for i in issues] == sorted(
        [(r.line, "rejected") for r in summary.rejected_rows]
        + [(r.line, "duplicate") for r in summary.duplicate_rows]
    )
    leads = _leads(desk)
    assert sum(lead.shares_phone for lead in leads) == 14
    assert [lead.id for lead in leads] == list(range(1, 282))
    again = _import(desk, sample, force=True, dry_run=True)
    assert (again.imported, again.duplicates, again.rejected) == (0, 287, 14)
    on_desk = [row for row in again.duplicate_rows if row.duplicate_of is not None]
    assert len(on_desk) == 281 and {row.duplicate_of for row in on_desk} == set(range(1, 282))


def _paused_import(
    db_location: str | Path, path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[threading.Thread, threading.Event, list[object]]:
    """An import, in a thread with its own desk, that waits a moment after adding its leads."""
    from qualdesk.db import staging
    from qualdesk.services.desk import open_desk

    moved, outcome = threading.Event(), []
    move = staging.move_into_leads

    def move_then_wait(*args: object) -> None:
        move(*args)  # type: ignore[arg-type]
        moved.set()
        time.sleep(1.0)

    monkeypatch.setattr(staging, "move_into_leads", move_then_wait)

    def run() -> None:
        other = open_desk(db_location)
        try:
            outcome.append(_import(other, path))
        except Exception as exc:  # reported by the test
            outcome.append(exc)
        finally:
            other.close()

    return threading.Thread(target=run), moved, outcome


def test_an_import_waits_for_one_moving_the_same_people_in(
    desk: Desk, db_location: str | Path, write_csv: WriteCsv, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, moved, outcome = _paused_import(
        db_location, write_csv(GOOD, name="first.csv"), monkeypatch
    )
    first.start()
    assert moved.wait(30)
    monkeypatch.undo()
    second = _import(desk, write_csv(GOOD[::-1], name="second.csv"))
    first.join(30)
    assert isinstance(outcome[0], ImportSummary) and outcome[0].imported == 3
    assert (second.imported, second.duplicates) == (0, 3)
    assert len(_leads(desk)) == 3


def test_a_number_put_on_do_not_call_during_an_import_stops_its_new_lead(
    desk: Desk, db_location: str | Path, write_csv: WriteCsv, monkeypatch: pytest.MonkeyPatch
) -> None:
    importing, moved, outcome = _paused_import(db_location, write_csv(GOOD), monkeypatch)
    importing.start()
    assert moved.wait(30)
    monkeypatch.undo()
    _, added, stopped = add_number(desk, "(305) 555-0123", region="US", by="ops")
    importing.join(30)
    assert isinstance(outcome[0], ImportSummary) and outcome[0].imported == 3
    assert added and stopped == 1
    grace = _leads(desk)[1]
    assert grace.stage == Stage.DISQUALIFIED.value and grace.next_due_at is None


def test_progress_is_reported(desk: Desk, write_csv: WriteCsv) -> None:
    seen: list[tuple[int, int]] = []
    _import_with = import_file(
        desk, write_csv(GOOD), ImportOptions(), progress=lambda d, t: seen.append((d, t))
    )
    assert _import_with.imported == 3
    assert seen and seen[-1][0] == seen[-1][1]


def test_the_database_stays_consistent(desk: Desk, db_path: Path, write_csv: WriteCsv) -> None:
    _import(desk, write_csv(GOOD))
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def _messy(tmp_path: Path, rows: int) -> Path:
    from tools.leadgen import write_file

    path = tmp_path / "messy.csv"
    write_file(path, rows, seed=3)
    return path


def test_the_phone_helper_gives_what_in_process_work_gives(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qualdesk.services.intake import importer

    path = _messy(tmp_path, 3000)
    monkeypatch.setattr(importer, "HELPER_MIN_BYTES", 0)
    helped = _import(desk, path, dry_run=True).as_json()
    monkeypatch.setattr(importer, "HELPER_MIN_BYTES", 10**12)
    alone = _import(desk, path, dry_run=True).as_json()
    assert helped == alone
    assert helped["rows_read"] == 3000 and helped["imported"] > 2500


def test_an_import_survives_its_phone_helper_dying(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys

    from qualdesk.services.calling import phonework
    from qualdesk.services.intake import importer

    def start_a_helper_that_dies(self: phonework.PhoneWork) -> None:
        self._helper = subprocess.Popen(
            [sys.executable, "-c", "import sys; sys.stdin.buffer.read(10)"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        import threading

        threading.Thread(target=self._drain, daemon=True).start()

    path = _messy(tmp_path, 3000)
    monkeypatch.setattr(importer, "HELPER_MIN_BYTES", 0)
    monkeypatch.setattr(phonework.PhoneWork, "_start", start_a_helper_that_dies)
    summary = _import(desk, path)
    assert summary.rows_read == 3000 and _balanced(summary)
    assert len(_leads(desk)) == summary.imported > 2500
