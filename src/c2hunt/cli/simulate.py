"""`c2hunt simulate`: write the spec's four adversary tests inside a benign day as telemetry."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from c2hunt.emulate import FORMATS, LOGS, simulate, write

DESCRIPTION = """\
Write deterministic Windows telemetry: the specification's four adversary tests (PowerShell
polling Pastebin, Python polling GitHub raw content, curl polling the Telegram Bot API, a
scheduled task polling GitHub), a benign working day on three workstations, and the three
false-positive families (CI runner, RMM agent, developer curl). One file per host and channel,
into DIR/logs, plus DIR/manifest.json: the ground truth `c2hunt validate` checks against.

formats: xml (as `wevtutil qe /f:xml` writes it), jsonl (nested evtx JSON), flat (OTRF style)
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="write emulated attack and benign telemetry",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="directory to write into")
    parser.add_argument("--format", choices=FORMATS, default="xml")
    parser.add_argument("--seed", type=int, default=1102, help="same seed, same telemetry")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    simulation = simulate(args.seed)
    manifest = write(simulation, Path(args.out), args.format)
    logs = Path(args.out) / LOGS
    print(
        f"c2hunt: wrote {len(simulation.events)} events of {len(simulation.scenarios)} "
        f"scenarios to {logs}; ground truth in {manifest}\n"
        f"c2hunt: hunt them with: c2hunt hunt {logs}",
        file=sys.stderr,
    )
    return 0
