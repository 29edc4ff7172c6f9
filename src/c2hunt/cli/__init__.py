"""The `c2hunt` command: thin subcommands that parse options and call the library."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from c2hunt import __version__
from c2hunt.errors import C2HuntError

# Subcommand name -> module defining `register(subparsers)` and `run(args) -> int`.
COMMANDS: dict[str, str] = {
    "events": "c2hunt.cli.events",
    "hunt": "c2hunt.cli.hunt",
    "simulate": "c2hunt.cli.simulate",
    "validate": "c2hunt.cli.validate",
    "export": "c2hunt.cli.export",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="c2hunt",
        description="Hunt command-and-control over legitimate web services (ATT&CK T1102.003).",
    )
    parser.add_argument("--version", action="version", version=f"c2hunt {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log detail")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMANDS.values():
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="c2hunt: %(levelname)s: %(message)s")
    try:
        code: int = args.run(args)
    except C2HuntError as exc:
        print(f"c2hunt: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    return code
