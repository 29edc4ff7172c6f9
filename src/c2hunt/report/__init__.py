"""Report: a hunt's findings for people (terminal table) and for machines (CSV, JSON, JSONL).

`write_findings(findings, fmt, profile, out)` writes them; every attacker-controlled string is
sanitized for its medium (`c2hunt.report.sanitize`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from c2hunt.errors import C2HuntError
from c2hunt.report.formats import WRITERS
from c2hunt.report.table import write_table
from c2hunt.score import Finding

FORMATS = ("table", "csv", "json", "jsonl")

__all__ = ["FORMATS", "write_findings"]


def write_findings(findings: Sequence[Finding], fmt: str, profile: str, out: TextIO) -> None:
    if fmt == "table":
        write_table(findings, profile, out)
    elif fmt in WRITERS:
        WRITERS[fmt](findings, profile, out)
    else:
        raise C2HuntError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
