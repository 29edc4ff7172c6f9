"""The `--tuning FILE` and `--show-suppressed` options, shared by every command that hunts."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

import duckdb

from c2hunt.knowledge import Knowledge
from c2hunt.score import Finding
from c2hunt.tune import apply_tuning, load_tuning


def add_tuning_arguments(parser: Any) -> None:
    parser.add_argument(
        "--tuning",
        metavar="FILE",
        help="YAML suppressions of known benign automation (see docs/tuning.md)",
    )
    parser.add_argument(
        "--show-suppressed",
        action="store_true",
        help="list the findings the tuning suppressed, and by which suppression",
    )


def apply_tuning_option(
    con: duckdb.DuckDBPyConnection,
    findings: list[Finding],
    args: argparse.Namespace,
    knowledge: Knowledge,
    today: date | None = None,
) -> tuple[list[Finding], list[str]]:
    """The findings left after `--tuning`, and the lines to tell the user about it."""
    if not getattr(args, "tuning", None):
        return findings, []
    result = apply_tuning(con, load_tuning(args.tuning, knowledge), today)
    notes = [
        f"suppression '{s.name}' expired on {s.expires} ({s.where}); it no longer applies"
        for s in result.expired
    ]
    notes += [f"suppressed {count} finding(s) by '{name}'" for name, count in result.suppressed]
    rows = con.execute(
        "SELECT finding_id, suppressed_by, Computer, Image, dest_name FROM findings "
        "WHERE suppressed_by IS NOT NULL ORDER BY suppressed_by, _messageTime"
    ).fetchall()
    if getattr(args, "show_suppressed", False):
        notes += [
            f"  suppressed {fid} by '{name}': {host} {image} -> {dest}"
            for fid, name, host, image, dest in rows
        ]
    hidden = {row[0] for row in rows}
    return [f for f in findings if f.finding_id not in hidden], notes
