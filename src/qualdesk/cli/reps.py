"""The desk's people: reps and team leads, their passwords and the sign-in log."""

from __future__ import annotations

import click

from qualdesk.cli.context import AppContext, pass_app
from qualdesk.cli.output import print_json, say, table


@click.group("reps")
def reps_group() -> None:
    """The reps and team leads on the desk."""


@reps_group.command("add")
@click.argument("handle")
@click.option("--name", required=True, help="The person's name.")
@click.option("--role", type=click.Choice(["rep", "lead"]), default="rep", show_default=True)
@click.option("--tz", "time_zone", default=None, help="Their time zone (default: this machine's).")
@pass_app
def reps_add(app: AppContext, handle: str, name: str, role: str, time_zone: str | None) -> None:
    """Add a rep (or a team lead with --role lead)."""
    from qualdesk.core.display import shown
    from qualdesk.services.reps import add_rep, local_zone

    desk = app.desk()
    rep = add_rep(desk, handle, name, role, time_zone or local_zone(), by=app.actor())
    say(f"Added {rep.role} {rep.handle} ({shown(rep.name)}, {rep.time_zone}).")
    say(f"Set their password with: qualdesk reps passwd {rep.handle}", err=True)


@reps_group.command("passwd")
@click.argument("handle")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (for scripts).",
)
@pass_app
def reps_passwd(app: AppContext, handle: str, password_stdin: bool) -> None:
    """Set HANDLE's password (a team lead for anyone; a rep for themselves).

    Asked twice on the terminal, or read from stdin with --password-stdin;
    never taken as an argument. Stored only as a salted scrypt hash.
    """
    import socket

    from qualdesk.services.signin import set_password

    desk = app.desk()
    actor = app.actor()
    password = _new_password(handle, password_stdin)
    rep = set_password(
        desk, actor, handle, password, source=f"command line on {socket.gethostname()}"
    )
    say(f"Password set for {rep.handle}.")


def _new_password(handle: str, from_stdin: bool) -> str:
    """A new password, from stdin's first line or asked twice on the terminal."""
    import getpass
    import sys

    from qualdesk.core.display import shown
    from qualdesk.core.errors import QualdeskError

    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise QualdeskError("--password-stdin: standard input was empty")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise QualdeskError(
            "no terminal to ask for the password on; give it on stdin with --password-stdin"
        )
    from qualdesk.core.passwords import PasswordRefused, check_new

    try:
        first = getpass.getpass(f"New password for {shown(handle)}: ")
        try:
            check_new(first)
        except PasswordRefused as exc:
            raise QualdeskError(
                f"password for {shown(handle)}: {exc}; nothing was changed"
            ) from None
        second = getpass.getpass("Again: ")
    except EOFError:
        raise QualdeskError("no password given; nothing was changed") from None
    if first != second:
        raise QualdeskError("the two passwords differ; nothing was changed")
    return first


@reps_group.command("unlock")
@click.argument("handle")
@pass_app
def reps_unlock(app: AppContext, handle: str) -> None:
    """Let a handle locked after five failed sign-ins sign in again at once (team leads)."""
    import socket

    from qualdesk.core.display import shown
    from qualdesk.services.signin import unlock

    desk = app.desk()
    if unlock(desk, app.actor(), handle, source=f"command line on {socket.gethostname()}"):
        say(f"{shown(handle)} may sign in again.")
    else:
        say(f"{shown(handle)} is not locked; nothing was changed.")


@reps_group.command("log")
@click.argument("handle", required=False)
@click.option("--limit", default=50, show_default=True, help="How many events, newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def reps_log(app: AppContext, handle: str | None, limit: int, as_json: bool) -> None:
    """The sign-in log: sign-ins, failures, locks, sign-outs and passwords set."""
    from qualdesk.core.display import shown
    from qualdesk.services.signin import sign_in_log

    desk = app.desk()
    events = sign_in_log(desk, app.actor(), handle, limit=max(1, limit))
    if as_json:
        print_json(
            [
                {"at": e.at.isoformat(), "handle": e.handle, "event": e.event,
                 "source": e.source, "detail": e.detail}
                for e in events
            ]
        )  # fmt: skip
        return
    if not events:
        say("No sign-in events yet." if handle is None else f"No sign-in events for {handle}.")
        return
    table(
        ["at (UTC)", "handle", "event", "source", "detail"],
        [(f"{e.at:%Y-%m-%d %H:%M:%S}", e.handle, e.event, shown(e.source), shown(e.detail))
         for e in events],
    )  # fmt: skip


@reps_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def reps_list(app: AppContext, as_json: bool) -> None:
    """List everyone on the desk."""
    from qualdesk.services.reps import list_reps

    reps = list_reps(app.desk())
    if as_json:
        print_json(
            [
                {**r.model_dump(exclude={"id", "password_hash", "password_set_at"}),
                 "password": r.password_hash is not None}
                for r in reps
            ]
        )  # fmt: skip
        return
    if not reps:
        say("No reps yet. Add one with: qualdesk reps add HANDLE --name NAME")
        return
    table(
        ["handle", "name", "role", "time zone", "active", "password"],
        [
            (r.handle, r.name, r.role, r.time_zone, "yes" if r.active else "no",
             "set" if r.password_hash else "-")
            for r in reps
        ],
    )  # fmt: skip


@reps_group.command("deactivate")
@click.argument("handle")
@pass_app
def reps_deactivate(app: AppContext, handle: str) -> None:
    """Stop a rep from signing in (their history stays)."""
    from qualdesk.services.reps import set_active

    set_active(app.desk(), handle, False, by=app.actor())
    say(f"{handle} can no longer sign in.")


@reps_group.command("activate")
@click.argument("handle")
@pass_app
def reps_activate(app: AppContext, handle: str) -> None:
    """Let a deactivated rep sign in again."""
    from qualdesk.services.reps import set_active

    set_active(app.desk(), handle, True, by=app.actor())
    say(f"{handle} can sign in again.")


COMMANDS = [reps_group]
