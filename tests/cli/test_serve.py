"""`qualdesk serve` refusing what it should, each with one line (no browser needed here)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from qualdesk.services.desk import open_desk
from qualdesk.services.reps import add_rep
from tests.browser.desks import require_passwords
from tests.cli.conftest import Run


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.7"])
def test_another_address_needs_password_sign_in(run: Run, host: str) -> None:
    result = run("serve", "--host", host, "--port", "1")
    assert result.code == 1
    line = one_line(result.err)
    assert f"--host {host}" in line and 'sign_in = "password"' in line


def test_a_public_url_elsewhere_needs_password_sign_in(run: Run) -> None:
    result = run("serve", "--public-url", "https://desk.example.com")
    assert result.code == 1
    assert "--public-url https://desk.example.com" in one_line(result.err)


@pytest.mark.parametrize(
    "url",
    [
        "desk.example.com",
        "ftp://desk.example.com",
        "https://",
        "http://h/?q=1",
        "http://h:99999",
        "http://h/#top",
        "https://user@h",
        "http://h/\x1b[2J",
    ],
)
def test_a_bad_public_url_is_one_line(run: Run, url: str) -> None:
    result = run("serve", "--public-url", url)
    assert result.code == 2
    line = one_line(result.err)
    assert "--public-url" in line and "\x1b" not in line


def test_an_unknown_host_is_one_line(run: Run) -> None:
    result = run("serve", "--host", "no-such-host.invalid")
    assert result.code == 1
    assert "no such address" in one_line(result.err)


def test_a_port_in_use_is_one_line(run: Run) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port))
    assert result.code == 1
    assert "the port is in use" in one_line(result.err)


def test_password_sign_in_lets_it_try_another_address(
    run: Run, db_location: str | Path, tmp_path: Path
) -> None:
    """With passwords required the refusal is gone: here it fails only to listen there."""
    run("locate")  # the desk is made
    desk = open_desk(db_location)
    add_rep(desk, "lee", "Lee", "lead")
    desk.close()
    require_passwords(db_location, tmp_path, {"lee": "a long enough secret"})
    result = run("serve", "--host", "192.0.2.7")
    assert result.code == 1
    assert "not an address of this machine" in one_line(result.err)


def test_the_served_desk_still_needs_a_terminal_outside_a_browser(run: Run) -> None:
    result = run("desk", "--served")
    assert result.code == 1
    assert "needs a terminal" in one_line(result.err)


def test_each_tab_runs_the_desk_on_the_same_database(monkeypatch: pytest.MonkeyPatch) -> None:
    from qualdesk.cli.serve import desk_command

    monkeypatch.setenv("QUALDESK_DB", "put back as it was after the test")
    monkeypatch.delenv("QUALDESK_DB")
    assert desk_command("/srv/a desk.db").endswith(
        "-m qualdesk --db '/srv/a desk.db' desk --served"
    )
    assert desk_command("postgresql://qualdesk@db/desk").endswith(
        "--db postgresql://qualdesk@db/desk desk --served"
    )
    assert "QUALDESK_DB" not in os.environ


@pytest.mark.parametrize(
    "url", ["postgresql://qualdesk:secret@db/desk", "postgresql://qualdesk@db/desk?password=secret"]
)
def test_a_password_in_the_url_stays_off_the_desks_command_line(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    from qualdesk.cli.serve import desk_command

    monkeypatch.setenv("QUALDESK_DB", "put back as it was after the test")
    monkeypatch.delenv("QUALDESK_DB")
    command = desk_command(url)
    assert "secret" not in command and command.endswith("-m qualdesk desk --served")
    assert os.environ["QUALDESK_DB"] == url  # the desk processes' environment


def test_a_tab_gets_no_rep_password_the_server_was_given(tmp_path: Path) -> None:
    from qualdesk.cli.serving import desk_environment

    server = {
        "QUALDESK_PASSWORD": "lee's long secret",
        "qualdesk_password": "lee's long secret",
        "QUALDESK_ADMIN_TOKEN": "t0ken",
        "QUALDESK_API_SECRET": "s3cret",
        "QUALDESK_DB": "postgresql://desk:dbpass@db/desk",  # the database's, as the server's
        "QUALDESK_CONFIG": "/etc/qualdesk.toml",
        "PGPASSWORD": "dbpass",
        "QUALDESK_SERVED_EXPOSED": "1",
        "PATH": "/usr/bin",
    }
    given = desk_environment(server, address="192.0.2.9", exposed=False, exports=tmp_path)
    assert not any("secret" in value or "t0ken" in value for value in given.values())
    assert {name for name in given if name.upper().startswith("QUALDESK_")} == {
        "QUALDESK_DB",
        "QUALDESK_CONFIG",
        "QUALDESK_BROWSER_ADDRESS",
        "QUALDESK_EXPORTS",
    }
    assert given["PGPASSWORD"] == "dbpass" and given["PATH"] == "/usr/bin"
    assert given["QUALDESK_BROWSER_ADDRESS"] == "192.0.2.9"
    assert given["QUALDESK_EXPORTS"] == str(tmp_path)
    assert given["TEXTUAL_DRIVER"] == "qualdesk.tui.browser:DeskWebDriver"
    exposed = desk_environment({}, address="", exposed=True, exports=tmp_path)
    assert exposed["QUALDESK_SERVED_EXPOSED"] == "1"


@pytest.mark.parametrize(
    "host, shown, note",
    [
        ("127.0.0.1", "http://127.0.0.1:8000", None),
        ("::1", "http://[::1]:8000", None),
        ("0.0.0.0", f"http://{socket.gethostname()}:8000", "http://127.0.0.1:8000"),
        ("::", f"http://{socket.gethostname()}:8000", "http://[::1]:8000"),
    ],
)
def test_the_address_printed_is_one_a_browser_can_open(
    host: str, shown: str, note: str | None
) -> None:
    from qualdesk.cli.serve import browse_address

    where, said = browse_address(host, 8000)
    assert where == shown
    if note is None:
        assert said is None
    else:
        assert said is not None and said.endswith(f"on this machine {note})")


def test_exports_need_a_folder(run: Run, tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("not a folder", encoding="utf-8")
    result = run("serve", "--exports", str(taken))
    assert result.code == 1
    assert one_line(result.err).endswith(
        f"--exports {taken}: something that is not a folder is there"
    )


def test_at_least_one_tab(run: Run) -> None:
    result = run("serve", "--max-tabs", "0")
    assert result.code == 2
    assert "--max-tabs" in one_line(result.err)


def test_the_server_and_the_desk_name_the_same_exports_folder() -> None:
    from qualdesk.cli import serve
    from qualdesk.tui import browser

    assert serve.EXPORTS_FOLDER == browser.EXPORTS_FOLDER
