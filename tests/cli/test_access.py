"""Who a command acts as, and what a rep is refused, on the command line as in the services."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from qualdesk.services.resources import data_file
from tests.cli.conftest import Run

LEADS = "Name,Company,Phone,Country\nAda Lovelace,Analytical Ltd,+44 20 7946 0958,GB\n"


@pytest.fixture
def staffed(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """A desk with a team lead (lee) and a rep (ana), both with passwords, and one import."""
    assert run("reps", "add", "lee", "--name", "Lee Morgan", "--role", "lead").code == 0
    assert run("reps", "add", "ana", "--name", "Ana Reyes").code == 0
    for handle in ("lee", "ana"):
        monkeypatch.setattr("sys.stdin", _Stdin(f"{handle}-password-1\n"))
        assert run("reps", "passwd", handle, "--password-stdin").code == 0
    leads = tmp_path / "leads.csv"
    leads.write_text(LEADS, encoding="utf-8")
    assert run("--as", "ana", "import", str(leads)).code == 0
    return run


class _Stdin:
    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)

    def readline(self) -> str:
        return self.lines.pop(0) if self.lines else ""

    def isatty(self) -> bool:
        return False


def _password_rules(tmp_path: Path) -> Path:
    rules = tmp_path / "password.toml"
    text = data_file("desk.toml").read_text(encoding="utf-8")
    rules.write_text(text.replace('sign_in = "none"', 'sign_in = "password"'), "utf-8")
    return rules


@pytest.mark.parametrize(
    ("args", "doing"),
    [
        (("reps", "add", "mallory", "--name", "M", "--role", "lead"), "add reps"),
        (("reps", "deactivate", "lee"), "deactivate reps"),
        (("reps", "activate", "lee"), "activate reps"),
        (("rules", "load", "RULES"), "load rules"),
        (("import", "--undo", "1"), "undo an import"),
        (("export", "--out", "OUT"), "export leads"),
        (("export", "--to", "nurture", "--out", "OUT"), "export leads"),
        (("feedback", "VERDICTS"), "read sales' feedback"),
        (("dnc", "remove", "+44 20 7946 0958", "--reason", "asked"), "take a number off"),
        (("reps", "log"), "read the sign-in log"),
        (("backup", "OUT"), "back up the desk"),
        (("db", "copy", "--to", "OUT"), "copy the desk"),
        (("doctor", "--fix"), "repair the desk"),
    ],
)
def test_a_rep_is_refused_what_only_a_team_lead_may_do(
    staffed: Run, tmp_path: Path, args: tuple[str, ...], doing: str
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(data_file("desk.toml").read_text("utf-8"), "utf-8")
    verdicts = tmp_path / "verdicts.csv"
    verdicts.write_text("Lead ID,Status\n1,accepted\n", "utf-8")
    given = [{"RULES": str(rules), "OUT": str(tmp_path / "out.csv"), "VERDICTS": str(verdicts)}
             .get(a, a) for a in args]  # fmt: skip
    before = staffed("reps", "list", "--json").out
    result = staffed("--as", "ana", *given)
    assert result.code == 1
    assert result.err.startswith(f"qualdesk: only a team lead may {doing}")
    assert result.err.rstrip().endswith("ana is a rep")
    assert len(result.err.splitlines()) == 1
    assert staffed("reps", "list", "--json").out == before
    assert not (tmp_path / "out.csv").exists()


def test_a_rep_may_import_and_add_to_do_not_call(staffed: Run, tmp_path: Path) -> None:
    added = staffed("--as", "ana", "dnc", "add", "+1 212 555 0100", "--reason", "asked")
    assert added.code == 0
    listed = staffed("dnc", "list").out
    assert "+12125550100" in listed and " ana " in listed
    batches = staffed("batches").out
    assert " ana " in batches  # the import is recorded as the rep's, not the machine's user


def test_a_team_lead_may_and_the_change_is_recorded_as_theirs(
    staffed: Run, db_location: str | Path
) -> None:
    assert staffed("--as", "lee", "dnc", "add", "+1 212 555 0100").code == 0
    removed = staffed("--as", "lee", "dnc", "remove", "+1 212 555 0100", "--reason", "consent")
    assert removed.code == 0, removed.err
    assert "Removed +12125550100" in removed.out
    assert staffed("--as", "lee", "import", "--undo", "1").code == 0
    if "://" not in str(db_location):
        with sqlite3.connect(db_location) as conn:
            rows = conn.execute(
                "SELECT by, action, subject FROM desk_changes ORDER BY id"
            ).fetchall()
        assert ("lee", "do-not-call removed", "+12125550100") in rows
        assert ("lee", "import undone", "batch 1") in rows


def test_on_a_desk_with_passwords_every_command_signs_in(
    staffed: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUALDESK_PASSWORD", "lee-password-1")
    switched = staffed("--as", "lee", "rules", "load", str(_password_rules(tmp_path)))
    assert switched.code == 0, switched.err
    assert "have each rep change theirs" in switched.err
    monkeypatch.delenv("QUALDESK_PASSWORD")
    unnamed = staffed("leads", "find", "Ada")
    assert (unnamed.code, unnamed.out) == (1, "")
    assert "asks everyone to sign in: give --as HANDLE" in unnamed.err
    no_terminal = staffed("--as", "ana", "leads", "find", "Ada")
    assert no_terminal.code == 1 and "QUALDESK_PASSWORD" in no_terminal.err
    monkeypatch.setenv("QUALDESK_PASSWORD", "wrong-password")
    wrong = staffed("--as", "ana", "leads", "find", "Ada")
    assert wrong.code == 1 and wrong.err == "qualdesk: handle or password not accepted\n"
    monkeypatch.setenv("QUALDESK_PASSWORD", "ana-password-1")
    found = staffed("--as", "ana", "leads", "find", "Ada")
    assert found.code == 0 and "Ada Lovelace" in found.out
    refused = staffed("--as", "ana", "export", "--out", str(tmp_path / "x.csv"))
    assert refused.err == "qualdesk: only a team lead may export leads; ana is a rep\n"
    monkeypatch.setenv("QUALDESK_PASSWORD", "lee-password-1")
    log = json.loads(staffed("--as", "lee", "reps", "log", "--json").out)
    assert {"at", "handle", "event", "source", "detail"} == set(log[0])
    events = [(e["handle"], e["event"]) for e in log]
    assert ("ana", "failed") in events and ("ana", "signed in") in events
    assert all("password-1" not in json.dumps(e) for e in log)


def test_turning_sign_in_on_takes_a_team_lead_who_signs_in(
    staffed: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = str(_password_rules(tmp_path))
    unnamed = staffed("rules", "load", rules)
    assert unnamed.code == 1 and "give --as HANDLE" in unnamed.err
    monkeypatch.setenv("QUALDESK_PASSWORD", "not-lees")
    wrong = staffed("--as", "lee", "rules", "load", rules)
    assert wrong.err == "qualdesk: handle or password not accepted\n"
    assert 'sign_in = "none"' in staffed("--as", "lee", "rules", "show", "--toml").out


def test_a_team_lead_without_a_password_cannot_turn_sign_in_on(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("reps", "add", "lee", "--name", "Lee Morgan", "--role", "lead")
    monkeypatch.setenv("QUALDESK_PASSWORD", "")
    result = run("--as", "lee", "rules", "load", str(_password_rules(tmp_path)))
    assert (result.code, result.err) == (1, "qualdesk: handle or password not accepted\n")
    assert "Rules version 1," in run("rules", "show").out


def test_reps_list_never_shows_a_password_hash(staffed: Run) -> None:
    listed = json.loads(staffed("reps", "list", "--json").out)
    assert all(rep["password"] is True for rep in listed)
    assert "scrypt" not in staffed("reps", "list", "--json").out
    assert "scrypt" not in staffed("reps", "list").out


def test_the_last_team_lead_cannot_be_deactivated(staffed: Run) -> None:
    result = staffed("--as", "lee", "reps", "deactivate", "lee")
    assert result.code == 1 and "last active team lead" in result.err


def test_a_password_is_never_an_argument(staffed: Run) -> None:
    result = staffed("reps", "passwd", "ana", "secret-password")
    assert result.code == 2  # a usage error: no such argument
    refused = staffed("reps", "passwd", "ana")
    assert refused.code == 1 and "--password-stdin" in refused.err


def test_with_no_sign_in_a_handle_acts_under_its_role(staffed: Run) -> None:
    assert staffed("--as", "lee", "reps", "add", "ben", "--name", "Ben").code == 0
    unknown = staffed("--as", "zed", "reps", "list")
    assert unknown.code == 1 and "no rep with handle 'zed'" in unknown.err
