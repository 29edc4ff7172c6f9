from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from c2hunt.detect import sumo


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("dropbox.com", "*x.com*", True),
        ("chat.meetup.com", "*t.me*", True),
        ("notpowershell.exe", "*powershell.exe", True),
        ("powershell.exe.bak", "*powershell.exe", False),
        ("GitHub.com", "*github.com*", False),  # case counts
        ("github.com", "github.com", True),
        ("api.github.com", "github.com", False),  # whole value
        ("a\nb", "a*b", True),
        ("abc", "a?c", False),  # ? is no wildcard
        ("a%c", "a%c", True),
        ("abc", "a%c", False),
        ("a_c", "a_c", True),
        ("abc", "a_c", False),
        ("x\\y", "x\\y", True),
        (None, "*", False),
        ("", "*", True),
    ],
)
def test_matches(value: str | None, pattern: str, expected: bool) -> None:
    assert sumo.matches(value, pattern) is expected


def test_unescape_reads_a_quoted_sumo_string() -> None:
    assert sumo.unescape(r"(?i).*(-enc \\S)\\.exe.*") == r"(?i).*(-enc \S)\.exe.*"
    assert sumo.unescape(r"say \"hi\"") == 'say "hi"'


def test_spec_flag_expressions_are_literal_patterns() -> None:
    pattern = sumo.unescape(r"(?i).*(-encodedcommand|-enc \\S|frombase64string|base64).*")
    assert not sumo.matches("powershell -encodedcommand SQBFAFgA", pattern)
    assert sumo.matches("(?i).(-encodedcommand|-enc \\S|frombase64string|base64).", pattern)


_TEXT = st.text(alphabet="ab*%_\\.\n", max_size=8)


@settings(max_examples=300, deadline=None)
@given(value=_TEXT, pattern=_TEXT)
def test_sql_and_python_agree(value: str, pattern: str) -> None:
    con = duckdb.connect()
    sql = sumo.sql_matches("v", pattern)
    (got,) = con.execute(f"SELECT {sql} FROM (SELECT ? AS v)", [value]).fetchone()
    assert got is sumo.matches(value, pattern)
