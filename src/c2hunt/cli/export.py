"""`c2hunt export`: write the detection for a SIEM, from the same knowledge the hunt uses."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from c2hunt import export, knowledge

HELP = """\
Sumo Logic, Splunk and Sentinel print queries; Elastic prints a detection-rules TOML; Sigma
prints YAML rules. A target with several queries or rules prints them one after another
(Sigma as multi-document YAML). With --output DIR (an existing directory) each goes to its
own file in DIR; with --output FILE all go to FILE. See docs/exporting.md."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write the detection for Sumo Logic, Splunk, Sentinel, Elastic or Sigma",
        description="Write the detection for a SIEM, generated from c2hunt's knowledge and "
        "your rule file.",
        epilog=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--to", required=True, choices=list(export.TARGETS), help="target")
    parser.add_argument(
        "--profile",
        choices=list(export.PROFILES),
        default="precise",
        help="spec: the specification's semantics; precise: label-boundary names, file names "
        "and regex flags (default)",
    )
    parser.add_argument("--rules", type=Path, help="your rule file (extends the packaged one)")
    parser.add_argument(
        "-o", "--output", type=Path, help="file, or existing directory (default: stdout)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    documents = export.render(knowledge.load(args.rules), args.to, args.profile)
    if args.output is None:
        sys.stdout.write(export.join_documents(args.to, documents))
        return 0
    export.write_documents(args.to, documents, args.output)
    return 0
