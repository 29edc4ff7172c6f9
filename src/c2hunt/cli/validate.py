"""`c2hunt validate`: simulate, hunt, and show that each scenario gives the expected result."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from c2hunt.emulate import FORMATS
from c2hunt.emulate.validation import Check, validate

DESCRIPTION = """\
Simulate the specification's four tests, a benign baseline and the three false-positive
families, read the files back, hunt them, and print a matrix: each test with the signals it
must show, what was found, score and severity; the baseline must report nothing; each
false-positive family must be reported without tuning and be silent with the packaged example
tuning. Exits 1 on any miss.
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="prove the hunt on emulated attacks, benign activity and known false positives",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seed", type=int, default=1102)
    parser.add_argument("--format", choices=FORMATS, default="xml")
    parser.add_argument("--keep", metavar="DIR", help="write the simulation here and keep it")
    parser.set_defaults(run=run)


def _table(checks: list[Check]) -> Table:
    table = Table(title="c2hunt validate", show_lines=True)
    for column in ("scenario", "expected", "found", "score", "severity", "result"):
        table.add_column(column, overflow="fold")
    for c in checks:
        table.add_row(
            c.scenario,
            c.expected,
            c.found,
            "" if c.score is None else str(c.score),
            c.severity or "",
            "ok" if c.ok else "MISS",
        )
    return table


def run(args: argparse.Namespace) -> int:
    if args.keep:
        checks = validate(Path(args.keep), args.seed, args.format)
    else:
        with tempfile.TemporaryDirectory(prefix="c2hunt-validate-") as tmp:
            checks = validate(Path(tmp), args.seed, args.format)
    Console(width=160).print(_table(checks))
    return 0 if all(c.ok for c in checks) else 1
