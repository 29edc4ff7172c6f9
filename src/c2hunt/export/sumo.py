"""Sumo Logic: the specification's query (`spec`) and a precise one (`precise`).

Sumo Logic reads a quoted `matches` pattern as a case-sensitive wildcard pattern (`*` only)
and `matches /regex/` as an RE2 regex. The spec profile writes the specification's patterns
back as it wrote them; the precise profile writes regexes built from the same knowledge.
"""

from __future__ import annotations

from c2hunt.knowledge import Flag, Knowledge

from .common import (
    Document,
    Wildcard,
    comment_block,
    domain_regex,
    header_lines,
    image_regex,
    spec_flag_pattern,
    spec_host_patterns,
    spec_image_patterns,
    weighted_sum,
)
from .escape import backslash_string, identifier, slash_delimited

SCOPE = "(_sourceCategory=*windows* OR _sourceCategory=*sysmon*)"
TITLE = {
    "spec": "the specification's query, clause by clause",
    "precise": "names on label boundaries, image file names, flags as regexes",
}


def render(knowledge: Knowledge, profile: str) -> tuple[Document, ...]:
    """One Sumo Logic query over Sysmon event 3."""
    header = comment_block(header_lines(knowledge, "sumo", profile, TITLE[profile]), "//")
    body = _spec_body(knowledge) if profile == "spec" else _precise_body(knowledge)
    query = "\n".join([SCOPE, '| where EventID = "3"', *body, *_tail(knowledge)])
    return (Document(f"c2hunt-t1102.003-{profile}.sumo", header + query + "\n"),)


def _spec_body(knowledge: Knowledge) -> list[str]:
    hosts = [f"dest_host matches {_quoted(p)}" for p in spec_host_patterns(knowledge)]
    images = [f"proc_image matches {_quoted(p)}" for p in spec_image_patterns(knowledge)]
    return [
        "| eval dest_host = toLowerCase(DestinationHostname)",
        "| eval proc_image = toLowerCase(Image)",
        *_or_clauses(hosts),
        *_or_clauses(images),
        *(_spec_flag_eval(f) for f in knowledge.flags),
    ]


def _precise_body(knowledge: Knowledge) -> list[str]:
    return [
        "| eval dest_host = toLowerCase(DestinationHostname)",
        "| eval proc_image = toLowerCase(Image)",
        f"| where dest_host matches {slash_delimited(domain_regex(knowledge))}",
        f"| where proc_image matches {slash_delimited(image_regex(knowledge))}",
        *(_flag_eval(f, None) for f in knowledge.flags),
    ]


def _tail(knowledge: Knowledge) -> list[str]:
    names = [f.name for f in knowledge.flags]
    fields = ", ".join([*knowledge.spec_event_fields, *names, knowledge.score_field])
    return [
        f"| eval {knowledge.score_field} = {weighted_sum(knowledge)}",
        f"| fields {fields}",
        "| sort by _messageTime desc",
    ]


def _or_clauses(clauses: list[str]) -> list[str]:
    """`| where a` then `OR b` lines, the layout of the specification's query."""
    if not clauses:
        return ["| where false"]
    return [f"| where {clauses[0]}", *(f"OR {c}" for c in clauses[1:])]


def _spec_flag_eval(flag: Flag) -> str:
    pattern = spec_flag_pattern(flag)
    if pattern is None:
        return f"| eval {identifier(flag.name)} = 0"
    return _flag_eval(flag, pattern)


def _flag_eval(flag: Flag, spec_pattern: Wildcard | None) -> str:
    field = identifier(flag.field)
    if spec_pattern is not None:
        test = f"{field} matches {_quoted(spec_pattern)}"
    else:
        test = f"{field} matches {slash_delimited(_search(flag.regex))}"
    return f"| eval {identifier(flag.name)} = if({test}, 1, 0)"


def _search(regex: str) -> str:
    """A case-insensitive regex that finds `regex` anywhere, whether Sumo Logic applies a
    regex to the whole value or searches it."""
    return f"(?is).*(?:{regex}).*"


def _quoted(pattern: Wildcard) -> str:
    return backslash_string(pattern.sumo())
