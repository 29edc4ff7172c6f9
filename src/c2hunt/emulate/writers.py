"""Write emulated events the way Windows tooling exports them.

- `xml`: `wevtutil qe <channel> /f:xml`, one `<Event>` element per line, no root element;
- `jsonl`: the nested evtx JSON shape (`Event.System`, `Event.EventData`), one event a line;
- `flat`: OTRF Security-Datasets style, System and EventData fields at the top level.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import orjson

from c2hunt.emulate.model import Value, WinEvent

EVENT_NS = "http://schemas.microsoft.com/win/2004/08/events/event"
_CHANNEL_FILES = {
    "Microsoft-Windows-Sysmon/Operational": "sysmon",
    "Security": "security",
    "Microsoft-Windows-PowerShell/Operational": "powershell",
    "Microsoft-Windows-Bits-Client/Operational": "bits",
}


def system_time(at: datetime) -> str:
    """TimeCreated/@SystemTime as wevtutil prints it (seven fractional digits)."""
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond:06d}0Z"


def _text(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_text(value: Value) -> str:
    """Element text; line breaks as character references, as Windows renders them."""
    return escape(_text(value), {"\r": "&#xD;", "\n": "&#xA;"})


def _attr(value: str) -> str:
    """An attribute in single quotes, as wevtutil writes them."""
    quoted = quoteattr(value, {"'": "&apos;"})
    return "'" + quoted[1:-1] + "'" if quoted.startswith('"') else quoted


def event_xml(event: WinEvent) -> str:
    """One event as a `wevtutil qe /f:xml` element."""
    p = event.provider
    correlation = (
        f"<Correlation ActivityID={_attr('{' + event.correlation + '}')}/>"
        if event.correlation
        else "<Correlation/>"
    )
    system = (
        f"<System><Provider Name={_attr(p.name)} Guid={_attr(p.guid)}/>"
        f"<EventID>{event.event_id}</EventID><Version>{event.version}</Version>"
        f"<Level>{event.level}</Level><Task>{event.task}</Task><Opcode>{event.opcode}</Opcode>"
        f"<Keywords>{p.keywords}</Keywords>"
        f"<TimeCreated SystemTime={_attr(system_time(event.time))}/>"
        f"<EventRecordID>{event.record_id}</EventRecordID>{correlation}"
        f"<Execution ProcessID='{event.execution_pid}' ThreadID='{event.execution_pid + 4}'/>"
        f"<Channel>{escape(p.channel)}</Channel><Computer>{escape(event.computer)}</Computer>"
        f"<Security UserID={_attr(event.user_sid)}/></System>"
    )
    data = "".join(
        f"<Data Name={_attr(name)}>{_xml_text(value)}</Data>" for name, value in event.data
    )
    return f"<Event xmlns={_attr(EVENT_NS)}>{system}<EventData>{data}</EventData></Event>"


def _system(event: WinEvent) -> dict[str, Any]:
    p = event.provider
    correlation = (
        {"#attributes": {"ActivityID": "{" + event.correlation + "}"}}
        if event.correlation
        else None
    )
    return {
        "Provider": {"#attributes": {"Name": p.name, "Guid": p.guid}},
        "EventID": event.event_id,
        "Version": event.version,
        "Level": event.level,
        "Task": event.task,
        "Opcode": event.opcode,
        "Keywords": p.keywords,
        "TimeCreated": {"#attributes": {"SystemTime": system_time(event.time)}},
        "EventRecordID": event.record_id,
        "Correlation": correlation,
        "Execution": {
            "#attributes": {"ProcessID": event.execution_pid, "ThreadID": event.execution_pid + 4}
        },
        "Channel": p.channel,
        "Computer": event.computer,
        "Security": {"#attributes": {"UserID": event.user_sid}},
    }


def event_nested(event: WinEvent) -> dict[str, Any]:
    """One event in the evtx JSON shape."""
    data = dict(event.data)
    return {
        "Event": {"#attributes": {"xmlns": EVENT_NS}, "System": _system(event), "EventData": data}
    }


def event_flat(event: WinEvent) -> dict[str, Any]:
    """One event in the OTRF flat shape: EventID, Channel, Hostname, @timestamp, fields."""
    stamp = event.time.strftime("%Y-%m-%dT%H:%M:%S.") + f"{event.time.microsecond // 1000:03d}Z"
    flat: dict[str, Any] = {
        "@timestamp": stamp,
        "TimeCreated": stamp,
        "EventID": event.event_id,
        "Channel": event.channel,
        "SourceName": event.provider.name,
        "Hostname": event.computer,
        "RecordNumber": event.record_id,
        "ExecutionProcessID": event.execution_pid,
    }
    flat.update({name: _text(value) for name, value in event.data})
    return flat


def _xml_lines(events: Iterable[WinEvent]) -> Iterable[bytes]:
    for event in events:
        yield event_xml(event).encode("utf-8") + b"\r\n"


def _json_lines(
    shape: Callable[[WinEvent], dict[str, Any]],
) -> Callable[[Iterable[WinEvent]], Iterable[bytes]]:
    def lines(events: Iterable[WinEvent]) -> Iterable[bytes]:
        for event in events:
            yield orjson.dumps(shape(event)) + b"\n"

    return lines


WRITERS: dict[str, tuple[str, Callable[[Iterable[WinEvent]], Iterable[bytes]]]] = {
    "xml": (".xml", _xml_lines),
    "jsonl": (".jsonl", _json_lines(event_nested)),
    "flat": (".json", _json_lines(event_flat)),
}
FORMATS = tuple(WRITERS)


def write_events(events: list[WinEvent], out: Path, fmt: str) -> list[Path]:
    """Write one file per host and channel, as each channel would be exported; the paths."""
    suffix, lines = WRITERS[fmt]
    groups: dict[tuple[str, str], list[WinEvent]] = {}
    for event in events:
        groups.setdefault((event.computer, event.channel), []).append(event)
    paths = []
    for (computer, channel), group in sorted(groups.items()):
        path = out / f"{computer}.{_CHANNEL_FILES[channel]}{suffix}"
        with path.open("wb") as handle:
            handle.writelines(lines(sorted(group, key=lambda e: e.record_id)))
        paths.append(path)
    return paths
