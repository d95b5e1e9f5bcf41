"""The least-privilege PostgreSQL role of docs/access.md runs a whole working day, and no DDL.

The roles and grants are made with the SQL blocks of docs/access.md exactly
as the page shows them (only the names are made this test worker's own, as
roles belong to the whole server), so the page stays true: the owner creates
the desk, then everything a day brings runs through the services as the
desk's role, and that role can neither drop, alter nor create a table.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from qualdesk.core.errors import QualdeskError
from qualdesk.services.access import administrator, as_rep
from qualdesk.services.calling.calls import end_call, set_criterion
from qualdesk.services.calling.queue import claim_next
from qualdesk.services.desk import create_desk, open_desk
from qualdesk.services.handoff.export import export_leads
from qualdesk.services.intake.dnc import add_number
from qualdesk.services.intake.importer import ImportOptions, import_file
from qualdesk.services.reps import add_rep
from qualdesk.services.signin import set_password, sign_in, sign_in_log
from qualdesk.services.upkeep.health import check_server
from tests import pg
from tests.conftest import PG_SERVER, REPO, FrozenClock, WriteCsv

pytestmark = pytest.mark.postgresql

DOCS = REPO / "docs" / "access.md"
# The names docs/access.md uses: the owner role (and the database), the desk's role.
OWNER, DESK_ROLE = "qualdesk", "qualdesk_desk"
QUALIFYING = ("vertical", "pains", "budget", "urgency")


def docs_sql() -> list[list[str]]:
    """The SQL blocks of docs/access.md, each as its statements, in the page's order."""
    blocks = re.findall(r"```sql\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    return [[s.strip() for s in block.split(";") if s.strip()] for block in blocks]


@dataclass(frozen=True)
class Roles:
    """This test's database and roles on the server, and how each role connects."""

    database: str
    owner: str
    desk: str
    passwords: dict[str, str]

    def url(self, role: str) -> str:
        where = PG_SERVER.split("://", 1)[1].split("@", 1)[1]  # host:port/
        return f"postgresql://{role}:{self.passwords[role]}@{where}{self.database}"

    def named(self, statement: str) -> str:
        """A statement of the page with this test's names for the roles and the database."""
        statement = re.sub(rf"\b{DESK_ROLE}\b", self.desk, statement)
        return re.sub(rf"\b{OWNER}\b", self.owner, statement)


def _run(url: str, statements: list[str]) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _refused(url: str, statement: str) -> str:
    """The server's refusal of a statement run as a role (the test fails if it runs)."""
    import psycopg

    with (
        psycopg.connect(url, autocommit=True) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege) as refused,
    ):
        conn.execute(statement)
    return str(refused.value)


def _drop(roles: Roles) -> None:
    pg.drop_database(PG_SERVER, roles.url(roles.owner))
    drops = [f'DROP ROLE IF EXISTS "{role}"' for role in (roles.desk, roles.owner)]
    _run(PG_SERVER + "postgres", drops)


@pytest.fixture
def roles(worker_id: str) -> Iterator[Roles]:
    """The page's roles and database, made with its SQL under this worker's names."""
    base = f"qd_role_{worker_id}_{os.getpid()}"  # roles are the whole server's
    # Skips with one line where there is no server (fails under CI); the page's own
    # CREATE DATABASE then makes the database again, owned by the owner role.
    pg.drop_database(PG_SERVER, pg.fresh_database(PG_SERVER, base))
    sql = docs_sql()
    assert len(sql) == 3, "docs/access.md: the server's, the schema's and the owner's SQL"
    passwords = dict(re.findall(r"CREATE ROLE (\w+) LOGIN PASSWORD '([^']*)'", "\n".join(sql[0])))
    assert set(passwords) == {OWNER, DESK_ROLE}
    made = Roles(
        database=base,
        owner=base,
        desk=f"{base}_desk",
        passwords={base: passwords[OWNER], f"{base}_desk": passwords[DESK_ROLE]},
    )
    _drop(made)  # anything a test cut short left
    administrator = PG_SERVER + "postgres"
    try:
        _run(administrator, [made.named(s) for s in sql[0]])
        _run(PG_SERVER + made.database, [made.named(s) for s in sql[1]])
        yield made
    finally:
        _drop(made)


def _grant(roles: Roles) -> None:
    """The page's last block: run as the owner, in the desk's database."""
    _run(roles.url(roles.owner), [roles.named(s) for s in docs_sql()[2]])


def test_the_desk_role_works_a_whole_day_and_changes_no_table(
    roles: Roles, clock: FrozenClock, write_csv: WriteCsv, tmp_path: Path
) -> None:
    # The owner creates the desk (`qualdesk db init`); then the page's grants.
    create_desk(roles.url(roles.owner), clock=clock).close()
    _grant(roles)

    desk = open_desk(roles.url(roles.desk), clock=clock)
    try:
        lee = add_rep(desk, "lee", "Lee Park", "lead", "America/New_York")
        ana = add_rep(desk, "ana", "Ana Reyes", "rep", "America/New_York", by=as_rep(lee))
        set_password(desk, as_rep(lee), "ana", "correct horse", source="test")
        assert sign_in(desk, "ana", "correct horse", source="test").id == ana.id
        assert [e.event for e in sign_in_log(desk, administrator(), "ana")] == [
            "signed in",
            "password set",
        ]

        leads = write_csv(
            [
                ["Tess de Vries", "Acme", "VP Sales", "tess@acme.test", "+1 212 555 0101", "US"],
                ["Ada Lovelace", "Analytical", "CTO", "ada@an.test", "+1 212 555 0103", "US"],
                ["Bob Stone", "Initech", "Owner", "bob@initech.test", "+1 212 555 0104", "US"],
            ]
        )
        # An import stages its rows in temporary tables: TEMPORARY on the database.
        assert import_file(desk, leads, ImportOptions(imported_by="ana")).imported == 3

        qualified = claim_next(desk, ana)
        assert qualified is not None
        for key in QUALIFYING:
            set_criterion(desk, qualified, key, True, note=f"{key} confirmed")
        end_call(desk, qualified, "connected", notes="a good call")
        no_answer = claim_next(desk, ana)
        assert no_answer is not None and no_answer.lead_id != qualified.lead_id
        end_call(desk, no_answer, "no_answer")
        assert add_number(desk, "+1 212 555 0199", region=None, by="ana")[1] is True

        out = tmp_path / "to-sales.csv"
        handed = export_leads(desk, out=out, by=as_rep(lee))
        assert handed.exported == 1 and out.exists()
    finally:
        desk.close()

    # The doctor: as the desk's role nothing beyond the rows; as the owner, a warning.
    as_desk = {f.name: f for f in check_server(roles.url(roles.desk)).findings}
    assert as_desk["access"].status == "ok", as_desk["access"]
    assert as_desk["access"].detail.startswith(f"qualdesk connects as {roles.desk}, which may")
    as_owner = {f.name: f for f in check_server(roles.url(roles.owner)).findings}
    assert as_owner["access"].status == "warning"
    assert "owns the database" in as_owner["access"].detail
    assert "tables of the desk (may drop them)" in as_owner["access"].detail

    # No DDL as the desk's role: nothing dropped, altered, emptied or created.
    url = roles.url(roles.desk)
    assert "must be owner of table leads" in _refused(url, "DROP TABLE leads")
    assert "must be owner" in _refused(url, "ALTER TABLE reps ADD COLUMN is_boss boolean")
    assert "permission denied" in _refused(url, "TRUNCATE touches")
    assert "permission denied for schema public" in _refused(url, "CREATE TABLE mine (x int)")
    assert "must be owner of database" in _refused(url, f'DROP DATABASE "{roles.database}"')
    assert "permission denied to create role" in _refused(url, "CREATE ROLE boss")


def test_a_table_a_later_upgrade_adds_is_granted_to_the_desk_role(
    roles: Roles, clock: FrozenClock
) -> None:
    _grant(roles)  # before `db init` this time: the default privileges grant every table
    create_desk(roles.url(roles.owner), clock=clock).close()
    # A later schema upgrade, run as the owner, adds a table with its own id sequence.
    _run(roles.url(roles.owner), ["CREATE TABLE later (id serial PRIMARY KEY, note text)"])
    rows = [
        "INSERT INTO later (note) VALUES ('a')",
        "UPDATE later SET note = 'b'",
        "DELETE FROM later",
    ]
    _run(roles.url(roles.desk), rows)
    as_desk = {f.name: f for f in check_server(roles.url(roles.desk)).findings}
    assert as_desk["access"].status == "ok", as_desk["access"]


def test_a_desk_role_lacking_a_grant_is_a_problem_naming_it(
    roles: Roles, clock: FrozenClock
) -> None:
    create_desk(roles.url(roles.owner), clock=clock).close()
    _grant(roles)
    _run(roles.url(roles.owner), [f"REVOKE INSERT ON touches FROM {roles.desk}"])
    revoke = f'REVOKE TEMPORARY ON DATABASE "{roles.database}" FROM "{roles.desk}"'
    _run(PG_SERVER + "postgres", [revoke])
    access = {f.name: f for f in check_server(roles.url(roles.desk)).findings}["access"]
    assert access.status == "problem"
    assert access.detail == (
        f"qualdesk connects as {roles.desk}, which may not read and write touches; "
        "nor create temporary tables (imports stage their rows in them)"
    )
    assert "docs/access.md" in access.advice


def test_the_desk_role_cannot_upgrade_and_says_so_in_one_line(
    roles: Roles, clock: FrozenClock
) -> None:
    create_desk(roles.url(roles.owner), clock=clock).close()
    _grant(roles)
    # As if this qualdesk were newer than the desk: its schema stamped one revision back.
    _run(roles.url(roles.owner), ["UPDATE alembic_version SET version_num = '0010'"])
    with pytest.raises(QualdeskError) as refused:
        open_desk(roles.url(roles.desk), clock=clock)
    # One line naming the database and the server's reason; the owner runs `db upgrade`.
    assert "\n" not in str(refused.value)
    assert str(refused.value).endswith(": must be owner of table reps")
    assert roles.passwords[roles.desk] not in str(refused.value)
