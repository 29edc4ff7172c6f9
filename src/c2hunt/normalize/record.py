"""One raw event, whatever shape it arrived in, to one row of the event model.

Shapes recognized (see docs/reading.md): EVTX / evtx_dump nested JSON (`Event.System`,
`Event.EventData` or `Event.UserData`), flat exports (OTRF Security-Datasets, NXLog, CSV),
Winlogbeat / Elastic Agent ECS (`winlog.*`, nested or dotted), and SIEM wrappers: Splunk's
`result`, Elastic's `_source`, and a `_raw` field holding the event as XML or JSON (Splunk,
Sumo Logic). A field holding JSON as text (`EventData`, `Event`, `winlog`) is expanded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from c2hunt.errors import RecordError
from c2hunt.normalize.fields import (
    CHANNEL_BY_PROVIDER,
    CONVERTERS,
    INTEGRITY_BY_LABEL,
    Kind,
    aliases_for,
    clean_text,
    to_int,
)
from c2hunt.normalize.schema import SECURITY_CHANNEL, SYSMON_CHANNEL
from c2hunt.normalize.times import to_epoch_ms
from c2hunt.normalize.xmlevent import parse_event_xml

Row = dict[str, Any]

# Flat exports: header field -> the names it goes by, most specific first.
_FLAT_EVENT_ID = ("EventID", "EventId", "event_id", "Event ID", "EventCode")
_FLAT_CHANNEL = ("Channel", "channel", "LogName", "log_name")
_FLAT_PROVIDER = ("SourceName", "ProviderName", "Provider", "provider_name", "Provider_Name")
_FLAT_COMPUTER = ("Computer", "Hostname", "ComputerName", "computer_name", "host.name")
_FLAT_RECORD_ID = ("EventRecordID", "RecordNumber", "RecordId", "record_id")
_FLAT_EVENT_TIME = ("SystemTime", "TimeCreated", "EventTime", "TimeGenerated")
_COLLECTOR_TIME = ("@timestamp", "EventReceivedTime", "_messagetime", "_time", "_receipttime")
_JSON_TEXT_FIELDS = ("Event", "EventData", "UserData", "winlog")
# Wrappers nest at most this deep (Splunk result -> _raw JSON -> Event); more is not an event.
_MAX_UNWRAP = 4


def normalize(raw: Any) -> Row:
    """The event model row for one raw event; raises RecordError when it cannot be used."""
    return _normalize(raw, None, 0)


def normalize_nested(raw: Mapping[str, Any]) -> Row:
    """The row for an EVTX-shaped event (`{"Event": {"System": ..}}`), skipping shape detection."""
    return _from_nested(raw["Event"], None)


def _normalize(raw: Any, collector_ms: int | None, depth: int) -> Row:
    if not isinstance(raw, dict):
        raise RecordError("not-an-object", f"a record must be a JSON object, not {_kind_of(raw)}")
    if depth > _MAX_UNWRAP:
        raise RecordError("no-event-id", "wrappers nested too deep to hold an event")
    _expand_json_text(raw)
    collector_ms = collector_ms if collector_ms is not None else _collector_time(raw)
    inner = _unwrapped(raw)
    if inner is not None:
        return _normalize(inner, collector_ms, depth + 1)
    if isinstance(raw.get("Event"), dict):
        return _from_nested(raw["Event"], collector_ms)
    if isinstance(raw.get("System"), dict):
        return _from_nested(raw, collector_ms)
    if isinstance(raw.get("winlog"), dict):
        return _from_ecs(raw, collector_ms)
    if "winlog.event_id" in raw:
        return _from_ecs(_undot(raw), collector_ms)
    return _from_flat(raw, collector_ms)


def _kind_of(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _expand_json_text(raw: dict[str, Any]) -> None:
    """Fields holding a JSON object as text become the object."""
    for name in _JSON_TEXT_FIELDS:
        value = raw.get(name)
        if isinstance(value, str) and value.lstrip()[:1] == "{":
            try:
                raw[name] = orjson.loads(value)
            except orjson.JSONDecodeError as exc:
                raise RecordError("invalid-json", f"field {name} is not valid JSON: {exc}") from exc


def _unwrapped(raw: dict[str, Any]) -> Any:
    """The event inside a SIEM wrapper (Splunk `result`, Elastic `_source`, a `_raw` text)."""
    for name in ("result", "_source"):
        if isinstance(raw.get(name), dict):
            return raw[name]
    text = raw.get("_raw")
    if not isinstance(text, str):
        return None
    body = text.strip()
    if body.startswith("<"):
        return parse_event_xml(body)
    if body.startswith("{"):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise RecordError("invalid-json", f"_raw is not valid JSON: {exc}") from exc
    raise RecordError("invalid-raw", "_raw holds neither event XML nor JSON")


def _collector_time(raw: Mapping[str, Any]) -> int | None:
    for name in _COLLECTOR_TIME:
        if name in raw:
            return to_epoch_ms(raw[name])
    return None


def _first(raw: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        value = raw.get(name)
        if value is not None and value != "":
            return value
    return None


def _from_flat(raw: dict[str, Any], collector_ms: int | None) -> Row:
    data = raw
    event_data = raw.get("EventData")
    if isinstance(event_data, dict):
        data = {**raw, **_flatten_data(event_data)}
    row = _header(
        event_id=_first(raw, _FLAT_EVENT_ID),
        channel=_first(raw, _FLAT_CHANNEL),
        provider=_first(raw, _FLAT_PROVIDER),
        computer=_first(raw, _FLAT_COMPUTER),
        record_id=_first(raw, _FLAT_RECORD_ID),
    )
    event_ms = to_epoch_ms(_first(raw, _FLAT_EVENT_TIME))
    return _finish(row, data, event_ms, collector_ms)


def _from_nested(event: Mapping[str, Any], collector_ms: int | None) -> Row:
    system = event.get("System")
    if not isinstance(system, dict):
        raise RecordError("no-event-id", "Event has no System part")
    row = _header(
        event_id=system.get("EventID"),
        channel=system.get("Channel"),
        provider=_attribute(system.get("Provider"), "Name"),
        computer=system.get("Computer"),
        record_id=system.get("EventRecordID"),
    )
    data = _flatten_data(event.get("EventData"))
    user_data = event.get("UserData")
    if isinstance(user_data, dict):
        for inner in user_data.values():
            data.update(_flatten_data(inner))
    data.setdefault("ProcessID", _attribute(system.get("Execution"), "ProcessID"))
    event_ms = to_epoch_ms(_attribute(system.get("TimeCreated"), "SystemTime"))
    return _finish(row, data, event_ms, collector_ms)


def _from_ecs(raw: dict[str, Any], collector_ms: int | None) -> Row:
    """Winlogbeat: @timestamp is the event's own creation time there, so it is the fallback."""
    winlog: dict[str, Any] = raw["winlog"]
    host = raw.get("host")
    row = _header(
        event_id=winlog.get("event_id"),
        channel=winlog.get("channel"),
        provider=winlog.get("provider_name"),
        computer=winlog.get("computer_name")
        or (host.get("name") if isinstance(host, dict) else None),
        record_id=winlog.get("record_id"),
    )
    data = _flatten_data(winlog.get("event_data"))
    data.update(_flatten_data(winlog.get("user_data")))
    process = winlog.get("process")
    if isinstance(process, dict):
        data.setdefault("ProcessID", process.get("pid"))
    event = raw.get("event")
    if isinstance(event, dict) and (event.get("ingested") or event.get("created")):
        collector_ms = to_epoch_ms(event.get("ingested") or event.get("created"))
    return _finish(row, data, to_epoch_ms(raw.get("@timestamp")), collector_ms)


def _undot(raw: Mapping[str, Any]) -> dict[str, Any]:
    """`{"winlog.event_data.Image": x}` -> `{"winlog": {"event_data": {"Image": x}}}`."""
    nested: dict[str, Any] = {}
    for key, value in raw.items():
        parts = key.split(".")
        target = nested
        for part in parts[:-1]:
            child = target.setdefault(part, {})
            if not isinstance(child, dict):
                break
            target = child
        else:
            target[parts[-1]] = value
    return nested


def _attribute(value: Any, name: str) -> Any:
    """`{"#attributes": {name: v}}` (EVTX JSON) or a plain value."""
    if isinstance(value, dict):
        attributes = value.get("#attributes")
        return attributes.get(name) if isinstance(attributes, dict) else value.get(name)
    return value


def _flatten_data(data: Any) -> dict[str, Any]:
    """Event data as name -> value, from the shapes EVTX JSON exports use."""
    if not isinstance(data, dict):
        return {}
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name.startswith("#"):
            continue
        if name == "Data" and isinstance(value, list):
            values.update(_named_data_list(value))
        elif isinstance(value, dict):
            values[name] = value.get("#text")
        else:
            values[name] = value
    return values


def _named_data_list(items: list[Any]) -> dict[str, Any]:
    """`[{"#attributes": {"Name": n}, "#text": v}, ...]` -> {n: v}."""
    values: dict[str, Any] = {}
    for position, item in enumerate(items):
        if isinstance(item, dict):
            name = _attribute(item, "Name") or f"Data{position}"
            values[str(name)] = item.get("#text")
        else:
            values[f"Data{position}"] = item
    return values


def _header(*, event_id: Any, channel: Any, provider: Any, computer: Any, record_id: Any) -> Row:
    if isinstance(event_id, dict):
        event_id = event_id.get("#text")
    number = to_int(event_id, 32)
    if number is None:
        raise RecordError("no-event-id", f"no usable EventID (found {str(event_id)[:40]!r})")
    provider_text = clean_text(provider)
    channel_text = clean_text(channel) or CHANNEL_BY_PROVIDER.get(provider_text or "")
    return {
        "EventID": number,
        "Channel": channel_text,
        "Provider": provider_text,
        "Computer": clean_text(computer),
        "EventRecordID": to_int(record_id),
    }


def _finish(row: Row, data: Mapping[str, Any], event_ms: int | None, collector: int | None) -> Row:
    kind: Kind = (row["Channel"], row["EventID"])
    _fill_data(row, data, kind)
    if kind[0] == SECURITY_CHANNEL and kind[1] in (4688, 4698):
        _fill_security_subject(row, data)
    utc_ms = to_epoch_ms(row.get("UtcTime")) if kind[0] == SYSMON_CHANNEL else None
    row["_messageTime"] = utc_ms if utc_ms is not None else event_ms
    row["_collectorTime"] = collector
    return row


def _fill_data(row: Row, data: Mapping[str, Any], kind: Kind) -> None:
    aliases = aliases_for(kind)
    for name, value in data.items():
        column = aliases.get(name)
        if column is None or row.get(column) is not None:
            continue
        converted = CONVERTERS[column](value)
        if converted is not None:
            row[column] = converted


def _fill_security_subject(row: Row, data: Mapping[str, Any]) -> None:
    """4688/4698: the user is the target account when named, else the subject; 4688's label."""
    user = _account(data, "Target") or _account(data, "Subject")
    if user:
        row["User"] = user
    label = clean_text(data.get("MandatoryLabel"))
    if label:
        row["IntegrityLevel"] = INTEGRITY_BY_LABEL.get(label.upper(), label)


def _account(data: Mapping[str, Any], prefix: str) -> str | None:
    name = clean_text(data.get(f"{prefix}UserName"))
    if not name:
        return None
    domain = clean_text(data.get(f"{prefix}DomainName"))
    return f"{domain}\\{name}" if domain else name
