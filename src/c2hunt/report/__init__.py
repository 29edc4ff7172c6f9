"""Report: a hunt's cases and findings for people (terminal table) and machines (CSV, JSON, JSONL).

`write_report(report, fmt, out, view)` writes a `HuntReport`; every attacker-controlled string
is sanitized for its medium (`c2hunt.report.sanitize`). `view` chooses what the terminal table
shows: `cases` (one row per case, ranked by score) or `findings` (one row per connection,
newest first). The machine formats do not depend on it: JSON carries both the cases and the
findings, CSV and JSONL one row per finding with its `case_id`.
"""

from __future__ import annotations

from typing import TextIO

from c2hunt.errors import C2HuntError
from c2hunt.report.formats import WRITERS
from c2hunt.report.model import HuntReport
from c2hunt.report.table import write_case_table, write_table

FORMATS = ("table", "csv", "json", "jsonl")
VIEWS = ("cases", "findings")

__all__ = ["FORMATS", "VIEWS", "HuntReport", "write_report"]


def write_report(report: HuntReport, fmt: str, out: TextIO, view: str = "findings") -> None:
    if view not in VIEWS:
        raise C2HuntError(f"unknown view {view!r}; known: {', '.join(VIEWS)}")
    if view == "cases" and report.cases is None:
        raise C2HuntError(f"the {report.profile!r} profile has no cases; use the findings view")
    if fmt == "table" and view == "cases":
        write_case_table(report, out)
    elif fmt == "table":
        write_table(report, out)
    elif fmt in WRITERS:
        WRITERS[fmt](report, out)
    else:
        raise C2HuntError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
