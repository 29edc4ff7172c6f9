"""Shared by the commands that read telemetry (`events`, `hunt`): input arguments, opening the
event stream, the read summary on stderr, and the exit code that reflects the read.

API (small on purpose):

- `add_input_arguments(parser)`: positional `PATH...`, `--strict`, `--threads N`.
- `open_events(args) -> EventStream`: `read_events` over those arguments.
- `print_read_summary(stats, stream=None, compact=False)`: the summary on stderr (rich when a
  terminal); `compact` lists only the event kinds the detection uses (`TYPED_EVENTS`).
- `read_exit_code(stats, strict) -> int`: `EXIT_OK`, `EXIT_REJECTED` or `EXIT_INPUT_FAILED`.

Exit codes: 0 everything read; 1 (`EXIT_REJECTED`) `--strict` was given and records were
rejected or EVTX chunks damaged; 3 (`EXIT_INPUT_FAILED`) an input could not be opened or its
reading stopped early (missing path, unrecognized format, truncated or oversized compressed
stream), the other inputs having been read. 2 is argparse's and c2hunt's usage/error code.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from typing import TextIO

from c2hunt.normalize.schema import TYPED_EVENTS
from c2hunt.read import EventStream, ReadStats, read_events

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_INPUT_FAILED = 3
# Chunk numbers listed per file before the summary says "and N more".
_MAX_CHUNKS_LISTED = 10

EXIT_CODES_HELP = (
    "exit codes: 0 all read; 1 --strict and records rejected or EVTX chunks damaged; "
    "2 usage error; 3 an input could not be read (the others were)"
)


def add_input_arguments(parser: argparse.ArgumentParser, *, paths_required: bool = True) -> None:
    """PATH... (files, directories, globs, `-` for stdin), --strict and --threads.

    `paths_required=False` lets a command accept no PATH (`hunt --sample`); it then checks.
    """
    parser.add_argument(
        "paths",
        nargs="+" if paths_required else "*",
        metavar="PATH",
        help="EVTX, event XML, JSON (lines/array), CSV; files, directories, globs, - for stdin;"
        " .gz/.bz2/.zip read transparently",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when any record is rejected or an EVTX chunk is damaged",
    )
    parser.add_argument(
        "--threads", type=int, default=0, help="EVTX parser threads (default 0: one per core)"
    )


def open_events(args: argparse.Namespace) -> EventStream:
    """The event stream over the parsed input arguments."""
    return read_events(args.paths, strict=args.strict, threads=args.threads)


def read_exit_code(stats: ReadStats, strict: bool) -> int:
    if stats.files_failed:
        return EXIT_INPUT_FAILED
    if strict and (stats.rejected or stats.damaged_chunks):
        return EXIT_REJECTED
    return EXIT_OK


def summary_lines(stats: ReadStats, compact: bool = False) -> list[str]:
    """The read summary as plain text lines.

    `compact` counts only the event kinds the detection uses, and the others in one line.
    """
    lines = [
        f"files: {len(stats.files_read)} read, {len(stats.files_failed)} failed, "
        f"{len(stats.files_skipped)} skipped (found in a directory, not telemetry)"
    ]
    lines += [f"  failed: {failure}" for failure in stats.files_failed]
    lines += [f"  skipped: {skipped}" for skipped in stats.files_skipped]
    lines.append(
        f"records: {stats.records_read} read, {stats.records_used} used, "
        f"{stats.records_rejected} rejected"
    )
    for reason, count in sorted(stats.rejected.items()):
        lines.append(f"  rejected {reason}: {count}")
    lines += [f"  e.g. {example}" for example in stats.examples]
    lines += _damaged_lines(stats)
    return lines + _kind_lines(stats, compact)


def _kind_lines(stats: ReadStats, compact: bool) -> list[str]:
    kinds = sorted(stats.events_by_kind.items(), key=lambda item: (item[0][0] or "", item[0][1]))
    used = [(kind, count) for kind, count in kinds if not compact or kind in TYPED_EVENTS]
    title = "events of the kinds the hunt uses" if compact else "events by kind"
    lines = [f"{title} (channel, EventID: count):"]
    lines += [
        f"  {channel or '(no channel)'}, {event_id}: {count}" for (channel, event_id), count in used
    ]
    others = len(kinds) - len(used)
    if others:
        events = sum(count for _, count in kinds) - sum(count for _, count in used)
        lines.append(f"other kinds: {events} events in {others} kinds (c2hunt -v lists them)")
    return lines


def _damaged_lines(stats: ReadStats) -> list[str]:
    if not stats.damaged_chunks:
        return []
    by_file: dict[str, list[str]] = defaultdict(list)
    for chunk in stats.damaged_chunks:
        by_file[chunk.file].append(str(chunk.chunk))
    lines = [f"damaged EVTX chunks: {len(stats.damaged_chunks)}"]
    for file, chunks in by_file.items():
        more = len(chunks) - _MAX_CHUNKS_LISTED
        listed = ", ".join(chunks[:_MAX_CHUNKS_LISTED]) + (f" and {more} more" if more > 0 else "")
        lines.append(f"  {file}: chunks {listed}")
    lines.append(f"  first: {stats.damaged_chunks[0].detail}")
    return lines


def print_read_summary(
    stats: ReadStats, stream: TextIO | None = None, compact: bool = False
) -> None:
    """The summary on stderr (or `stream`): rich styling on a terminal, plain text otherwise."""
    out = stream or sys.stderr
    lines = summary_lines(stats, compact)
    if out.isatty():
        from rich.console import Console
        from rich.markup import escape

        console = Console(file=out, highlight=False)
        console.print("[bold]c2hunt read summary[/bold]")
        for line in lines:
            style = "red" if ("failed:" in line or "rejected" in line[:11]) else ""
            console.print(f"[{style}]{escape(line)}[/{style}]" if style else escape(line))
        return
    print("c2hunt read summary", file=out)
    for line in lines:
        print(line, file=out)
