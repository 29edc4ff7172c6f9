"""The accounting of one read: what was read, used, rejected (and why), damaged or unreadable.

Every record a reader meets is counted once, as used or as rejected with a reason, so
`records_read == records_used + records_rejected` always holds. Files that cannot be opened, or
that stop mid-way (a truncated gzip stream, a decompression bomb), are listed with a one-line
reason; damaged EVTX chunks are listed by file and chunk number.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

# How many rejected records are kept as examples for the summary.
MAX_EXAMPLES = 5


@dataclass(frozen=True, slots=True)
class Rejection:
    """One record that could not be used: file, record number (EVTX) or line, and why."""

    file: str
    record: int | None
    reason: str
    detail: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.record}" if self.record is not None else self.file
        return f"{where}: {self.reason}: {self.detail}"


@dataclass(frozen=True, slots=True)
class DamagedChunk:
    """An EVTX chunk whose records could not be read."""

    file: str
    chunk: int | None
    detail: str

    def __str__(self) -> str:
        return f"{self.file}: chunk {self.chunk}: {self.detail}"


@dataclass(frozen=True, slots=True)
class FailedFile:
    """An input that could not be opened, or whose reading stopped early."""

    file: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.reason}"


@dataclass(slots=True)
class ReadStats:
    """Counters filled while a stream is read; complete once the stream is exhausted."""

    files_read: list[str] = field(default_factory=list)
    files_failed: list[FailedFile] = field(default_factory=list)
    # Files met while walking a directory that are not telemetry (a README, a script).
    files_skipped: list[FailedFile] = field(default_factory=list)
    records_read: int = 0
    records_used: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    examples: list[Rejection] = field(default_factory=list)
    damaged_chunks: list[DamagedChunk] = field(default_factory=list)
    events_by_kind: Counter[tuple[str | None, int]] = field(default_factory=Counter)

    @property
    def records_rejected(self) -> int:
        return sum(self.rejected.values())

    @property
    def clean(self) -> bool:
        """True when nothing was rejected, damaged or unreadable."""
        return not (self.rejected or self.damaged_chunks or self.files_failed)

    def reject(self, rejection: Rejection) -> None:
        self.records_read += 1
        if not self.rejected:
            log.warning("rejected a record: %s (more in the summary)", rejection)
        else:
            log.debug("rejected a record: %s", rejection)
        self.rejected[rejection.reason] += 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(rejection)

    def damaged(self, chunk: DamagedChunk) -> None:
        if not any(known.file == chunk.file for known in self.damaged_chunks):
            log.warning("damaged EVTX chunk: %s (more in the summary)", chunk)
        else:
            log.debug("damaged EVTX chunk: %s", chunk)
        self.damaged_chunks.append(chunk)

    def skip(self, skipped: FailedFile) -> None:
        log.info("skipped a file found in a directory: %s", skipped)
        self.files_skipped.append(skipped)

    def failed(self, failure: FailedFile) -> None:
        log.debug("input failed: %s", failure)
        self.files_failed.append(failure)
