"""Quoting and escaping for each query language, so a value matches itself and nothing else.

Every function takes the plain text a rule file holds (a domain, an image name, a literal part
of a wildcard pattern) and returns text that is safe to place in one position of one language.
Control characters cannot be written safely in every language's string syntax, so they are
refused with an ExportError instead of being passed through.
"""

from __future__ import annotations

import re
import unicodedata

from c2hunt.errors import ExportError

# Characters with a meaning in RE2 (Sumo Logic, KQL), PCRE (Splunk) or Python regexes, plus the
# slash that closes a Sumo Logic `/regex/` literal. Escaping ASCII punctuation is valid in all.
_REGEX_SPECIAL = frozenset("\\.^$|?*+()[]{}/")
# Lucene regular expressions (EQL `regex~`) reserve more characters than the others.
_LUCENE_SPECIAL = _REGEX_SPECIAL | frozenset('"#@&<>~')
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_printable(value: str) -> str:
    """`value` unchanged, or an ExportError when it holds a control character."""
    for char in value:
        if unicodedata.category(char) == "Cc":
            raise ExportError(f"value {value!r} holds a control character; it cannot be exported")
    return value


def identifier(name: str) -> str:
    """A field name used bare in a query; only letters, digits and underscores are allowed."""
    if not _IDENTIFIER.match(name):
        raise ExportError(f"field name {name!r} is not a plain identifier; it cannot be exported")
    return name


def regex_literal(text: str) -> str:
    """A regex that matches exactly `text` in RE2, PCRE and Python syntax."""
    check_printable(text)
    return "".join("\\" + c if c in _REGEX_SPECIAL else c for c in text)


def lucene_regex_literal(text: str) -> str:
    """A Lucene regex (Elasticsearch EQL `regex~`) that matches exactly `text`."""
    check_printable(text)
    return "".join("\\" + c if c in _LUCENE_SPECIAL else c for c in text)


def slash_delimited(regex: str) -> str:
    """`regex` written between slashes (Sumo Logic): an unescaped `/` becomes `\\/`."""
    check_printable(regex)
    out: list[str] = []
    escaped = False
    for char in regex:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            out.append(char)
            escaped = True
        else:
            out.append("\\/" if char == "/" else char)
    if escaped:
        raise ExportError(f"regex {regex!r} ends with a lone backslash")
    return "/" + "".join(out) + "/"


def backslash_string(text: str) -> str:
    """A double-quoted string where `\\` and `"` are escaped by a backslash.

    This is the string syntax of Sumo Logic, Splunk SPL `eval`/`where` and Elastic EQL.
    """
    check_printable(text)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def kql_string(text: str) -> str:
    """A KQL verbatim string `@"..."`: backslashes are literal and `"` is doubled."""
    check_printable(text)
    return '@"' + text.replace('"', '""') + '"'


def toml_string(text: str) -> str:
    """A TOML string: a multi-line literal when possible, else an escaped basic string."""
    if "'''" not in text and all(c == "\n" or unicodedata.category(c) != "Cc" for c in text):
        return "'''\n" + text + "\n'''"
    check_printable(text.replace("\n", ""))
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped + '"'


def sigma_literal(text: str) -> str:
    """A Sigma string value that matches `text` literally (`*`, `?` and `\\` escaped).

    A backslash followed by an ordinary character is literal in Sigma and stays single, so
    `\\powershell.exe` reads as it does in every published rule.
    """
    check_printable(text)
    out: list[str] = []
    for index, char in enumerate(text):
        following = text[index + 1 : index + 2]
        if char in "*?":
            out.append("\\" + char)
        elif char == "\\" and (following in ("", "*", "?", "\\")):
            out.append("\\\\")
        else:
            out.append(char)
    return "".join(out)


def sumo_string_value(body: str) -> str:
    """The text a Sumo Logic double-quoted string body stands for.

    `\\\\` and `\\"` are escapes; any other backslash is kept as written. The specification's
    patterns are stored as Sumo source text (`spec_pattern`, `spec_expression`), so this gives
    the pattern Sumo Logic actually applies.
    """
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        following = body[index + 1 : index + 2]
        if char == "\\" and following in ("\\", '"'):
            out.append(following)
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)
