"""What every export target shares: the documents it returns, the header, and the detection's
values read from Knowledge in the two profiles' shapes."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from c2hunt import __version__
from c2hunt.errors import ExportError
from c2hunt.knowledge import Flag, Knowledge

from .escape import check_printable, lucene_regex_literal, regex_literal, sumo_string_value

PROFILES: tuple[str, ...] = ("spec", "precise")

# Deterministic rule ids: uuid5 of the profile, rule kind and knowledge version in this space.
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://attack.mitre.org/techniques/T1102/003/")
_VERSION_DATE = re.compile(r"^(\d{4})[.\-/](\d{2})[.\-/](\d{2})$")


@dataclass(frozen=True, slots=True)
class Document:
    """One exported file: a suggested file name and its text (ending with a newline)."""

    name: str
    text: str


@dataclass(frozen=True, slots=True)
class Wildcard:
    """A wildcard pattern as its literal parts; a `*` stands between each two parts."""

    parts: tuple[str, ...]

    @classmethod
    def from_sumo(cls, body: str) -> Wildcard:
        """The pattern a Sumo Logic quoted `matches` string stands for (`*` is the wildcard)."""
        return cls(tuple(sumo_string_value(body).split("*")))

    @property
    def shape(self) -> str:
        """`equals`, `contains`, `endswith`, `startswith` or `wildcard` (any other shape)."""
        parts = self.parts
        if len(parts) == 1:
            return "equals"
        if len(parts) == 3 and parts[0] == "" and parts[2] == "" and parts[1]:
            return "contains"
        if len(parts) == 2 and parts[0] == "" and parts[1]:
            return "endswith"
        if len(parts) == 2 and parts[1] == "" and parts[0]:
            return "startswith"
        return "wildcard"

    @property
    def literal(self) -> str:
        """The one literal of an `equals`, `contains`, `endswith` or `startswith` pattern."""
        return next(p for p in self.parts if p) if any(self.parts) else ""

    def regex(self) -> str:
        """An RE2/PCRE regex matching the same strings; anchored where the pattern is."""
        return _anchored(".*".join(regex_literal(p) for p in self.parts))

    def lucene_regex(self) -> str:
        """A Lucene regex (always anchored at both ends) matching the same strings."""
        return ".*".join(lucene_regex_literal(p) for p in self.parts)

    def sumo(self) -> str:
        """The pattern written back as Sumo Logic string-body text (before quoting)."""
        for part in self.parts:
            check_printable(part)
        return "*".join(self.parts)


def spec_host_patterns(knowledge: Knowledge) -> tuple[Wildcard, ...]:
    """The specification's host clauses: the spec services' patterns, in the query's order."""
    return tuple(
        Wildcard.from_sumo(s.spec_pattern)
        for s in knowledge.spec_services
        if s.spec_pattern is not None
    )


def spec_image_patterns(knowledge: Knowledge) -> tuple[Wildcard, ...]:
    """The specification's image clauses: the spec binaries' patterns, in the query's order."""
    return tuple(
        Wildcard.from_sumo(b.spec_pattern)
        for b in knowledge.spec_binaries
        if b.spec_pattern is not None
    )


def spec_flag_pattern(flag: Flag) -> Wildcard | None:
    """A flag's specification text as the literal wildcard pattern Sumo Logic applies to it.

    None for a flag the specification does not have (a user's own): the spec profile sets
    such a flag to 0, as c2hunt's own spec profile does.
    """
    if flag.spec_expression is None:
        return None
    return Wildcard.from_sumo(flag.spec_expression)


def domains(knowledge: Knowledge) -> tuple[str, ...]:
    """Every listed domain, in the knowledge's order."""
    return tuple(dict.fromkeys(s.domain for s in knowledge.services))


def images(knowledge: Knowledge) -> tuple[str, ...]:
    """Every listed image file name, lower case, in the knowledge's order."""
    return tuple(dict.fromkeys(b.image.lower() for b in knowledge.binaries))


def original_file_names(knowledge: Knowledge) -> tuple[str, ...]:
    """Every listed PE OriginalFileName, lower case (matching ignores case), deduplicated."""
    names = (b.original_file_name for b in knowledge.binaries if b.original_file_name)
    return tuple(dict.fromkeys(n.lower() for n in names))


def domain_regex(knowledge: Knowledge) -> str:
    """A regex for a lower-cased host name equal to a listed domain or a name below it."""
    alternatives = "|".join(regex_literal(d) for d in domains(knowledge))
    return rf"(^|\.)({alternatives})$"


def image_regex(knowledge: Knowledge) -> str:
    """A regex for a lower-cased image path (Windows or POSIX) whose file name is listed."""
    alternatives = "|".join(regex_literal(i) for i in images(knowledge))
    return rf"(^|[\\/])({alternatives})$"


def score_terms(knowledge: Knowledge) -> tuple[tuple[str, int], ...]:
    """(flag name, weight) pairs the score adds up."""
    return tuple((f.name, f.weight) for f in knowledge.flags)


def weighted_sum(knowledge: Knowledge, plus: str = " + ") -> str:
    """`a + b + 2 * c`: the score as the flags' weighted sum (weight 1 written bare)."""
    terms = [n if w == 1 else f"{w} * {n}" for n, w in score_terms(knowledge)]
    return plus.join(terms) if terms else "0"


def base_severity(knowledge: Knowledge) -> str:
    """Severity of a bare match of the strongest category: binary weight 1 + category weight."""
    strongest = max((c.weight for c in knowledge.categories.values()), default=0)
    return knowledge.severity_for(1 + strongest)


def rule_id(knowledge: Knowledge, profile: str, kind: str) -> str:
    """A uuid5 that is the same for the same profile, rule kind and knowledge version."""
    return str(uuid.uuid5(_ID_NAMESPACE, f"c2hunt/{profile}/{kind}/{knowledge.version}"))


def knowledge_date(knowledge: Knowledge) -> dt.date:
    """The knowledge version read as a date (`YYYY.MM.DD`), else today (UTC)."""
    match = _VERSION_DATE.match(knowledge.version)
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    return dt.datetime.now(dt.UTC).date()


def header_lines(knowledge: Knowledge, target: str, profile: str, title: str) -> list[str]:
    """The provenance lines every export starts with, without comment markers."""
    sources = ", ".join(_printable(s) for s in knowledge.sources) or "(none)"
    return [
        f"c2hunt {__version__} export: {target}, profile {profile}: {title}",
        f"Knowledge version {_printable(knowledge.version)} from {sources}",
        "MITRE ATT&CK T1102.003 (Web Service: One-Way Communication).",
        "Generated from the rule data: change the rule file and export again, not this text.",
    ]


def comment_block(lines: list[str], prefix: str) -> str:
    return "\n".join(f"{prefix} {line}".rstrip() for line in lines) + "\n"


def check_profile(profile: str) -> str:
    if profile not in PROFILES:
        raise ExportError(f"unknown profile {profile!r}; known: {', '.join(PROFILES)}")
    return profile


def _anchored(body: str) -> str:
    """`^body$`, without a leading `^.*` or a trailing `.*$`, which add nothing."""
    body = "^" + body + "$"
    if body.startswith("^.*"):
        body = body[3:]
    if body.endswith(".*$"):
        body = body[:-3]
    return body


def _printable(text: str) -> str:
    """Text safe inside a one-line comment: control characters become `?`."""
    return "".join("?" if ord(c) < 32 or ord(c) == 127 else c for c in text)
