"""Read: every kind of Windows telemetry a hunter brings, as Arrow batches of one event model.

Public API::

    from c2hunt.read import read_events, ReadStats

    stream = read_events(paths, strict=False, threads=0,
                         max_decompressed_bytes=8 << 30, batch_size=16384)
    for batch in stream:      # pyarrow.RecordBatch, schema c2hunt.normalize.schema.EVENT_SCHEMA
        ...
    stream.stats              # ReadStats, complete once iteration ends

`paths` are files, directories (read recursively), glob patterns and `-` for stdin. Formats are
recognized by content: EVTX (the Rust `evtx` parser, `threads` worker threads, 0 = one per
core), Windows event XML, JSON lines / arrays / concatenated objects in the shapes of OTRF,
NXLog, evtx_dump, Winlogbeat and SIEM exports, and CSV with Sysmon field names. gzip, bzip2 and
zip are unpacked by magic bytes, each stopping with an error past `max_decompressed_bytes`.

Nothing raises mid-stream for bad input: a path that cannot be opened or read is listed in
`stats.files_failed` (one-line reason naming it) and the other paths are still read; a record
that cannot be used is counted in `stats.rejected` by reason, with the first few kept in
`stats.examples` (file, record number or line, reason); damaged EVTX chunks are listed in
`stats.damaged_chunks`. `records_read == records_used + records_rejected` always holds.
`strict` is recorded for callers (the CLI exits non-zero on any rejection when set); reading is
the same either way. Memory stays bounded: records are streamed and batched, never a whole file.
"""

from __future__ import annotations

from c2hunt.read.stats import DamagedChunk, FailedFile, ReadStats, Rejection
from c2hunt.read.stream import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_MAX_DECOMPRESSED_BYTES,
    MAX_RECORD_BYTES,
    EventStream,
    read_events,
)

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_MAX_DECOMPRESSED_BYTES",
    "MAX_RECORD_BYTES",
    "DamagedChunk",
    "EventStream",
    "FailedFile",
    "ReadStats",
    "Rejection",
    "read_events",
]
