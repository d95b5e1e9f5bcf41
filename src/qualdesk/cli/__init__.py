"""The `qualdesk` command line. Heavy modules load inside commands, so --help stays quick."""

from __future__ import annotations

import sys
from typing import Any

import click

from qualdesk import __version__
from qualdesk.cli.context import AppContext, fail_line
from qualdesk.core.display import shown


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_flag",
    metavar="PATH",
    help="Database file (or URL). Else $QUALDESK_DB, the config file, or the default.",
)
@click.option(
    "--as",
    "as_flag",
    metavar="HANDLE",
    help="Act as this rep (else the config file's rep); asks for the password where the "
    "desk requires sign-in ($QUALDESK_PASSWORD for scripts).",
)
@click.version_option(__version__, prog_name="qualdesk")
@click.pass_context
def qualdesk(ctx: click.Context, db_flag: str | None, as_flag: str | None) -> None:
    """A keyboard-first desk for qualifying marketing's leads before sales.

    Run without a command to open the desk.
    """
    app = AppContext(db_flag, as_flag)
    ctx.obj = app
    ctx.call_on_close(app.close)
    if ctx.invoked_subcommand is None:
        from qualdesk.cli.desk import open_desk_screen

        open_desk_screen(app, rep=None)


def _register() -> None:
    from qualdesk.cli import admin, desk, floor, handoff, imports, leads, maintenance, reps, serve

    for module in (admin, reps, desk, imports, leads, handoff, floor, maintenance, serve):
        for command in module.COMMANDS:
            qualdesk.add_command(command)


_register()


def main(argv: list[str] | None = None) -> None:
    """Run the command line; every failure ends as one line and a non-zero exit."""
    try:
        result: Any = qualdesk.main(args=argv, prog_name="qualdesk", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("qualdesk: interrupted", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        # One line, as every other failure: what is wrong, and where help is.
        where = exc.ctx.command_path if exc.ctx is not None else "qualdesk"
        click.echo(f"{where}: {exc.format_message()} (see {where} --help)", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("qualdesk: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (`qualdesk rules show | head`): nothing more to say to it.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except Exception as exc:
        line, code = fail_line(exc)
        click.echo(f"qualdesk: {shown(line)}", err=True)
        sys.exit(code)
    sys.exit(result if isinstance(result, int) else 0)
