"""Text from outside drawn literally: controls, bidi and invisible characters as marks."""

from __future__ import annotations

import pytest

from qualdesk.core.display import shown


@pytest.mark.parametrize(
    ("stored", "drawn"),
    [
        ("Zoë Ødegaard 李小龍", "Zoë Ødegaard 李小龍"),
        ("Bob [/] [link=x]", "Bob [/] [link=x]"),  # markup is text to a Text, left alone
        ("a\x1b[31mred\x1b[0m", "a␛[31mred␛[0m"),
        ("ring\x07\x08", "ring␇␈"),
        ("csi\x9b2J", "csi‹U+009B›2J"),
        ("del\x7f", "del␡"),
        ("invoice\u202efdp.exe", "invoice‹RLO›fdp.exe"),
        ("\u2066isolated\u2069", "‹LRI›isolated‹PDI›"),
        ("zero\u200bwidth\ufeff", "zero‹ZWSP›width‹BOM›"),
        ("soft\u00adhyphen", "soft‹SHY›hyphen"),
        ("two\nlines\r", "two␊lines␍"),
        ("tab\there", "tab here"),
        ("no-break\u00a0space", "no-break\u00a0space"),
        ('=HYPERLINK("http://x")', '=HYPERLINK("http://x")'),
        ("\ud800", "\ufffd"),
        ("tag\U000e0041", "tag‹U+E0041›"),
    ],
)
def test_each_hidden_character_is_drawn_as_a_mark(stored: str, drawn: str) -> None:
    assert shown(stored) == drawn


def test_line_breaks_may_be_kept_for_notes() -> None:
    assert shown("first\nsecond\x1b", lines=True) == "first\nsecond␛"


def test_what_is_drawn_holds_nothing_a_terminal_would_obey() -> None:
    import unicodedata

    every = "".join(chr(c) for c in [*range(0x3000), *range(0xE0000, 0xE0080), 0xFEFF, 0xFFF9])
    hidden = {"Cc", "Cf", "Cs", "Zl", "Zp"}
    assert not [c for c in shown(every) if unicodedata.category(c) in hidden]
