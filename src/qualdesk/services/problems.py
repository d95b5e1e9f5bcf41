"""Unexpected errors: their tracebacks go to a log file, users get one line."""

from __future__ import annotations

import datetime as dt
import traceback

import platformdirs


def log_unexpected(exc: BaseException) -> str | None:
    """Append the traceback to qualdesk.log in the user log folder; returns its path."""
    try:
        path = platformdirs.user_log_path("qualdesk") / "qualdesk.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- {dt.datetime.now(dt.UTC).isoformat()}\n")
            log.write("".join(traceback.format_exception(exc)))
        return str(path)
    except OSError:
        return None


def unexpected_line(exc: BaseException) -> str:
    """The one line to show for an unexpected error, after logging it."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    log = log_unexpected(exc)
    where = f" (details in {log})" if log else ""
    return f"internal error: {type(exc).__name__}: {text}{where}"
