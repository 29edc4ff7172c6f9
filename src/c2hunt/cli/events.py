"""`c2hunt events PATH...`: the normalized events as JSON lines, CSV or Parquet, and the read
summary on stderr. The way to see what c2hunt saw."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from c2hunt.cli._common import (
    EXIT_CODES_HELP,
    add_input_arguments,
    open_events,
    print_read_summary,
    read_exit_code,
)
from c2hunt.errors import C2HuntError
from c2hunt.normalize.schema import EVENT_SCHEMA
from c2hunt.report.sanitize import csv_safe_batch

FORMATS = ("jsonl", "csv", "parquet")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "events",
        help="write the normalized events (JSON lines, CSV or Parquet) and a read summary",
        description="Read Windows telemetry and write it in c2hunt's event model.",
        epilog=EXIT_CODES_HELP,
    )
    add_input_arguments(parser)
    parser.add_argument("--format", choices=FORMATS, default="jsonl", help="default: jsonl")
    parser.add_argument("-o", "--output", metavar="FILE", help="default: standard output")
    parser.add_argument(
        "--event-id", type=int, action="append", metavar="N", help="keep this EventID (repeatable)"
    )
    parser.add_argument(
        "--channel",
        action="append",
        metavar="NAME",
        help="keep this channel, case-insensitive (repeatable)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    stream = open_events(args)
    batches = filtered(stream, args.event_id, args.channel)
    try:
        write_events(batches, args.format, args.output)
    except (OSError, duckdb.Error, pa.ArrowException) as exc:
        raise C2HuntError(f"cannot write events: {exc}", args.output or "<stdout>") from exc
    finally:
        print_read_summary(stream.stats)
    return read_exit_code(stream.stats, args.strict)


def filtered(
    batches: Iterator[pa.RecordBatch] | Any,
    event_ids: Sequence[int] | None,
    channels: Sequence[str] | None,
) -> Iterator[pa.RecordBatch]:
    """Batches reduced to the requested EventIDs and channels (Arrow compute, no row loop)."""
    ids = pa.array(event_ids or [], type=pa.int32())
    names = pa.array([name.lower() for name in channels or []], type=pa.string())
    for batch in batches:
        mask = None
        if event_ids:
            mask = pc.is_in(batch.column("EventID"), value_set=ids)
        if channels:
            by_channel = pc.is_in(pc.utf8_lower(batch.column("Channel")), value_set=names)
            mask = by_channel if mask is None else pc.and_(mask, by_channel)
        yield batch if mask is None else batch.filter(mask)


def write_events(batches: Iterator[pa.RecordBatch], fmt: str, output: str | None) -> None:
    """Stream batches to `output` (stdout when None) in `fmt`."""
    if fmt == "jsonl":
        _write_jsonl(batches, output)
        return
    sink: Any = output if output else sys.stdout.buffer
    if fmt == "csv":
        with pa_csv.CSVWriter(sink, EVENT_SCHEMA) as writer:
            for batch in batches:
                writer.write_batch(csv_safe_batch(batch))
    else:
        with pq.ParquetWriter(sink, EVENT_SCHEMA) as writer:
            for batch in batches:
                writer.write_batch(batch)


def _write_jsonl(batches: Iterator[pa.RecordBatch], output: str | None) -> None:
    """DuckDB writes the JSON; to stdout through a temporary file (DuckDB writes to paths)."""
    reader = pa.RecordBatchReader.from_batches(EVENT_SCHEMA, batches)
    if output:
        _copy_json(reader, Path(output))
        return
    with tempfile.TemporaryDirectory(prefix="c2hunt-") as folder:
        target = Path(folder) / "events.jsonl"
        _copy_json(reader, target)
        with target.open("rb") as written:
            shutil.copyfileobj(written, sys.stdout.buffer)
        sys.stdout.buffer.flush()


def _copy_json(reader: pa.RecordBatchReader, target: Path) -> None:
    with duckdb.connect() as con:
        con.register("events", reader)
        escaped = str(target).replace("'", "''")
        con.execute(f"COPY (SELECT * FROM events) TO '{escaped}' (FORMAT json)")
