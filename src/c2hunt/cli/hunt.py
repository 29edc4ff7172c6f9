"""`c2hunt hunt`: find command-and-control over web services in Windows telemetry."""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from importlib import resources
from pathlib import Path
from typing import Any

from c2hunt import knowledge
from c2hunt.cli._common import (
    EXIT_CODES_HELP,
    EXIT_OK,
    add_input_arguments,
    open_events,
    print_read_summary,
    read_exit_code,
)
from c2hunt.detect import DEFAULT_PROFILE, PROFILES, SCORED_PROFILES, Engine
from c2hunt.errors import C2HuntError
from c2hunt.report import FORMATS, VIEWS, HuntReport, write_report
from c2hunt.score import Severity
from c2hunt.score.cases import build_cases
from c2hunt.tune.options import add_tuning_arguments, apply_tuning_option

EXIT_FAIL_ON = 1
SAMPLE = "sample_events.jsonl"

DESCRIPTION = """\
Hunt one-way command-and-control over legitimate web services (ATT&CK T1102.003): listed
script engines and living-off-the-land binaries connecting to listed web services.

profiles:
  precise  (default) each Sysmon 3 connection gets its process's command line and parent
           (Sysmon 1 or Security 4688) and the name it asked for (DNS answers, a real
           DestinationHostname, a URL in its command line, published address ranges);
           services match on label boundaries, binaries by name or OriginalFileName, and
           the three flags are the regular expressions the specification means.
  spec     exactly the specification's Sumo Logic query over raw Sysmon 3 records, with no
           correlation. On real Sysmon data this finds almost nothing: DestinationHostname
           is a reverse lookup (empty or a CDN name), and the three flags, written as
           quoted `matches` patterns, are literal wildcard patterns no command line matches
           (Sysmon 3 has no command line anyway), so suspicion_score is always 0. Its host
           patterns are substrings: `*x.com*` also matches dropbox.com, `*t.me*` any name
           containing "t.me". The query's _sourceCategory clause does not apply to files.
           Its findings are not scored, so not grouped into cases.

views (--view, the terminal table only):
  cases    (default for precise) one row per case, the findings of one process on one host,
           ranked by the case's score: each distinct signal of its findings counted once,
           at its highest weight
  findings one row per connection, newest first (the only view of --profile spec)
The machine formats do not depend on the view: json holds the cases and the findings; csv and
jsonl one row per finding with its case_id.

The read summary on stderr counts the event kinds the hunt uses; `c2hunt -v hunt ...` lists
every kind.
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "hunt",
        help="hunt web-service C2 in EVTX, XML, JSON or CSV telemetry",
        description=DESCRIPTION,
        epilog=f"{EXIT_CODES_HELP}; 1 also when --fail-on finds a finding at that severity",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_input_arguments(parser, paths_required=False)
    parser.add_argument(
        "--sample", action="store_true", help="hunt the sample events shipped with c2hunt"
    )
    parser.add_argument("--profile", choices=list(PROFILES), default=DEFAULT_PROFILE)
    parser.add_argument("--rules", metavar="FILE", help="knowledge file extending the packaged one")
    parser.add_argument(
        "--db",
        metavar="FILE",
        help="keep the events, findings, signals and cases in this DuckDB file",
    )
    add_tuning_arguments(parser)
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument(
        "--view",
        choices=VIEWS,
        help="table rows: cases (default; precise) or findings (default and only view of spec)",
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write the report here (default stdout)"
    )
    parser.add_argument(
        "--fail-on",
        choices=[str(s) for s in Severity],
        metavar="SEVERITY",
        help="exit 1 when a case or finding reaches this severity (low, medium, high, critical)",
    )
    parser.set_defaults(run=run)


def _check(args: argparse.Namespace) -> None:
    if not args.paths and not args.sample:
        raise C2HuntError("give at least one PATH to hunt, or --sample")
    if args.fail_on and args.profile not in SCORED_PROFILES:
        raise C2HuntError(f"--fail-on needs a scored profile; {args.profile!r} has no severity")
    if args.view == "cases" and args.profile not in SCORED_PROFILES:
        raise C2HuntError(
            f"--view cases needs a scored profile; {args.profile!r} findings are not grouped"
        )


def _view(args: argparse.Namespace) -> str:
    if args.view:
        return str(args.view)
    return "cases" if args.profile in SCORED_PROFILES else "findings"


def _hunt(args: argparse.Namespace, stack: ExitStack) -> tuple[HuntReport, int]:
    kn = knowledge.load(args.rules)
    if args.sample:
        sample = resources.files("c2hunt").joinpath("samples", SAMPLE)
        args.paths = [str(stack.enter_context(resources.as_file(sample))), *args.paths]
    stream = open_events(args)
    with Engine(kn, args.db) as engine:
        engine.load(stream)
        findings = engine.detect(args.profile)
        findings, tuning_notes = apply_tuning_option(engine.con, findings, args, kn)
        scored = args.profile in SCORED_PROFILES
        cases = tuple(build_cases(engine.con, kn)) if scored else None
    print_read_summary(stream.stats, compact=not getattr(args, "verbose", 0))
    for note in tuning_notes:
        print(f"c2hunt: {note}", file=sys.stderr)
    report = HuntReport(args.profile, tuple(findings), cases, kn)
    return report, read_exit_code(stream.stats, args.strict)


def _write(report: HuntReport, args: argparse.Namespace) -> None:
    if args.output is None:
        write_report(report, args.format, sys.stdout, _view(args))
        return
    try:
        with Path(args.output).open("w", encoding="utf-8", newline="") as out:
            write_report(report, args.format, out, _view(args))
    except OSError as exc:
        raise C2HuntError(f"cannot write findings: {exc.strerror}", args.output) from None


def fail_on_hit(report: HuntReport, threshold: str | None) -> bool:
    """True when a case or a finding reaches `threshold` (a case is never below its findings)."""
    if threshold is None:
        return False
    level = Severity.parse(threshold)
    levels = [f.severity for f in report.findings] + [c.severity for c in report.cases or ()]
    return any(s is not None and s >= level for s in levels)


def run(args: argparse.Namespace) -> int:
    _check(args)
    with ExitStack() as stack:
        report, code = _hunt(args, stack)
    _write(report, args)
    if code != EXIT_OK:
        return code
    return EXIT_FAIL_ON if fail_on_hit(report, args.fail_on) else EXIT_OK
