from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c2hunt.errors import ExportError
from c2hunt.export import escape

HOSTILE = ['a"b', "a\\b", "a|b", "a*b", "a?b", "a%b", "a_b", "a/b", "a'b", "a$b", "(a).[b]{2}+^"]
PRINTABLE = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=30)


@given(PRINTABLE)
def test_regex_literal_matches_exactly_the_text(text: str) -> None:
    assert re.fullmatch(escape.regex_literal(text), text)
    assert not re.fullmatch(escape.regex_literal(text), text + "x")


@pytest.mark.parametrize("text", HOSTILE)
def test_regex_literal_does_not_widen(text: str) -> None:
    widened = text.replace(next(c for c in text if not c.isalnum()), "Z")
    assert not re.fullmatch(escape.regex_literal(text), widened)


@pytest.mark.parametrize(
    ("text", "quoted"),
    [('a"b', '"a\\"b"'), ("a\\b", '"a\\\\b"'), ("a|b*", '"a|b*"')],
)
def test_backslash_string(text: str, quoted: str) -> None:
    assert escape.backslash_string(text) == quoted


@given(PRINTABLE)
def test_backslash_string_round_trips_through_sumo_decoding(text: str) -> None:
    assert escape.sumo_string_value(escape.backslash_string(text)[1:-1]) == text


@pytest.mark.parametrize(("text", "quoted"), [('a"b', '@"a""b"'), ("a\\b", '@"a\\b"')])
def test_kql_string(text: str, quoted: str) -> None:
    assert escape.kql_string(text) == quoted


@pytest.mark.parametrize(
    ("regex", "literal"),
    [("a/b", "/a\\/b/"), ("a\\/b", "/a\\/b/"), ("x", "/x/"), ("a\\\\/b", "/a\\\\\\/b/")],
)
def test_slash_delimited_escapes_only_unescaped_slashes(regex: str, literal: str) -> None:
    assert escape.slash_delimited(regex) == literal


def test_slash_delimited_rejects_a_trailing_backslash() -> None:
    with pytest.raises(ExportError, match="lone backslash"):
        escape.slash_delimited("abc\\")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("\\powershell.exe", "\\powershell.exe"),
        ("a*b?c", "a\\*b\\?c"),
        ("a\\*b", "a\\\\\\*b"),
        ("end\\", "end\\\\"),
        ("a\\\\b", "a\\\\\\b"),
    ],
)
def test_sigma_literal(text: str, value: str) -> None:
    assert escape.sigma_literal(text) == value


@pytest.mark.parametrize("text", ["a'''b", "tab\there", 'q"\\'])
def test_toml_string_parses_back(text: str) -> None:
    import tomllib

    if "\t" in text:
        with pytest.raises(ExportError, match="control character"):
            escape.toml_string(text)
        return
    assert tomllib.loads("v = " + escape.toml_string(text))["v"].strip("\n") == text


@pytest.mark.parametrize(
    "function",
    [escape.regex_literal, escape.backslash_string, escape.kql_string, escape.sigma_literal],
)
def test_control_characters_are_refused(function: object) -> None:
    with pytest.raises(ExportError, match="control character"):
        function("bad\nvalue")  # type: ignore[operator]


@pytest.mark.parametrize(("name", "ok"), [("CommandLine", True), ("a b", False), ("x;y", False)])
def test_identifier(name: str, ok: bool) -> None:
    if ok:
        assert escape.identifier(name) == name
    else:
        with pytest.raises(ExportError, match="not a plain identifier"):
            escape.identifier(name)
