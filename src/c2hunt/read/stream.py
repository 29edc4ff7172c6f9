"""The read loop: inputs to readers to normalized rows to Arrow batches, with the accounting."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pyarrow as pa

from c2hunt.errors import C2HuntError, InputError, RecordError
from c2hunt.normalize import BatchBuilder, normalize
from c2hunt.read.csvfile import read_csv
from c2hunt.read.evtx_file import read_evtx
from c2hunt.read.jsonfile import read_json
from c2hunt.read.sources import (
    CSV,
    EVTX,
    JSON,
    XML,
    Source,
    UnrecognizedFormatError,
    Walked,
    expand_paths,
    open_sources,
)
from c2hunt.read.stats import DamagedChunk, FailedFile, ReadStats, Rejection
from c2hunt.read.xmlfile import read_xml

log = logging.getLogger(__name__)

DEFAULT_MAX_DECOMPRESSED_BYTES = 8 << 30
# Rows per Arrow batch: the reader's peak memory scales with it, not with the input (16384 rows
# of a Sysmon log peak near 125 MiB, measured in bench/hunt_bench.py's setting).
DEFAULT_BATCH_SIZE = 16384
# One record (a JSON line, a CSV row, one XML field) larger than this is rejected: a Windows
# event is at most 64 KiB, so this only stops garbage from filling memory.
MAX_RECORD_BYTES = 4 << 20
# Errors of the decompressors and of the file system that stop one file mid-way.
_STREAM_ERRORS = (OSError, EOFError, zlib.error, ValueError, UnicodeError)
# Normalizer failures that are a record's fault but not a RecordError: counted, never raised.
_SHAPE_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError)


class EventStream:
    """Iterate for `pyarrow.RecordBatch`es of `EVENT_SCHEMA`; `stats` holds the accounting.

    A stream is read once; `stats` is complete when iteration ends.
    """

    def __init__(
        self,
        paths: Sequence[str | Path],
        *,
        strict: bool,
        threads: int,
        max_decompressed_bytes: int,
        batch_size: int,
    ) -> None:
        if batch_size < 1 or max_decompressed_bytes < 1 or threads < 0:
            raise C2HuntError("batch_size and max_decompressed_bytes must be > 0, threads >= 0")
        self.paths = list(paths)
        self.strict = strict
        self.threads = threads
        self.max_decompressed_bytes = max_decompressed_bytes
        self.batch_size = batch_size
        self.stats = ReadStats()
        self._started = False

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        if self._started:
            raise C2HuntError("an event stream can be read only once")
        self._started = True
        builder = BatchBuilder()
        for item in expand_paths(self.paths):
            if isinstance(item, FailedFile):
                self.stats.failed(item)
            else:
                yield from self._read_input(item, builder)
        if len(builder):
            yield builder.flush()

    def _read_input(
        self, item: str | Path | Walked, builder: BatchBuilder
    ) -> Iterator[pa.RecordBatch]:
        walked = isinstance(item, Walked)
        path = item.path if isinstance(item, Walked) else item
        name = str(path)
        with ExitStack() as stack:
            try:
                for source in open_sources(path, self.max_decompressed_bytes, stack):
                    name = source.name
                    self.stats.files_read.append(name)
                    yield from self._read_source(source, builder)
            except UnrecognizedFormatError as exc:
                failure = FailedFile(exc.where or name, exc.message)
                if walked:
                    self.stats.skip(failure)
                else:
                    self.stats.failed(failure)
            except InputError as exc:
                self.stats.failed(FailedFile(exc.where or name, exc.message))
            except _STREAM_ERRORS as exc:
                reason = f"reading stopped: {type(exc).__name__}: {exc}"
                self.stats.failed(FailedFile(name, reason))

    def _read_source(self, source: Source, builder: BatchBuilder) -> Iterator[pa.RecordBatch]:
        stats = self.stats
        for item in self._items(source):
            if type(item) is tuple:
                record, raw = item
                row = self._row(raw, source.name, record)
                if row is None:
                    continue
                stats.records_read += 1
                stats.records_used += 1
                stats.events_by_kind[(row["Channel"], row["EventID"])] += 1
                builder.append(row)
                if len(builder) >= self.batch_size:
                    yield builder.flush()
            elif isinstance(item, Rejection):
                stats.reject(item)
            elif isinstance(item, DamagedChunk):
                stats.damaged(item)

    def _items(self, source: Source) -> Iterator[Any]:
        if source.format == EVTX:
            return read_evtx(source.path or "", source.name, self.threads)
        if source.format == XML:
            return read_xml(source.stream, source.name)
        if source.format == JSON:
            return read_json(source.stream, source.name, MAX_RECORD_BYTES)
        if source.format == CSV:
            return read_csv(source.stream, source.name, MAX_RECORD_BYTES)
        raise InputError(f"no reader for format {source.format}", source.name)

    def _row(self, raw: Any, name: str, record: int) -> dict[str, Any] | None:
        """The normalized row, or None once the record is counted as rejected."""
        try:
            row = normalize(raw)
        except RecordError as exc:
            self.stats.reject(Rejection(name, record, exc.reason, exc.message))
            return None
        except _SHAPE_ERRORS as exc:
            log.debug("unexpected record shape in %s:%s", name, record, exc_info=True)
            detail = f"{type(exc).__name__}: {exc}"
            self.stats.reject(Rejection(name, record, "unexpected-shape", detail))
            return None
        row["_file"] = name
        row["_record"] = record
        return row


def read_events(
    paths: Sequence[str | Path],
    *,
    strict: bool = False,
    threads: int = 0,
    max_decompressed_bytes: int = DEFAULT_MAX_DECOMPRESSED_BYTES,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> EventStream:
    """A stream of normalized event batches over `paths` (see the package docstring)."""
    return EventStream(
        paths,
        strict=strict,
        threads=threads,
        max_decompressed_bytes=max_decompressed_bytes,
        batch_size=batch_size,
    )


__all__ = ["EventStream", "read_events"]
