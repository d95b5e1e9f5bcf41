"""`qualdesk desk` and `qualdesk demo`: opening the desk itself."""

from __future__ import annotations

import sys

import click

from qualdesk.cli.context import AppContext, pass_app
from qualdesk.cli.output import say
from qualdesk.core.errors import QualdeskError


def open_desk_screen(
    app: AppContext, rep: str | None, *, config_rep: bool = True, served: bool = False
) -> None:
    """Open the desk, signed in as REP (or the config file's rep), else with a picker.

    A served desk (one browser tab's, started by `qualdesk serve`) always opens
    on the sign-in screen, and runs on textual-serve's pipes rather than a terminal.
    """
    from qualdesk.tui.app import create_app
    from qualdesk.tui.browser import runs_in_browser, served_source

    if served:
        desk_app = create_app(
            app.desk(signed_in=False),
            None,
            app.config.keys,
            app.config.desk,
            served=True,
            source=served_source(),
        )
    else:
        handle = rep or (app.config.rep if config_rep else None)
        desk_app = create_app(app.desk(signed_in=False), handle, app.config.keys, app.config.desk)
    on_terminal = sys.stdin.isatty() and sys.stdout.isatty()
    if not on_terminal and not (served and runs_in_browser(desk_app.driver_class)):
        raise QualdeskError(
            "the desk needs a terminal (stdin and stdout); for scripts use the other commands"
        )
    desk_app.run()


@click.command("desk")
@click.option("--rep", "rep", metavar="HANDLE", help="Sign in as this rep (else a picker).")
# The desk process `qualdesk serve` starts for each browser tab: always at sign-in.
@click.option("--served", is_flag=True, hidden=True)
@pass_app
def desk_command(app: AppContext, rep: str | None, served: bool) -> None:
    """Open the desk (the same as running qualdesk with no command)."""
    open_desk_screen(app, rep, served=served)


@click.command("demo")
@click.option(
    "--rep", "rep", metavar="HANDLE", default=None, help="Sign in as this rep (else a picker)."
)
@click.option("--no-open", is_flag=True, help="Build the demo database but do not open it.")
@click.option("--seed", default=7, show_default=True, help="Seed for the made-up history.")
@pass_app
def demo_command(app: AppContext, rep: str | None, no_open: bool, seed: int) -> None:
    """Build a fresh demo database (reps, sample leads, some history) and open it.

    It uses --db if given, else a demo.db in the user data folder; it never
    overwrites a database that is not a demo. The desk opens on the sign-in
    list, where each rep's role shows (lee is the team lead), unless --rep.
    """
    from qualdesk.services.demo import DEMO_REPS, build_demo, demo_location

    handles = [handle for handle, *_ in DEMO_REPS]
    if rep is not None and rep not in handles:
        raise QualdeskError(f"--rep {rep!r}: the demo's reps are {', '.join(handles)}")
    target = app.db_flag or str(demo_location())
    report = build_demo(target, seed=seed)
    say(
        f"Demo desk at {report.path}: {report.leads:,} leads from {report.sample}, "
        f"{report.touches:,} touches, reps {', '.join(report.reps)}.",
        err=not no_open,
    )
    passwords = ", ".join(f"{handle} {password}" for handle, password in report.passwords)
    say(f"Demo passwords (for sign_in = \"password\" and qualdesk serve): {passwords}.",
        err=not no_open)  # fmt: skip
    if no_open:
        return
    app.db_flag = target
    open_desk_screen(app, rep, config_rep=False)


COMMANDS = [desk_command, demo_command]
