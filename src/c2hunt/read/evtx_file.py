"""EVTX files through the `evtx` package (the Rust parser), multithreaded.

A damaged chunk makes the parser's iterator raise `RuntimeError("Failed to parse chunk number
N: ...")`; iteration can go on afterwards, so each such error is counted as a damaged chunk and
reading continues. A file cut inside a chunk loses that chunk silently in the parser, so the file
size is checked too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import orjson
from evtx import PyEvtxParser

from c2hunt.errors import InputError
from c2hunt.read.stats import DamagedChunk, Rejection

_FILE_HEADER_BYTES = 4096
_CHUNK_BYTES = 65536
_CHUNK_ERROR = re.compile(r"chunk number (\d+)")
# Errors in a row after which a file is given up (the parser no longer advances).
_MAX_CONSECUTIVE_ERRORS = 10_000

ReaderItem = tuple[int, Any] | Rejection | DamagedChunk


def read_evtx(path: str, name: str, threads: int) -> Iterator[ReaderItem]:
    """(EventRecordID, parsed event) per record; damaged chunks and bad records in line."""
    try:
        parser = PyEvtxParser(path, number_of_threads=threads)
    except (OSError, RuntimeError) as exc:
        raise InputError(f"not a readable EVTX file: {exc}", name) from exc
    yield from _records(parser.records_json(), name)
    truncated = _truncated_chunk(path, name)
    if truncated is not None:
        yield truncated


def _records(records: Iterator[Any], name: str) -> Iterator[ReaderItem]:
    errors_in_row = 0
    position = 0
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except (RuntimeError, OSError) as exc:
            errors_in_row += 1
            if errors_in_row > _MAX_CONSECUTIVE_ERRORS:
                raise InputError(f"EVTX parser stopped advancing: {exc}", name) from exc
            yield _classify(str(exc), name, position)
            continue
        errors_in_row = 0
        position += 1
        yield _parsed(record, name, position)


def _parsed(record: dict[str, Any], name: str, position: int) -> ReaderItem:
    number = record.get("event_record_id") or position
    try:
        return number, orjson.loads(record["data"])
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        return Rejection(name, number, "evtx-record", f"parser output is not JSON: {exc}")


def _classify(message: str, name: str, position: int) -> ReaderItem:
    """A chunk error names its chunk; anything else is one unreadable record."""
    first_line = message.splitlines()[0] if message else "unknown parser error"
    match = _CHUNK_ERROR.search(first_line)
    if match:
        return DamagedChunk(name, int(match.group(1)), first_line)
    return Rejection(name, position + 1, "evtx-record", first_line)


def _truncated_chunk(path: str, name: str) -> DamagedChunk | None:
    """The chunk a truncated file ends in, whose records the parser skips without a word."""
    size = os.path.getsize(path)
    body = size - _FILE_HEADER_BYTES
    if body <= 0 or body % _CHUNK_BYTES == 0:
        return None
    chunk = body // _CHUNK_BYTES
    return DamagedChunk(name, chunk, f"file ends inside this chunk ({size} bytes): truncated")
