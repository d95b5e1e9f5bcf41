"""Cells a spreadsheet would run as a formula, made inert (CSV injection).

As OWASP recommends: a text cell that starts with = + - @, a TAB or a
carriage return or line feed gets a leading single quote, so Excel,
LibreOffice and Google Sheets show it as text. A cell that is really a
number (-12.5, +3) or a phone number in E.164 (+14155550123) is left as it
is: it cannot run, and sales' CRM must receive it unchanged.
"""

from __future__ import annotations

import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}( ext\. \d{1,10})?$")


def neutralise(cell: str) -> str:
    """The cell as a spreadsheet may safely show it."""
    if not cell or not cell.startswith(TRIGGERS):
        return cell
    if _NUMBER.match(cell) or _E164.match(cell):
        return cell
    return "'" + cell
