"""JSON inputs: JSON lines (one event per line), JSON arrays, and concatenated or
pretty-printed objects, read as a stream.

JSON lines are parsed line by line, so a bad line is one counted rejection and the next line is
read. Arrays and multi-line objects are decoded one value at a time from a bounded buffer; a
syntax error there stops the file (there is no line to resume at) and is counted as one
rejected record naming its line.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import IO, Any

import orjson

from c2hunt.read.stats import Rejection

ReaderItem = tuple[int, Any] | Rejection
_CHUNK = 1 << 20
_WHITESPACE_AND_COMMAS = " \t\r\n,"


def read_json(stream: IO[bytes], name: str, max_record: int) -> Iterator[ReaderItem]:
    """(line number, parsed value) per JSON value; bad lines as rejections."""
    first = stream.readline(max_record + 1)
    stripped = first.lstrip()
    if stripped.startswith(b"{") and _is_json(first):
        yield from _lines(first, stream, name, max_record)
    else:
        yield from _values(first, stream, name, max_record)


def _is_json(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


def _lines(first: bytes, stream: IO[bytes], name: str, max_record: int) -> Iterator[ReaderItem]:
    line, number = first, 1
    while line:
        if len(line) > max_record and not line.endswith(b"\n"):
            _skip_rest_of_line(stream)
            yield Rejection(
                name, number, "record-too-large", f"line longer than {max_record} bytes"
            )
        elif len(line) > 2 or line.strip():
            yield _parsed_line(line, name, number)
        line = stream.readline(max_record + 1)
        number += 1


def _parsed_line(line: bytes, name: str, number: int) -> ReaderItem:
    try:
        return number, orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        reason = "invalid-utf8" if "UTF-8" in str(exc) else "invalid-json"
        return Rejection(name, number, reason, str(exc))


def _skip_rest_of_line(stream: IO[bytes]) -> None:
    chunk = stream.readline(_CHUNK)
    while chunk and not chunk.endswith(b"\n"):
        chunk = stream.readline(_CHUNK)


def _values(first: bytes, stream: IO[bytes], name: str, max_record: int) -> Iterator[ReaderItem]:
    """Values of an array or of concatenated objects, decoded from a growing text buffer."""
    decoder = json.JSONDecoder()
    text = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        buffer = text.decode(first)
    except UnicodeDecodeError as exc:
        yield Rejection(name, 1, "invalid-utf8", str(exc))
        return
    position, line, at_eof, opened = 0, 1, False, False
    while True:
        start = _skip_separators(buffer, position)
        line += buffer.count("\n", position, start)
        position = start
        if not opened and buffer[position : position + 1] == "[":
            opened, position = True, position + 1
            continue
        if buffer[position : position + 1] == "]" and opened:
            opened, position = False, position + 1
            continue
        if position < len(buffer):
            try:
                value, end = decoder.raw_decode(buffer, position)
            except json.JSONDecodeError as exc:
                too_large = len(buffer) - position > max_record
                if at_eof or too_large:
                    yield _stream_error(name, line, exc, too_large)
                    return
            else:
                yield line, value
                line += buffer.count("\n", position, end)
                position = end
                continue
        elif at_eof:
            return
        # The value is incomplete, or the buffer is used up: read on.
        buffer, position = buffer[position:], 0
        chunk, at_eof = _more(stream, text)
        if isinstance(chunk, Rejection):
            yield Rejection(name, line, chunk.reason, chunk.detail)
            return
        buffer += chunk


def _skip_separators(buffer: str, position: int) -> int:
    end = len(buffer)
    while position < end and buffer[position] in _WHITESPACE_AND_COMMAS:
        position += 1
    return position


def _more(stream: IO[bytes], text: codecs.IncrementalDecoder) -> tuple[str | Rejection, bool]:
    """The next decoded chunk and whether the stream has ended."""
    data = stream.read(_CHUNK)
    try:
        return text.decode(data, final=not data), not data
    except UnicodeDecodeError as exc:
        return Rejection("", None, "invalid-utf8", str(exc)), True


def _stream_error(name: str, line: int, exc: json.JSONDecodeError, too_large: bool) -> Rejection:
    if too_large:
        return Rejection(name, line, "record-too-large", "JSON value larger than the record limit")
    detail = f"{exc.msg} (reading stops here: the rest of the file cannot be resynchronized)"
    return Rejection(name, line, "invalid-json", detail)
