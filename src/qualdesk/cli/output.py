"""Small helpers for what commands print."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Sequence
from typing import Any

import click

from qualdesk.core.display import shown

# Characters json.dumps leaves as they are that a terminal would act on or hide:
# C1 controls, DEL, format characters (bidi, zero-width), line and paragraph separators.
_INVISIBLE = re.compile(
    "[\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)


def say(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print a line for a person: text from files is drawn literally (see core.display)."""
    click.echo(shown(text, lines=True), err=err, nl=nl)


def print_json(data: Any) -> None:
    """One JSON object on stdout.

    Letters stay as they are; control, bidi and invisible characters are
    written as \\uXXXX escapes, so the values read back exactly as stored and
    a terminal showing the output obeys none of them.
    """
    text = json.dumps(data, indent=2, default=str, ensure_ascii=False)
    click.echo(_INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain aligned table; numbers are right-aligned."""
    cells = [[_text(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=False)]
    numeric = [
        all(isinstance(row[i], int | float) for row in rows) and bool(rows)
        for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=False)
        ]
        return "  ".join(parts).rstrip()

    say(line(list(headers)))
    for row in cells:
        say(line(row))


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return shown(str(value))


class ProgressBar:
    """A progress bar on stderr for long work, shown only on a terminal.

    With a total of 0 the bar starts at the first update, which brings the
    total (an export knows its count only once the leads are gathered).
    """

    def __init__(self, label: str, total: int, minimum: int = 1 << 20) -> None:
        self._bar: Any = None
        self._label = label
        self._minimum = minimum
        self._done = 0
        self._decided = False
        if total:
            self._start(total)

    def _start(self, total: int) -> None:
        self._decided = True
        if sys.stderr.isatty() and total >= self._minimum:
            self._bar = click.progressbar(
                length=total, label=self._label, file=sys.stderr, show_eta=True,
                show_percent=True,
            )  # fmt: skip
            self._bar.__enter__()

    def update(self, done: int, total: int) -> None:
        if not self._decided and total:
            self._start(total)
        if self._bar is not None and done > self._done:
            self._bar.update(done - self._done)
            self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


class Working:
    """A line on stderr saying work of unknown length is under way, with the seconds so far.

    Shown on a terminal only, and only once the work has taken a second;
    cleared when it ends, so quick work prints nothing.
    """

    def __init__(self, label: str) -> None:
        self._label = label
        self._start = 0.0
        self._shown = 0
        self._terminal = sys.stderr.isatty()

    def __enter__(self) -> Working:
        self._start = time.monotonic()
        return self

    def tick(self) -> None:
        if not self._terminal:
            return
        seconds = int(time.monotonic() - self._start)
        if seconds > self._shown:
            self._shown = seconds
            sys.stderr.write(f"\r{self._label}… {seconds} s")
            sys.stderr.flush()

    def __exit__(self, *_: object) -> None:
        if self._shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
