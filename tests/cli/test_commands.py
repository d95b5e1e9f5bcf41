"""The command line: every command, its output, and one-line errors with non-zero exits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from qualdesk.cli import qualdesk
from qualdesk.db.schema import SCHEMA_HEAD
from tests.cli.conftest import Run
from tests.conftest import REPO, WriteCsv

ROWS = [
    ["Ada Lovelace", "Analytical", "CTO", "ada@example.com", "+44 20 7946 0958", "UK"],
    ["Bob", "Acme", "", "", "4.15555E+09", "US"],
]


def _all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _all_commands(command, (*prefix, name))
    return found


@pytest.mark.parametrize("path", _all_commands(qualdesk), ids=" ".join)
def test_every_command_has_help(run: Run, path: tuple[str, ...]) -> None:
    result = run(*path, "--help", db=None)
    assert result.code == 0
    assert "Usage: qualdesk " + " ".join(path) in result.out
    command = qualdesk
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    assert command.help and len(command.help.strip()) > 10


def test_import_json_summary(run: Run, write_csv: WriteCsv, tmp_path: Path) -> None:
    result = run("import", str(write_csv(ROWS)), "--json", "--source", "expo")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    for key in (
        "rows_read",
        "imported",
        "duplicates",
        "rejected",
        "blank",
        "dnc",
        "batch_id",
        "rejects_file",
    ):
        assert key in data
    assert (data["rows_read"], data["imported"], data["rejected"], data["batch_id"]) == (2, 1, 1, 1)
    assert data["rejects_file"] == str(tmp_path / "leads.rejects.csv")


def test_import_human_summary_and_undo(run: Run, write_csv: WriteCsv) -> None:
    result = run("import", str(write_csv(ROWS)))
    assert result.code == 0
    assert "Imported leads.csv as batch 1." in result.out
    assert "rejected" in result.out and "leads.rejects.csv" in result.out
    assert "scientific notation" in result.out
    listed = run("batches")
    assert "leads.csv" in listed.out and "done" in listed.out
    detail = run("batches", "1")
    assert "line 3: rejected" in detail.out
    undone = run("import", "--undo", "1")
    assert undone.code == 0 and "removed 1 leads" in undone.out
    again = run("import", "--undo", "1")
    assert again.code == 1 and again.err.startswith("qualdesk: batch 1 was already undone")


@pytest.mark.parametrize(
    ("args", "words", "code"),
    [
        (["import", "missing.csv"], "missing.csv: no such file", 1),
        (["import"], "give a FILE to import, or --undo BATCH", 2),
        (["import", "--undo", "7"], "no import batch 7", 1),
        (["rules", "load", "nope.toml"], "nope.toml: no such file", 1),
        (["reps", "add", "Bad Handle", "--name", "X"], "handle 'bad handle'", 1),
        (["reps", "add", "ana", "--name", "Ana", "--tz", "Mars/Olympus"], "unknown time zone", 1),
        (["dnc", "add", "555"], "not a valid number", 1),
        (["batches", "3"], "no import batch 3", 1),
        (["desk", "--rep", "ghost"], "no rep with handle 'ghost'", 1),
        (["stats", "--since", "the day after"], "--since 'the day after': not a date", 1),
        (["stats", "--since", "nov 20", "--until", "nov 2"], "is before --since", 1),
        (["stats", "--rep", "ghost"], "no rep with handle 'ghost'", 1),
        (["stats", "--zone", "Mars/Base"], "not a time zone", 1),
        (["export", "--batch", "4"], "no export batch with that id", 1),
        (["export", "--out", "no/such/folder/x.csv"], "does not exist", 1),
        (["feedback", "missing.csv"], "missing.csv: no such file", 1),
        (
            ["import", "--undo", "1", "--dry-run"],
            "--undo takes no other options (got --dry-run)",
            2,
        ),
        (["import", "x.csv", "--region", "zz"], "--region: unknown region code 'zz'", 1),
        (["dnc", "add", "415 555 2671", "--region", "narnia"], "unknown region code 'narnia'", 1),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(
    run: Run,
    args: list[str],
    words: str,
    code: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.code == code
    assert words in result.err
    assert "Traceback" not in result.err
    if code == 1:
        assert result.err.startswith("qualdesk: ") and result.err.count("\n") == 1


def test_the_desk_needs_a_terminal(run: Run) -> None:
    run("reps", "add", "ana", "--name", "Ana", "--tz", "UTC")
    result = run("desk", "--rep", "ana")
    assert result.code == 1 and "the desk needs a terminal" in result.err


def test_a_lower_case_region_is_understood(run: Run, tmp_path: Path) -> None:
    assert "Added +14155552671" in run("dnc", "add", "415 555 2671", "--region", "us").out
    numbers = tmp_path / "dnc.txt"
    numbers.write_text('Phone\n"+14155552698\n+14155552697\n', encoding="utf-8")
    data = json.loads(run("dnc", "import", str(numbers), "--region", "us", "--json").out)
    assert data["added"] == 1 and [i["line"] for i in data["invalid"]] == [2]
    listed = tmp_path / "uk.csv"
    listed.write_text(
        "Name,Phone,Country\nA,020 7946 0124,UK\nB,020 7946 0124,UK\n", encoding="utf-8"
    )
    data = json.loads(run("dnc", "import", str(listed), "--json").out)
    assert (data["added"], data["repeated"], data["invalid"]) == (1, 1, [])


def test_an_invalid_rules_file_stores_nothing(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "desk.toml"
    text = (REPO / "data" / "desk.toml").read_text(encoding="utf-8")
    bad.write_text(text.replace("max_attempts = 6", "max_attempts = 0"), encoding="utf-8")
    result = run("rules", "load", str(bad))
    assert result.code == 1
    assert result.err.strip() == (
        f"qualdesk: {bad}: cadence.max_attempts: must be at least 1, got 0"
    )
    assert "Rules version 1," in run("rules", "show").out


def test_rules_load_show_and_check(run: Run, tmp_path: Path) -> None:
    changed = tmp_path / "desk.toml"
    text = (REPO / "data" / "desk.toml").read_text(encoding="utf-8")
    # Saved by a Windows editor: UTF-8 with a byte-order mark.
    changed.write_text(
        text.replace("min_established = 4", "min_established = 5"), encoding="utf-8-sig"
    )
    assert run("rules", "check", str(changed)).out.strip() == f"{changed}: valid"
    loaded = run("rules", "load", str(changed))
    assert "rules version 2" in loaded.out
    assert "same as rules version 2" in run("rules", "load", str(changed)).out
    shown = run("rules", "show")
    assert "Rules version 2" in shown.out and "at least 5 of 10 criteria" in shown.out
    assert "US-FL" in shown.out and "No answer" in shown.out
    assert "min_established = 5" in run("rules", "show", "--toml").out


def test_reps_and_dnc(run: Run, write_csv: WriteCsv, tmp_path: Path) -> None:
    assert run("reps", "list").out.startswith("No reps yet")
    assert run("reps", "add", "ana", "--name", "Ana Reyes", "--tz", "America/New_York").code == 0
    assert run("reps", "add", "lee", "--name", "Lee", "--role", "lead", "--tz", "UTC").code == 0
    taken = run("reps", "add", "ana", "--name", "Other")
    assert taken.code == 1 and "already on the desk" in taken.err
    listed = run("reps", "list")
    assert "Ana Reyes" in listed.out and "lead" in listed.out
    run("import", str(write_csv(ROWS)))
    added = run("dnc", "add", "+44 20 7946 0958", "--reason", "asked")
    assert "Added +442079460958; 1 lead(s) on the desk stopped." in added.out
    numbers = tmp_path / "dnc.csv"
    numbers.write_text("Phone\n+1 212 555 0100\nnot a number\n+44 20 7946 0958\n", encoding="utf-8")
    result = run("dnc", "import", str(numbers), "--json")
    data = json.loads(result.out)
    assert (data["added"], data["already"]) == (1, 1)
    assert data["invalid"][0]["line"] == 3
    assert "+12125550100" in run("dnc", "list").out


def test_locate_follows_flag_env_config_default(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("locate", db=tmp_path / "flag.db").out.strip() == str(tmp_path / "flag.db")
    monkeypatch.setenv("QUALDESK_DB", str(tmp_path / "env.db"))
    assert run("locate", db=None).out.strip() == str(tmp_path / "env.db")
    monkeypatch.delenv("QUALDESK_DB")
    config = tmp_path / "config.toml"
    config.write_text(f'db = "{tmp_path / "config.db"}"\n', encoding="utf-8")
    monkeypatch.setenv("QUALDESK_CONFIG", str(config))
    result = run("locate", db=None)
    assert result.out.strip() == str(tmp_path / "config.db") and "config file" in result.err
    config.unlink()
    missing = run("locate", db=None)
    assert missing.code == 1
    assert "QUALDESK_CONFIG names" in missing.err and "which is not a file" in missing.err
    monkeypatch.delenv("QUALDESK_CONFIG")
    located = run("locate", db=None)
    assert located.out.strip().endswith("qualdesk.db") and "config file:" in located.err
    monkeypatch.setenv("QUALDESK_CONFIG", str(config))
    config.write_text("db = 3\n", encoding="utf-8")
    bad = run("locate", db=None)
    assert bad.code == 1 and "db: expected text" in bad.err


def test_db_upgrade_on_a_current_database(run: Run) -> None:
    assert f"up to date ({SCHEMA_HEAD})" in run("db", "upgrade").out


def test_a_database_that_does_not_exist_is_a_mistake_not_a_new_desk(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_csv: WriteCsv
) -> None:
    typo = tmp_path / "dmeo.db"
    for args in (("stats",), ("reps", "list"), ("db", "upgrade"), ("export",), ("doctor",)):
        result = run(*args, db=typo)
        assert result.code == 1, args
        assert result.err.count("\n") == 1, result.err
        assert f"{typo}: " in result.err and "chosen by --db" in result.err, result.err
    assert "qualdesk db init" in run("stats", db=typo).err
    monkeypatch.setenv("QUALDESK_DB", str(typo))
    from_env = run("stats", db=None)
    assert from_env.code == 1 and "chosen by QUALDESK_DB" in from_env.err
    monkeypatch.delenv("QUALDESK_DB")
    config = tmp_path / "config.toml"
    config.write_text(f'db = "{typo}"\n', encoding="utf-8")
    monkeypatch.setenv("QUALDESK_CONFIG", str(config))
    from_config = run("stats", db=None)
    assert from_config.code == 1 and "chosen by config file" in from_config.err
    monkeypatch.delenv("QUALDESK_CONFIG")
    # A dry run never creates anything, not even the default database.
    leads = write_csv([["Ada Lovelace", "Analytical", "", "", "+44 20 7946 0958", "GB"]])
    dry = run("import", str(leads), "--dry-run", db=typo)
    assert dry.code == 0 and "would import  1" in dry.out
    dry_default = run("import", str(leads), "--dry-run", db=None)
    assert dry_default.code == 0
    assert not typo.exists() and not (tmp_path / "xdg-data").exists()
    assert run("locate", db=typo).err.count("qualdesk db init") == 1
    # db init makes the desk, with the default rules, and never replaces one.
    made = run("db", "init", db=typo)
    assert made.code == 0 and "Created a desk at" in made.out and "version 1" in made.out
    assert run("stats", db=typo).code == 0
    again = run("db", "init", db=typo)
    assert again.code == 1 and "already there; nothing was changed" in again.err
    elsewhere = tmp_path / "other.db"
    assert run("db", "init", str(elsewhere), db=typo).code == 0 and elsewhere.exists()
    # The default database is still created on first use.
    assert run("reps", "list", db=None).code == 0
    assert (tmp_path / "xdg-data" / "qualdesk" / "qualdesk.db").exists()


def test_a_database_in_a_missing_folder_is_refused(run: Run, tmp_path: Path) -> None:
    result = run("reps", "list", db=tmp_path / "no" / "such" / "desk.db")
    assert result.code == 1 and "the folder" in result.err and "does not exist" in result.err
    assert not (tmp_path / "no").exists()


def test_a_database_that_is_not_ours_is_one_line(run: Run, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("not a database at all" * 50)
    result = run("reps", "list", db=junk)
    assert result.code == 1 and "not a SQLite database" in result.err


def test_demo_builds_a_desk_and_refuses_real_databases(run: Run, tmp_path: Path) -> None:
    demo = tmp_path / "demo.db"
    result = run("demo", "--no-open", db=demo)
    assert result.code == 0 and "reps ana, ben, cleo, lee" in result.out
    bad_rep = run("demo", "--rep", "nobody", db=demo)
    assert bad_rep.code == 1 and "the demo's reps are ana, ben, cleo, lee" in bad_rep.err
    assert run("demo", "--no-open", db=demo).code == 0
    run("reps", "list")
    refused = run("demo", "--no-open")
    assert refused.code == 1 and "not a demo database" in refused.err


def test_the_installed_command_shows_no_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env.pop("QUALDESK_CONFIG", None)
    subprocess.run(
        [sys.executable, "-m", "qualdesk", "db", "init", str(tmp_path / "d.db")],
        capture_output=True,
        env=env,
        check=True,
    )
    done = subprocess.run(
        [sys.executable, "-m", "qualdesk", "--db", str(tmp_path / "d.db"), "import", "nope.csv"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == "qualdesk: nope.csv: no such file"


def test_stats_export_and_feedback_speak_json(run: Run, tmp_path: Path) -> None:
    run("reps", "add", "lee", "--name", "Lee", "--role", "lead", "--tz", "America/New_York")
    stats = run("stats", "--json", "--period", "all")
    assert stats.code == 0, stats.err
    data = json.loads(stats.out)
    assert {"range", "reps", "desk"} <= set(data)
    assert {"rep", "touches", "calls", "connects", "qualified", "nurtured", "disqualified",
            "by_channel"} <= set(data["reps"][0])  # fmt: skip
    assert data["range"]["zone"] == "America/New_York"
    assert {"queue", "sla", "conversion", "reviews", "by_source", "by_campaign", "trend"} <= set(
        data["desk"]
    )
    human = run("stats", "--since", "nov 1", "--until", "today")
    assert human.code == 0 and "Team figures for 01 Nov 2026 to" in human.out
    exported = run("export", "--json", "--out", str(tmp_path / "out.csv"))
    assert exported.code == 0, exported.err
    assert json.loads(exported.out) == {"exported": 0, "batch_id": None, "file": None}
    verdicts = tmp_path / "v.csv"
    verdicts.write_text("Lead ID,Verdict\n5,accepted\n", encoding="utf-8")
    fed = run("feedback", str(verdicts), "--json")
    assert fed.code == 1 and "every row was refused" in fed.err  # and still its JSON
    data = json.loads(fed.out)
    assert (data["refused"], data["issues"][0]["reason"]) == (1, "no lead #5 on the desk")
    assert (data["pending"], data["outcomes"]) == (0, 0)


def test_a_busy_database_is_one_calm_line_and_a_non_zero_exit(
    run: Run, db_path: Path, write_csv: WriteCsv, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from qualdesk.db import engine

    assert run("reps", "add", "ana", "--name", "Ana Reyes").code == 0
    source = write_csv([["Ada Lovelace", "Analytical", "", "", "+44 20 7946 0958", "UK"]])
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(db_path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock throughout
        for args in (("reps", "add", "ben", "--name", "Ben Okafor"), ("import", str(source))):
            result = run(*args)
            assert result.code == 75, args
            lines = result.err.strip().splitlines()
            assert len(lines) == 1 and "the database is busy" in lines[0], result.err
            assert "locked" not in result.err and "Traceback" not in result.err
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # Nothing was half-done: the same commands work once the lock is let go.
    assert run("reps", "add", "ben", "--name", "Ben Okafor").code == 0
    assert run("import", str(source)).code == 0


def test_text_from_files_is_printed_literally(run: Run, tmp_path: Path) -> None:
    source = tmp_path / "hostile.csv"
    source.write_text(
        "Name,Company,Phone,Campaign\n"
        "Ada \u202eLovelace,Analytical,+44 20 7946 0958,Spring\x1b[31m [b]sale\n"
        "Eve \x1b[2J,Acme,+1 212 555 0102,x\n",
        encoding="utf-8",
    )
    assert run("reps", "add", "lee", "--name", "Lee", "--role", "lead").code == 0
    imported = run("import", str(source))
    assert imported.code == 0
    assert "control character in 'Name'" in imported.out
    figures = run("stats", "--period", "all")
    assert figures.code == 0
    assert "Spring␛[31m [b]sale" in figures.out
    found = run("batches", "1")
    as_json = run("stats", "--period", "all", "--json")
    assert "Spring\x1b[31m [b]sale" in [
        c["name"] for c in json.loads(as_json.out)["desk"]["by_campaign"]
    ]
    for result in (imported, figures, found, as_json):
        assert "\x1b" not in result.out + result.err and "\u202e" not in result.out + result.err


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["stats", "--period", "year"], "qualdesk stats: Invalid value for '--period'"),
        (["leads", "show"], "qualdesk leads show: Missing argument 'ID'."),
        (["nosuch"], "qualdesk: No such command 'nosuch'."),
    ],
)
def test_a_bad_command_line_is_one_line_and_exit_2(run: Run, args: list[str], line: str) -> None:
    result = run(*args)
    assert result.code == 2 and result.out == ""
    [said] = result.err.splitlines()
    assert said.startswith(line) and said.endswith("--help)")


def test_rules_show_says_both_sides_of_the_agreement(run: Run) -> None:
    lines = run("rules", "show").out.splitlines()
    assert (
        "Qualification desk: default region US, speed to lead 4 h of calling hours "
        "(met by a touch on phone)" in lines
    )
    assert "  A  6 touches on 2 channels within 14 days" in lines
    assert "  D  3 touches on 1 channel within 14 days" in lines
    assert "Sales give a verdict within 5 working days (mon-fri)" in lines
    assert any(line.startswith("Sales' words for verdicts: accepted ") for line in lines)


def test_a_server_that_does_not_answer_is_one_line_and_never_its_password(run: Run) -> None:
    gone = run("stats", db="postgresql://ana:s3cret@127.0.0.1:1/desk")
    assert gone.code == 75 and "s3cret" not in gone.out + gone.err
    assert gone.err.count("\n") == 1 and "the database server did not answer" in gone.err
    assert "postgresql://ana:***@127.0.0.1:1/desk" in gone.err
    located = run("locate", db="postgresql://ana:s3cret@127.0.0.1:1/desk")
    assert located.out.strip() == "postgresql://ana:***@127.0.0.1:1/desk"


def test_a_database_missing_on_the_server_is_one_line(run: Run, pg_database: str) -> None:
    from sqlalchemy.engine import make_url

    elsewhere = make_url(pg_database).set(password="s3cret", database="qualdesk_no_such_desk")
    missing = run("stats", db=elsewhere.render_as_string(hide_password=False))
    assert missing.code == 1 and "s3cret" not in missing.out + missing.err
    assert missing.err.count("\n") == 1
    assert 'database "qualdesk_no_such_desk" does not exist; create it on the server' in missing.err


def test_the_config_file_names_a_desk_on_either_engine(
    run: Run, db_location: str | Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("stats").code == 0  # the desk, made as db init would
    config = tmp_path / "config.toml"
    config.write_text(f'db = "{db_location}"\n', encoding="utf-8")
    monkeypatch.setenv("QUALDESK_CONFIG", str(config))
    located = run("locate", db=None)
    assert located.code == 0 and located.out.strip() == str(db_location)
    assert f"chosen by: config file {config}" in located.err
    assert run("stats", "--json", db=None).code == 0


def test_a_password_given_as_a_parameter_is_never_printed(run: Run) -> None:
    gone = run("stats", db="postgresql://ana@127.0.0.1:1/desk?password=s3cret")
    assert gone.code == 75 and "s3cret" not in gone.out + gone.err
    assert "postgresql://ana@127.0.0.1:1/desk?password=***" in gone.err
