"""Text from outside (lead files, sales' files, notes) as a screen may show it.

Values are stored exactly as received; only what is drawn changes. A
terminal would obey control characters (ESC starts a command that can
recolour, move or clear the screen), bidi controls reorder what follows
them, and zero-width characters hide inside a name or a number. Here each
is drawn as a visible mark instead: C0 controls as their control pictures
(ESC as ␛), the rest by name or code point in ‹ ›, so a rep sees that
something is there, and what.
"""

from __future__ import annotations

import unicodedata

NAMED = {
    0x00AD: "SHY",
    0x061C: "ALM",
    0x200B: "ZWSP",
    0x200C: "ZWNJ",
    0x200D: "ZWJ",
    0x200E: "LRM",
    0x200F: "RLM",
    0x2028: "LS",
    0x2029: "PS",
    0x202A: "LRE",
    0x202B: "RLE",
    0x202C: "PDF",
    0x202D: "LRO",
    0x202E: "RLO",
    0x2060: "WJ",
    0x2066: "LRI",
    0x2067: "RLI",
    0x2068: "FSI",
    0x2069: "PDI",
    0xFEFF: "BOM",
}
_HIDDEN = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def shown(text: str, *, lines: bool = False) -> str:
    """`text` with every control, bidi and invisible character drawn as a visible mark.

    Args:
        text: the value as stored.
        lines: keep line breaks (for notes shown over several lines); else a
            line break is drawn as ␊ so a one-line field stays one line.
    """
    if text.isprintable():
        return text  # the usual case: nothing to mark
    return "".join(_mark(char, lines) for char in text)


def _mark(char: str, lines: bool) -> str:
    code = ord(char)
    if char == "\n" and lines:
        return char
    if char == "\t":
        return " "
    category = unicodedata.category(char)
    if category not in _HIDDEN:
        return char  # printable in a terminal: no-break and other spaces, private use
    if code < 0x20:
        return chr(0x2400 + code)  # the control pictures: ␀ … ␛ … ␟
    if code == 0x7F:
        return "␡"
    if category == "Cs":
        return "\ufffd"
    return f"‹{NAMED.get(code, f'U+{code:04X}')}›"
