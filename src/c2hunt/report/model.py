"""What a hunt reports, handed from the engine to the writers."""

from __future__ import annotations

from dataclasses import dataclass, field

from c2hunt.knowledge import Knowledge, packaged
from c2hunt.score import Finding
from c2hunt.score.cases import Case


@dataclass(frozen=True, slots=True)
class HuntReport:
    """A hunt's findings, newest first, and its cases, highest score first.

    `cases` is None for a profile that is not scored (`spec`): its findings are not grouped.
    `knowledge` is what the hunt ran with: the writers take the spec's fields and the flag
    names from it, so a flag added by a rule file is reported like the others.
    """

    profile: str
    findings: tuple[Finding, ...]
    cases: tuple[Case, ...] | None = None
    knowledge: Knowledge = field(default_factory=packaged)
