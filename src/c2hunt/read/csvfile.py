"""CSV exports whose header names Sysmon fields (`EventID`, `Image`, `DestinationIp`, ...).

Columns are mapped through the same alias table as JSON. Each line is decoded strictly, so a
line with invalid UTF-8 is one counted rejection; a row whose field count differs from the
header's is another.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO, Any

from c2hunt.errors import InputError
from c2hunt.read.stats import Rejection

ReaderItem = tuple[int, Any] | Rejection
_DELIMITERS = (",", "\t", ";")


def read_csv(stream: IO[bytes], name: str, max_record: int) -> Iterator[ReaderItem]:
    """(line number, {column: value}) per row; malformed rows as rejections."""
    csv.field_size_limit(max_record)
    bad_lines: set[int] = set()
    lines = _decoded_lines(stream, bad_lines)
    header_line = next(lines, "")
    delimiter = max(_DELIMITERS, key=header_line.count)
    try:
        header = next(csv.reader([header_line.rstrip("\r\n")], delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(f"invalid CSV header: {exc}", name) from exc
    reader = csv.reader(lines, delimiter=delimiter)
    while True:
        start = reader.line_num + 2
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Rejection(name, start, "invalid-csv", str(exc))
            continue
        if row:
            yield _row(row, header, name, start, bad_lines)


def _row(
    row: list[str], header: list[str], name: str, line: int, bad_lines: set[int]
) -> ReaderItem:
    if line in bad_lines:
        return Rejection(name, line, "invalid-utf8", "line is not valid UTF-8")
    if len(row) != len(header):
        detail = f"{len(row)} fields where the header has {len(header)}"
        return Rejection(name, line, "invalid-csv", detail)
    return line, dict(zip(header, row, strict=True))


def _decoded_lines(stream: IO[bytes], bad_lines: set[int]) -> Iterator[str]:
    """Lines decoded one by one; an undecodable line is noted and replaced, not fatal."""
    for number, raw in enumerate(stream, start=1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            bad_lines.add(number)
            yield raw.decode("utf-8", errors="replace")
