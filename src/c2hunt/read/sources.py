"""Inputs: paths, directories, globs and `-` expanded to files; files opened, decompressed and
sniffed by content.

Compression (gzip, bzip2, zip) is recognized by its magic bytes, not the file name, and read as
a stream whose decompressed size is bounded: going past the bound stops that file with an error
naming it. The format is recognized from the first bytes after decompression: the EVTX magic,
`<` for XML, `{` or `[` for JSON, else a CSV header naming Sysmon fields.
"""

from __future__ import annotations

import bz2
import glob
import gzip
import io
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from c2hunt.errors import InputError
from c2hunt.read.stats import FailedFile

STDIN = "-"
STDIN_NAME = "<stdin>"
EVTX_MAGIC = b"ElfFile\x00"
_HEAD_BYTES = 64 * 1024
_BUFFER = 1 << 20
_GLOB_CHARS = frozenset("*?[")
_MAX_NESTING = 3
# Header words that mark a CSV export of Windows events.
_CSV_MARKERS = (b"EventID", b"Event ID", b"EventId", b"EventCode")

EVTX, XML, JSON, CSV = "evtx", "xml", "json", "csv"


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Source:
    """One input ready to read: a display name, its format, a byte stream and, for EVTX, a file
    path the Rust parser can open directly."""

    name: str
    format: str
    stream: IO[bytes]
    path: str | None


class UnrecognizedFormatError(InputError):
    """A file whose content is none of the formats c2hunt reads."""


@dataclass(frozen=True, slots=True, order=True)
class Walked:
    """A file found by walking a directory: one that is not telemetry is skipped, not failed."""

    path: Path


def expand_paths(paths: Sequence[str | Path]) -> Iterator[str | Path | Walked | FailedFile]:
    """Files named by paths, directories (recursive, sorted), globs and `-`; failures in line."""
    for given in paths:
        text = str(given)
        if text == STDIN:
            yield STDIN
            continue
        path = Path(text)
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(Walked(child) for child in path.rglob("*") if child.is_file())
        elif _GLOB_CHARS & set(text):
            yield from _glob(text)
        else:
            yield FailedFile(text, "no such file or directory")


def _glob(pattern: str) -> Iterator[Path | FailedFile]:
    matches = sorted(Path(name) for name in glob.glob(pattern, recursive=True))
    files = [match for match in matches if match.is_file()]
    if not files:
        yield FailedFile(pattern, "no file matches this pattern")
    yield from files


def open_sources(item: str | Path, limit: int, stack: ExitStack) -> Iterator[Source]:
    """The readable sources in one file or stdin (a zip holds several); closed by `stack`."""
    name = STDIN_NAME if item == STDIN else str(item)
    try:
        if item == STDIN:
            raw: IO[bytes] = sys.stdin.buffer
        else:
            raw = stack.enter_context(open(item, "rb"))  # noqa: SIM115 - the stack closes it
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror or exc}", name) from exc
    plain_path = None if item == STDIN else str(item)
    yield from _layers(name, raw, plain_path, limit, stack, 0)


def _layers(
    name: str, raw: Readable, path: str | None, limit: int, stack: ExitStack, depth: int
) -> Iterator[Source]:
    head = _read_head(raw, name)
    stream: IO[bytes] = io.BufferedReader(_Replay(head, raw), _BUFFER)
    if depth < _MAX_NESTING and head[:2] == b"\x1f\x8b":
        unpacked = _Bounded(gzip.GzipFile(fileobj=stream, mode="rb"), limit, name)
        yield from _layers(name, unpacked, None, limit, stack, depth + 1)
    elif depth < _MAX_NESTING and head[:3] == b"BZh":
        unpacked = _Bounded(bz2.BZ2File(stream), limit, name)
        yield from _layers(name, unpacked, None, limit, stack, depth + 1)
    elif depth < _MAX_NESTING and head[:4] == b"PK\x03\x04":
        yield from _zip_members(name, stream, path, limit, stack, depth)
    else:
        yield _sniffed(name, head, stream, path, limit, stack)


def _read_head(raw: Readable, name: str) -> bytes:
    try:
        return raw.read(_HEAD_BYTES) or b""
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read: {exc}", name) from exc


def _zip_members(
    name: str, stream: IO[bytes], path: str | None, limit: int, stack: ExitStack, depth: int
) -> Iterator[Source]:
    try:
        archive = stack.enter_context(zipfile.ZipFile(path or _spool(stream, limit, name, stack)))
    except zipfile.BadZipFile as exc:
        raise InputError(f"damaged zip archive: {exc}", name) from exc
    members = [info for info in archive.infolist() if not info.is_dir()]
    if not members:
        raise InputError("empty zip archive: no records", name)
    for info in members:
        member_name = f"{name}!{info.filename}"
        member = _Bounded(stack.enter_context(archive.open(info)), limit, member_name)
        yield from _layers(member_name, member, None, limit, stack, depth + 1)


def _sniffed(
    name: str, head: bytes, stream: IO[bytes], path: str | None, limit: int, stack: ExitStack
) -> Source:
    if head.startswith(EVTX_MAGIC):
        return Source(name, EVTX, stream, path or _spool(stream, limit, name, stack))
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = io.TextIOWrapper(stream, encoding="utf-16", errors="strict")
        utf8: IO[bytes] = io.BufferedReader(_Utf8FromText(text), _BUFFER)
        return _sniffed_text(name, _decoded_head(head), utf8)
    if head[:3] == b"\xef\xbb\xbf":
        stream.read(3)
        head = head[3:]
    return _sniffed_text(name, head, stream)


def _decoded_head(head: bytes) -> bytes:
    usable = len(head) - len(head) % 2
    return head[:usable].decode("utf-16", errors="ignore").encode("utf-8")


def _sniffed_text(name: str, head: bytes, stream: IO[bytes]) -> Source:
    start = head.lstrip()[:1]
    if not start:
        raise InputError("empty file: no records", name)
    if start == b"<":
        return Source(name, XML, stream, None)
    if start in (b"{", b"["):
        return Source(name, JSON, stream, None)
    first_line = head.split(b"\n", 1)[0]
    if any(marker in first_line for marker in _CSV_MARKERS):
        return Source(name, CSV, stream, None)
    raise UnrecognizedFormatError(
        "unrecognized format: not EVTX, event XML, JSON, or CSV with an EventID column", name
    )


def _spool(stream: IO[bytes], limit: int, name: str, stack: ExitStack) -> str:
    """Copy a stream (stdin, decompressed data) to a temporary file for a seeking parser."""
    spool = stack.enter_context(tempfile.NamedTemporaryFile(prefix="c2hunt-"))  # noqa: SIM115
    shutil.copyfileobj(_Bounded(stream, limit, name), spool, _BUFFER)
    spool.flush()
    return spool.name


class _Replay(io.RawIOBase):
    """Bytes already read for sniffing, then the rest of the underlying stream."""

    def __init__(self, head: bytes, rest: Readable) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head.nbytes:
            count = min(len(buffer), self._head.nbytes)
            buffer[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Bounded(io.RawIOBase):
    """A decompressed stream that stops with an error once it passes `limit` bytes."""

    def __init__(self, inner: Readable, limit: int, name: str) -> None:
        self._inner = inner
        self._left = limit
        self._limit = limit
        self._name = name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(min(len(buffer), self._left + 1))
        self._left -= len(data)
        if self._left < 0:
            raise InputError(
                f"decompressed data exceed the limit of {self._limit} bytes", self._name
            )
        buffer[: len(data)] = data
        return len(data)


class _Utf8FromText(io.RawIOBase):
    """A text stream (UTF-16 decoded) re-encoded as UTF-8 bytes for the byte-level readers."""

    def __init__(self, text: io.TextIOWrapper) -> None:
        self._text = text
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = self._text.read(len(buffer) // 4 or 1)
            if not chunk:
                return 0
            self._pending = chunk.encode("utf-8")
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count
