"""Sumo Logic's `matches` operator with a quoted pattern, as the spec profile runs it.

Sumo documents that a quoted `matches` pattern must match the whole value, that `*` is its only
wildcard (any run of characters, none included), and that case counts; regular expressions need
`/.../`. A quoted string in a query is unescaped first (`\\\\` reads as one backslash). So the
specification's flag expressions such as `"(?i).*(-encodedcommand|...).*"` are literal wildcard
patterns: a command line must start with the characters `(?i).` to match one.

This module is the one translation of those semantics: to SQL `LIKE` for DuckDB, and to a Python
predicate for tests and other engines.
"""

from __future__ import annotations

import re

from c2hunt.correlate.sql import sql_literal

_LIKE_SPECIAL = ("\\", "%", "_")


def unescape(quoted: str) -> str:
    """The value of a Sumo quoted string's body: `\\\\` is one backslash, `\\"` one quote."""
    return re.sub(r"\\([\\\"])", r"\1", quoted)


def to_like(pattern: str) -> str:
    """A `LIKE ... ESCAPE '\\'` pattern equivalent to a Sumo wildcard pattern."""
    out = []
    for char in pattern:
        if char == "*":
            out.append("%")
        elif char in _LIKE_SPECIAL:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def to_regex(pattern: str) -> re.Pattern[str]:
    """A compiled, whole-value, case-sensitive regex equivalent to a Sumo wildcard pattern."""
    body = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.compile(body, re.DOTALL)


def matches(value: str | None, pattern: str) -> bool:
    """Sumo's `value matches "pattern"`; a missing value matches nothing."""
    return value is not None and to_regex(pattern).fullmatch(value) is not None


def sql_matches(column_sql: str, pattern: str) -> str:
    """A DuckDB boolean expression: `column_sql matches "pattern"` with Sumo's semantics."""
    return f"coalesce(({column_sql}) LIKE {sql_literal(to_like(pattern))} ESCAPE '\\', false)"
