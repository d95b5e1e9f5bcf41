"""Whatever file marketing sends, the importer loses nothing and never crashes.

For any bytes: either the file is refused whole, in one line, with nothing
written; or every row read is exactly one of imported, duplicate, rejected
or blank, every rejected row is in the rejects file with its line and reason,
and the desk gained exactly the leads the summary says.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from qualdesk.cli import main
from qualdesk.core.errors import FileRefused, QualdeskError
from qualdesk.core.headers import FIELD_ALIASES, REJECT_COLUMNS
from qualdesk.db.models import DoNotCall, HoursClass, ImportBatch, ImportIssue, Lead
from qualdesk.services.desk import Desk, open_desk
from qualdesk.services.intake.importer import ImportOptions, ImportSummary, import_file, reason_kind
from tests.conftest import PG_SERVER, FrozenClock
from tests.property.conftest import DESK_LEADS, DNC_NUMBER, Template, count, fresh_desk
from tests.property.files import (
    as_bytes,
    assert_one_line,
    csv_text,
    long_cell,
    nasty_text,
    rarely,
    spelled,
)

NAME_FIELDS = ("name", "first_name", "last_name", "company")
PHONE_FIELDS = ("phone", "mobile")

VALID_PHONES = [
    "+1 212 555 0100", "(212) 555-0123", "212.555.0199", "+1-305-555-0123 x12",
    "+1 (415) 555-0142 ext. 7", DNC_NUMBER, "+44 20 7946 0958", "0044 20 7946 0960",
    "+49 30 1234567", "+61 2 9374 4000", "+1 800 555 0199", "+881612345678", "+33 1 23 45 67 89",
    "＋１ ２１２ ５５５ ０１７７", "tel: 212 555 0188",
]  # fmt: skip
ODD_PHONES = [
    "020 7946 0959", "4.15555E+09", "4155552671.0", "12", "+999 1234", "555-0100",
    "+1 212 555 0100 ext 12345678901", "+1 212 555 01\x0099", "",
]  # fmt: skip
PHONES = VALID_PHONES + ODD_PHONES
NAMES = ["Ada Lovelace", "Grace Hopper", "Lovelace, Ada", "José Müller", "Jose\u0301 Mu\u0308ller",
         "  Alan   Turing ", "O'Brien", 'Dwayne "Rock" Johnson', "李小龍", "Reception", ""]  # fmt: skip
EMAILS = ["ada@example.com", "ADA@Example.COM", "grace@example.com", " new@example.org ",
          "bad@", "no-at-sign", "x@y.z", "a@b.co", ""]  # fmt: skip
COUNTRIES = ["US", "USA", "United Kingdom", "uk", "Deutschland", "GB", "gb", "44", "1", "999",
             "Narnia", "²", "١", "Ｕｓ", "U.S.A.", "", "XX"]  # fmt: skip
EXTENSIONS = ["", "12", "x12", "ext. 7", "#5", "12345678", "abc", "٣"]
SIZES = ["", "250", "201-500", "1,000+", "٣٠٠", "10.5", "9" * 5000, "1," * 3000, "many"]


def _cell(field: str | None) -> st.SearchStrategy[str]:
    """A cell for a column holding this field: mostly plausible, sometimes hostile."""
    plausible = {
        "phone": rarely(3).flatmap(
            lambda odd: (
                st.sampled_from(ODD_PHONES)
                | st.from_regex(r"\+?[0-9 ()\-.x]{0,18}", fullmatch=True)
                if odd
                else st.sampled_from(VALID_PHONES)
            )
        ),
        "mobile": st.sampled_from(PHONES),
        "name": st.sampled_from(NAMES),
        "first_name": st.sampled_from(["Ada", "Grace", "", "Zoë"]),
        "last_name": st.sampled_from(["Lovelace", "Hopper", "", "Ünal"]),
        "company": st.sampled_from(["Analytical Ltd", "Navy", "", "Bäckerei"]),
        "email": st.sampled_from(EMAILS),
        "country": st.sampled_from(COUNTRIES),
        "extension": st.sampled_from(EXTENSIONS),
        "company_size": st.sampled_from(SIZES),
        "reject": st.sampled_from(["", "7", "no phone number"]),
    }.get(field or "", st.sampled_from(["", "note", "Booth 12"]))
    return rarely(12).flatmap(lambda hostile: nasty_text | long_cell if hostile else plausible)


@st.composite
def _column(draw: st.DrawFn, fields: tuple[str, ...]) -> tuple[str, str | None]:
    field = draw(st.sampled_from(fields))
    return draw(spelled(draw(st.sampled_from(FIELD_ALIASES[field])))), field


@st.composite
def lead_header(draw: st.DrawFn) -> list[tuple[str, str | None]]:
    """(column name, the field it holds) for each column of a header, in file order."""
    columns = []
    if not draw(rarely(20)):
        columns.append(draw(_column(NAME_FIELDS)))
    if not draw(rarely(20)):
        columns.append(draw(_column(PHONE_FIELDS)))
    unknown = st.sampled_from(["Notes", "Booth Visit", "", " ", "Phone?", "Ëxtra"])
    others = st.one_of(
        _column(tuple(FIELD_ALIASES)),
        _column(tuple(FIELD_ALIASES)),
        st.sampled_from(REJECT_COLUMNS).map(lambda name: (name, "reject")),
        rarely(6).flatmap(lambda nasty: nasty_text if nasty else unknown).map(lambda n: (n, None)),
    )
    columns += draw(st.lists(others, max_size=5))
    return list(draw(st.permutations(columns)))


@st.composite
def lead_rows(draw: st.DrawFn, fields: list[str | None]) -> list[list[str]]:
    """Rows under these fields: some repeated, some ragged, some blank."""
    width = len(fields)
    rows = draw(st.lists(st.tuples(*map(_cell, fields)).map(list), min_size=1, max_size=10))
    if rows:
        for _ in range(draw(st.integers(0, 3))):
            rows.insert(draw(st.integers(0, len(rows))), list(draw(st.sampled_from(rows))))
    for index in range(len(rows)):
        change = draw(st.integers(0, 24))
        if change == 0:
            rows[index] = rows[index][:-1]
        elif change == 1:
            rows[index] = [*rows[index], draw(nasty_text)]
        elif change == 2:
            rows[index] = [*rows[index], "", " "]
        elif change == 3:
            rows[index] = [draw(st.sampled_from(["", " ", "\t"]))] * width
    return rows


@st.composite
def lead_files(draw: st.DrawFn) -> bytes:
    """The bytes of a lead file as marketing might send one, or of any file at all."""
    if draw(rarely(15)):
        return draw(st.binary(max_size=300))
    header = draw(lead_header())
    rows = draw(lead_rows([field for _, field in header]))
    text, _ = draw(csv_text([name for name, _ in header], rows))
    return draw(as_bytes(text))


def _import(desk: Desk, path: Path, **options: object) -> ImportSummary:
    return import_file(desk, path, ImportOptions(imported_by="prop", **options))  # type: ignore[arg-type]


def _others(folder: Path) -> list[str]:
    """Files in the example's folder besides the database and the lead file."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(("desk.db", "leads.")))


def _check_balanced(summary: ImportSummary) -> None:
    parts = summary.imported + summary.duplicates + summary.rejected + summary.blank
    assert summary.rows_read == parts, summary
    assert summary.rejected == len(summary.rejected_rows)
    assert summary.duplicates == len(summary.duplicate_rows)
    lines = [row.line for row in summary.rejected_rows + summary.duplicate_rows]
    assert len(lines) == len(set(lines)), "a row counted twice"
    for row in summary.rejected_rows + summary.duplicate_rows:
        assert_one_line(row.reason)
    assert 0 <= summary.dnc <= summary.imported and 0 <= summary.shared_phone <= summary.imported
    json.dumps(summary.as_json())


def _check_rejects_file(summary: ImportSummary) -> None:
    """Every rejected row is in the rejects file, in line order, with its reason."""
    assert summary.rejects_file is not None
    with open(summary.rejects_file, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=summary.delimiter, strict=True))
    assert rows[0][:2] == list(REJECT_COLUMNS)
    written = [(int(row[0]), row[1]) for row in rows[1:]]
    assert written == [(row.line, row.reason) for row in summary.rejected_rows]


REGRESSIONS = [
    # A company size of 5,000 digits crashed scoring (int() refuses over 4,300 digits).
    b"Name,Phone,Employees\nAda,+1 212 555 0100," + b"9" * 5000 + b"\n",
    # A country written as a superscript digit crashed region_for_country (int("\xb2")).
    "Name,Phone,Country\nAda,+1 212 555 0100,²\n".encode(),
]


@settings(
    max_examples=150,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    data=lead_files(),
    dry_run=st.integers(0, 4).map(lambda n: n == 0),
    region=st.sampled_from([None, None, None, "US", "gb", "DE", "ZZ"]),
    source=st.sampled_from(["", "expo", "Trade\nshow"]),
)
@example(data=REGRESSIONS[0], dry_run=False, region=None, source="")
@example(data=REGRESSIONS[1], dry_run=False, region=None, source="")
@pytest.mark.filterwarnings("error")  # a warning would reach the user's terminal
def test_every_row_read_is_imported_duplicate_rejected_or_blank(
    import_template: Template, data: bytes, dry_run: bool, region: str | None, source: str
) -> None:
    with fresh_desk(import_template) as (desk, folder):
        path = folder / "leads.csv"
        path.write_bytes(data)
        leads, batches = count(desk, Lead.id), count(desk, ImportBatch.id)
        try:
            summary = _import(desk, path, dry_run=dry_run, region=region, source=source)
        except QualdeskError as exc:
            event("refused whole: " + reason_kind(str(exc).replace(str(path), "FILE"))[:60])
            assert_one_line(str(exc))
            assert (count(desk, Lead.id), count(desk, ImportBatch.id)) == (leads, batches)
            assert _others(folder) == [], "a refused file left files behind"
            return
        _check_balanced(summary)
        for part in ("imported", "duplicates", "rejected", "blank"):
            if getattr(summary, part):
                event(f"some rows {part}")
        if dry_run:
            assert (count(desk, Lead.id), count(desk, ImportBatch.id)) == (leads, batches)
            assert summary.rejects_file is None and _others(folder) == []
            return
        assert count(desk, Lead.id) == leads + summary.imported
        assert count(desk, ImportBatch.id) == batches + 1
        if summary.rejected:
            _check_rejects_file(summary)
        else:
            assert summary.rejects_file is None and _others(folder) == []

        # Read again, everything the first import took is now a duplicate of the desk.
        again = _import(desk, path, dry_run=True, region=region, source=source)
        _check_balanced(again)
        assert again.imported == 0
        assert again.duplicates == summary.imported + summary.duplicates
        assert (again.rejected, again.blank) == (summary.rejected, summary.blank)
        with pytest.raises(FileRefused, match="already imported"):
            _import(desk, path, region=region, source=source)


@settings(max_examples=25, deadline=None, print_blob=True)
@given(data=lead_files(), dry_run=st.booleans())
def test_the_import_command_answers_in_json_or_in_one_line(
    import_template: Template, data: bytes, dry_run: bool
) -> None:
    with fresh_desk(import_template) as (desk, folder):
        desk.close()
        path = folder / "leads.csv"
        path.write_bytes(data)
        argv = ["--db", str(folder / "desk.db"), "import", str(path), "--json"]
        out, err = io.StringIO(), io.StringIO()
        code: object = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(argv + (["--dry-run"] if dry_run else []))
            except SystemExit as exc:
                code = exc.code
        if code == 0:
            summary = json.loads(out.getvalue())
            parts = ("imported", "duplicates", "rejected", "blank")
            assert summary["rows_read"] == sum(summary[part] for part in parts)
        else:
            assert code == 1, err.getvalue()
            message = err.getvalue().rstrip("\n")
            assert message.startswith("qualdesk: ")
            assert_one_line(message)


# --- The same file on both engines ---------------------------------------------------------


@pytest.fixture(scope="session")
def pg_import_template(worker_id: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The import template's desk on PostgreSQL: a database each example copies."""
    from qualdesk.services.intake.dnc import add_number
    from tests import pg

    url = pg.fresh_database(PG_SERVER, f"qualdesk_props_{worker_id}_{os.getpid()}")
    leads = tmp_path_factory.mktemp("pg-import-template") / "desk-leads.csv"
    leads.write_text(DESK_LEADS, encoding="utf-8")
    desk = open_desk(url, clock=FrozenClock())
    try:
        import_file(desk, leads, ImportOptions(imported_by="template"))
        add_number(desk, DNC_NUMBER, region="US", by="template", reason="asked")
    finally:
        desk.close()
    yield url
    pg.drop_database(PG_SERVER, url)


@contextmanager
def pg_copy(template: str) -> Iterator[Desk]:
    """A copy of the PostgreSQL template, open, dropped afterwards."""
    import psycopg

    name = template.rsplit("/", 1)[1]
    with psycopg.connect(PG_SERVER + "postgres", autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}_x" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{name}_x" TEMPLATE "{name}"')
    desk = open_desk(f"{template}_x", clock=FrozenClock())
    try:
        yield desk
    finally:
        desk.close()
        with psycopg.connect(PG_SERVER + "postgres", autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}_x" WITH (FORCE)')


# Where the two desks may rightly differ: the template's own file sat in another folder.
_PLACES = {"file_path", "rejects_file"}


def _desk_rows(desk: Desk) -> dict[str, list[dict[str, Any]]]:
    """Every row an import writes, table by table, in id order."""
    tables: dict[str, list[dict[str, Any]]] = {}
    with desk.db.reading() as session:
        for model, order in (
            (Lead, Lead.id),
            (ImportBatch, ImportBatch.id),
            (ImportIssue, ImportIssue.id),
            (HoursClass, HoursClass.id),
            (DoNotCall, DoNotCall.phone_e164),
        ):
            rows = session.scalars(select(model).order_by(order))
            tables[model.__name__] = [row.model_dump(exclude=_PLACES) for row in rows]
    return tables


def _outcome(desk: Desk, path: Path, rejects: Path, **options: object) -> object:
    """What an import said (its summary, or the one line it refused the file with)."""
    try:
        summary = _import(desk, path, rejects_path=rejects, **options)
    except QualdeskError as exc:
        return f"{type(exc).__name__}: {exc}"
    said = summary.as_json()
    said.pop("rejects_file")
    return said, rejects.read_bytes() if summary.rejects_file else None


@pytest.mark.postgresql
@settings(
    max_examples=40,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=lead_files(), dry_run=rarely(5), region=st.sampled_from([None, None, "US", "gb"]))
@example(data=REGRESSIONS[0], dry_run=False, region=None)
def test_both_engines_import_a_file_alike(
    import_template: Template,
    pg_import_template: str,
    data: bytes,
    dry_run: bool,
    region: str | None,
) -> None:
    with fresh_desk(import_template) as (lite, folder), pg_copy(pg_import_template) as server:
        path = folder / "leads.csv"
        path.write_bytes(data)
        said = {}
        for engine, desk in (("sqlite", lite), ("postgresql", server)):
            rejects = folder / f"{engine}.rejects.csv"
            first = _outcome(desk, path, rejects, dry_run=dry_run, region=region)
            again = _outcome(desk, path, rejects, dry_run=True, force=True, region=region)
            said[engine] = (first, again, _desk_rows(desk))
        assert said["sqlite"][:2] == said["postgresql"][:2]
        for table, rows in said["sqlite"][2].items():
            assert rows == said["postgresql"][2][table], table
