"""Windows event XML files: `<Event>` elements as `wevtutil qe /f:xml` and
`Get-WinEvent | ForEach-Object ToXml` write them.

Accepted with or without an `<Events>` wrapper, one per line, pretty-printed, or concatenated
with no wrapper at all (the stream is wrapped in a synthetic root so several top-level events
parse). Parsing is incremental and each event is dropped once converted, so memory stays
bounded. DTDs and entities are refused: an entity bomb is one counted rejection, never expanded.
A syntax error stops the file; it is counted as one rejected record naming line and column.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from c2hunt.errors import RecordError
from c2hunt.normalize.xmlevent import event_from_element, local_name
from c2hunt.read.stats import Rejection

ReaderItem = tuple[int, Any] | Rejection
_WRAPPER = b"c2hunt-events"
_CONTAINERS = frozenset({_WRAPPER.decode(), "Events"})
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")
_FORBIDDEN = "a DTD or entity declaration: refused, nothing was expanded"


def read_xml(stream: IO[bytes], name: str) -> Iterator[ReaderItem]:
    """(event number in file, EVTX-shaped event) per `<Event>`; problems as rejections."""
    source = _Wrapped(stream)
    if source.has_doctype:
        yield Rejection(name, 1, "xml-forbidden", _FORBIDDEN)
        return
    wrapped = io.BufferedReader(source, 1 << 20)
    parents: list[Element] = []
    count = 0
    try:
        for event, element in SafeET.iterparse(wrapped, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                parents.append(element)
                continue
            parents.pop()
            if local_name(element.tag) != "Event" or not _at_top(parents):
                continue
            count += 1
            yield _converted(element, name, count)
            parents[-1].remove(element)
    except defusedxml.DefusedXmlException:
        yield Rejection(name, count + 1, "xml-forbidden", _FORBIDDEN)
    except ParseError as exc:
        yield Rejection(name, count + 1, "invalid-xml", _syntax_detail(exc))


def _at_top(parents: list[Element]) -> bool:
    return bool(parents) and local_name(parents[-1].tag) in _CONTAINERS


def _converted(element: Element, name: str, count: int) -> ReaderItem:
    try:
        return count, event_from_element(element)
    except RecordError as exc:
        return Rejection(name, count, exc.reason, exc.message)


def _syntax_detail(exc: ParseError) -> str:
    line, column = getattr(exc, "position", (0, 0))
    message = str(exc).split(":")[0]
    return f"{message} at line {line}, column {column} (reading stops here)"


class _Wrapped(io.RawIOBase):
    """`<c2hunt-events>` + the file (its XML declaration blanked, lines kept) + the closing tag."""

    def __init__(self, inner: IO[bytes]) -> None:
        head = inner.read(4096)
        head = _DECLARATION.sub(lambda match: b" " * len(match.group(0)), head, count=1)
        self.has_doctype = head.lstrip().startswith(b"<!DOCTYPE")
        self._parts: list[bytes] = [b"<" + _WRAPPER + b">", head]
        self._inner: IO[bytes] | None = inner
        self._tail = b"</" + _WRAPPER + b">"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._next_piece(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def _next_piece(self, size: int) -> bytes:
        while self._parts:
            piece = self._parts.pop(0)
            if piece:
                if len(piece) > size:
                    self._parts.insert(0, piece[size:])
                return piece[:size]
        if self._inner is not None:
            data = self._inner.read(size)
            if data:
                return data
            self._inner = None
            self._parts.append(self._tail)
            return self._next_piece(size)
        return b""
