"""A finding as Python sees it: built from one row of the `findings` table."""

from __future__ import annotations

import enum
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from c2hunt.knowledge import Knowledge

# What c2hunt adds to say why a finding is one.
EVIDENCE_FIELDS: tuple[str, ...] = (
    "ProcessGuid",
    "ProcessId",
    "OriginalFileName",
    "IntegrityLevel",
    "dest_name",
    "dest_source",
    "service",
    "service_category",
    "lineage_source",
    "risk_score",
    "severity",
    "evidence",
)


def finding_columns(knowledge: Knowledge) -> tuple[str, ...]:
    """The `findings` table's columns: id, the specification's fields, then the evidence."""
    return ("finding_id", *knowledge.spec_fields, *EVIDENCE_FIELDS)


class Severity(enum.IntEnum):
    """A finding's severity, ordered so that `>=` compares urgency."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            known = ", ".join(s.name.lower() for s in cls)
            raise ValueError(f"unknown severity {text!r}; known: {known}") from None

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason behind a finding, with the event that supports it when there is one."""

    kind: str
    text: str
    file: str | None = None
    record: int | None = None
    time: int | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Evidence:
        return cls(row["kind"], row["text"], row["file"], row["record"], row["time"])


@dataclass(frozen=True, slots=True)
class Finding:
    """One connection reported by a hunt; `fields` holds the columns of `finding_columns`."""

    finding_id: str
    fields: Mapping[str, Any]
    severity: Severity | None
    evidence: tuple[Evidence, ...]

    @classmethod
    def from_row(cls, columns: Sequence[str], values: Sequence[Any]) -> Finding:
        row = dict(zip(columns, values, strict=True))
        level = row.get("severity")
        items = tuple(Evidence.from_row(e) for e in row.get("evidence") or ())
        row["evidence"] = items
        severity = Severity.parse(level) if level else None
        return cls(row["finding_id"], types.MappingProxyType(row), severity, items)

    def __getitem__(self, column: str) -> Any:
        return self.fields[column]
