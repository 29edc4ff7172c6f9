"""Windows event XML (`<Event xmlns=...>`) to the nested shape the EVTX parser writes as JSON.

`wevtutil qe /f:xml`, `Get-WinEvent | ForEach-Object ToXml` and SIEM `_raw` fields hold this
XML. Converting it to the EVTX JSON shape (`{"Event": {"System": ..., "EventData": ...}}`) lets
one normalizer serve EVTX, evtx_dump JSON and XML alike. Parsing forbids DTDs and entities, so
an entity bomb or an external entity is refused, never expanded.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from c2hunt.errors import RecordError

# A Windows event's fields are at most 64 KiB; anything far larger is not a real event.
MAX_FIELD_CHARS = 1 << 20


def local_name(tag: str) -> str:
    """`{namespace}Name` -> `Name`."""
    return tag.rpartition("}")[2]


def event_from_element(event: Element) -> dict[str, Any]:
    """The EVTX-JSON shape of one `<Event>` element: System values and flat event data."""
    body: dict[str, Any] = {}
    for part in event:
        name = local_name(part.tag)
        if name == "System":
            body["System"] = _system(part)
        elif name == "EventData":
            body["EventData"] = _event_data(part)
        elif name == "UserData":
            body["UserData"] = _user_data(part)
    return {"Event": body}


def parse_event_xml(text: str) -> dict[str, Any]:
    """One event written as XML text (a SIEM's `_raw`), with DTDs and entities forbidden."""
    try:
        root = SafeET.fromstring(text, forbid_dtd=True)
    except (ParseError, defusedxml.DefusedXmlException) as exc:
        raise RecordError("invalid-xml", f"event XML cannot be parsed: {exc}") from exc
    if local_name(root.tag) != "Event":
        raise RecordError("invalid-xml", f"XML root is <{local_name(root.tag)}>, not <Event>")
    return event_from_element(root)


def _text(element: Element) -> str:
    text = element.text or ""
    if len(text) > MAX_FIELD_CHARS:
        raise RecordError(
            "record-too-large", f"field {local_name(element.tag)} holds {len(text)} characters"
        )
    return text


def _system(system: Element) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for child in system:
        if child.attrib:
            entry: dict[str, Any] = {"#attributes": dict(child.attrib)}
            if child.text and child.text.strip():
                entry["#text"] = _text(child)
            values[local_name(child.tag)] = entry
        else:
            values[local_name(child.tag)] = _text(child)
    return values


def _event_data(event_data: Element) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for position, child in enumerate(event_data):
        name = child.attrib.get("Name") or f"{local_name(child.tag)}{position}"
        values[name] = _text(child)
    return values


def _user_data(user_data: Element) -> dict[str, Any]:
    """UserData wraps its fields in a provider-specific element, kept as one level of nesting."""
    return {
        local_name(wrapper.tag): {local_name(child.tag): _text(child) for child in wrapper}
        for wrapper in user_data
    }
