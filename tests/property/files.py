"""Hypothesis strategies for the files other teams send: CSV text, then bytes, both hostile.

A file is built in three steps, each drawn: the cells (a header and rows, in
`tests.property.test_*`), the text (delimiter, quoting, line endings, blank
lines; some lines written with no quoting at all), and the bytes (UTF-8 with
or without a byte-order mark, UTF-16 with or without one, Windows-1252,
Latin-1, then perhaps garbage spliced in or the tail cut off).
"""

from __future__ import annotations

import codecs
import csv
import io

from hypothesis import strategies as st

DELIMITERS = (",", ";", "\t", "|")
ENDINGS = ("\r\n", "\n", "\r")

# Characters that break CSV files and the code reading them.
NASTY = '",;|\t\r\n\x00\x01\x1b\x7f\x85\u2028\ufeff \xa0é€😀'
nasty_text = st.text(
    alphabet=st.one_of(st.sampled_from(NASTY), st.characters(codec="utf-8")), max_size=24
)
long_cell = st.sampled_from([254, 255, 256, 9_999, 10_000, 10_001]).map(lambda n: "x" * n)


def rarely(one_in: int) -> st.SearchStrategy[bool]:
    """True about once in this many draws."""
    return st.sampled_from([False] * (one_in - 1) + [True])


@st.composite
def spelled(draw: st.DrawFn, alias: str) -> str:
    """An alias key (`phonenumber`) as a person might type it (`Phone_Number`, `PHONE-number`)."""
    out = []
    for index, char in enumerate(alias):
        if index and draw(st.integers(0, 5)) == 0:
            out.append(draw(st.sampled_from([" ", "_", "-", ".", "/"])))
        out.append(char.upper() if draw(st.booleans()) else char)
    padding = draw(st.sampled_from(["", " ", "  ", "\ufeff"]))
    return padding + "".join(out) + draw(st.sampled_from(["", " ", ":"]))


@st.composite
def csv_text(draw: st.DrawFn, header: list[str], rows: list[list[str]]) -> tuple[str, str]:
    """The text of a CSV file with this header and these rows, and the delimiter used.

    Each line is written by csv.writer in a drawn quoting style, or by joining
    the cells with the delimiter (broken quoting wherever a cell holds a quote,
    the delimiter or a line break); blank lines and junk lines appear anywhere.
    """
    delimiter = draw(st.sampled_from(DELIMITERS))
    ending = draw(st.sampled_from(ENDINGS))
    mixed_endings = draw(rarely(5))

    def line(cells: list[str]) -> str:
        end = draw(st.sampled_from(ENDINGS)) if mixed_endings else ending
        how = draw(st.sampled_from(["minimal"] * 6 + ["all", "none", "joined"]))
        if how == "joined":
            return delimiter.join(cells) + end
        buffer = io.StringIO()
        quoting = {"minimal": csv.QUOTE_MINIMAL, "all": csv.QUOTE_ALL, "none": csv.QUOTE_NONE}
        writer = csv.writer(
            buffer, delimiter=delimiter, quoting=quoting[how], escapechar="\\", lineterminator=end
        )
        try:
            writer.writerow(cells)
        except csv.Error:  # a lone empty cell cannot be written without quotes
            return delimiter.join(cells) + end
        return buffer.getvalue()

    def filler() -> str:
        return draw(st.sampled_from(["", " ", delimiter * 3, "\t", '"', "#", "\x00"])) + ending

    parts = [filler() for _ in range(draw(st.integers(1, 2)))] if draw(rarely(8)) else []
    parts.append(line(header))
    for row in rows:
        if draw(rarely(10)):
            parts.append(filler())
        parts.append(line(row))
    if draw(st.booleans()):
        # The last line without its line ending, as many tools save it.
        parts[-1] = parts[-1].rstrip("\r\n")
    return "".join(parts), delimiter


ENCODINGS = ("utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be+bom",
             "cp1252", "latin-1")  # fmt: skip


@st.composite
def as_bytes(draw: st.DrawFn, text: str) -> bytes:
    """The text encoded as a drawn encoding, maybe with garbage spliced in or its end cut off."""
    encoding = draw(st.sampled_from(ENCODINGS))
    if encoding == "utf-16-be+bom":
        data = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    else:
        data = text.encode(encoding, errors="replace")
    for _ in range(draw(st.integers(1, 2)) if draw(rarely(10)) else 0):
        where = draw(st.integers(0, len(data)))
        data = data[:where] + draw(st.binary(min_size=1, max_size=6)) + data[where:]
    if draw(rarely(15)):
        data = data[: draw(st.integers(0, len(data)))]
    return data


ONE_LINE_BREAKS = ("\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def assert_one_line(message: str) -> None:
    """A message for the user: something to say, on one line."""
    assert message.strip(), "an empty message"
    assert not any(mark in message for mark in ONE_LINE_BREAKS), f"not one line: {message!r}"
