from __future__ import annotations

import pytest

from c2hunt.report import sanitize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("powershell -c x", "powershell -c x"),
        ("a\x1b[2Jb", "a\\x1b[2Jb"),
        ("a\x9b31mb", "a\\x9b31mb"),
        ("line1\nline2\tx\r", "line1\\nline2\\tx\\r"),
        ("evil\u202etxt.exe", "evil\\u202etxt.exe"),
        ("bell\x07 del\x7f nul\x00", "bell\\x07 del\\x7f nul\\x00"),
        ("[bold red]not markup[/]", "[bold red]not markup[/]"),
    ],
)
def test_for_terminal(text: str, expected: str) -> None:
    assert sanitize.for_terminal(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=cmd|'/c calc'!A1", "'=cmd|'/c calc'!A1"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a=1", "a=1"),
        ("two\nlines", "two\nlines"),
        ("esc\x1b[31m", "esc\\x1b[31m"),
    ],
)
def test_for_csv(text: str, expected: str) -> None:
    assert sanitize.for_csv(text) == expected


def test_for_json_escapes_c1_and_bidi() -> None:
    assert sanitize.for_json('"a\x9bb\u202e"') == '"a\\u009bb\\u202e"'
