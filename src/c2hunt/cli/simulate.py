"""`c2hunt simulate`: placeholder until its issue lands (replaced by the owner of this command)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("simulate", help="(not built yet)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    raise SystemExit("c2hunt simulate is not built yet")
