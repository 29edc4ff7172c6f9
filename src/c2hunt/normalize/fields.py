"""Field names as the wild writes them, mapped to the event model's columns, and value cleanup.

One table per event kind maps a source field name to a column. Every event uses the base table
(Sysmon's own names, which also cover CSV headers and most JSON exports); the typed events whose
data use other names (Security 4688/5156, BITS-Client) add their own entries on top. The tables
are merged once at import, so normalizing a record is one dict lookup per field.
"""

from __future__ import annotations

import html
import ipaddress
from collections.abc import Callable, Mapping
from typing import Any

import pyarrow as pa

from c2hunt.normalize.schema import (
    BITS_CHANNEL,
    EVENT_SCHEMA,
    POWERSHELL_CHANNEL,
    SECURITY_CHANNEL,
    SYSMON_CHANNEL,
)

Converter = Callable[[Any], Any]
Kind = tuple[str | None, int]

# Columns that describe the event itself, filled from the System part, never from event data.
HEADER_COLUMNS = frozenset(
    {"EventID", "Channel", "Provider", "Computer", "EventRecordID", "_messageTime"}
    | {"_collectorTime", "_file", "_record"}
)
GUID_COLUMNS = frozenset({"ProcessGuid", "ParentProcessGuid", "JobId", "ScriptBlockId"})
IP_COLUMNS = frozenset({"SourceIp", "DestinationIp"})
EMPTY_MARKERS = frozenset({"", "-"})

# Provider name -> channel, for exports that name the provider but not the channel.
CHANNEL_BY_PROVIDER: Mapping[str, str] = {
    "Microsoft-Windows-Sysmon": SYSMON_CHANNEL,
    "Microsoft-Windows-Security-Auditing": SECURITY_CHANNEL,
    "Microsoft-Windows-PowerShell": POWERSHELL_CHANNEL,
    "Microsoft-Windows-Bits-Client": BITS_CHANNEL,
}

# Security 4688's mandatory label SID -> Sysmon's IntegrityLevel word.
INTEGRITY_BY_LABEL: Mapping[str, str] = {
    "S-1-16-0": "Untrusted",
    "S-1-16-4096": "Low",
    "S-1-16-8192": "Medium",
    "S-1-16-8448": "Medium Plus",
    "S-1-16-12288": "High",
    "S-1-16-16384": "System",
    "S-1-16-20480": "Protected",
}
# Security 5156's direction and protocol codes -> the words Sysmon 3 uses.
DIRECTION_BY_CODE: Mapping[str, str] = {"%%14592": "Inbound", "%%14593": "Outbound"}
PROTOCOL_BY_NUMBER: Mapping[str, str] = {"1": "icmp", "6": "tcp", "17": "udp", "58": "ipv6-icmp"}

_BASE_ALIASES: dict[str, str] = {
    name: name for name in EVENT_SCHEMA.names if name not in HEADER_COLUMNS
} | {"Event ID": "EventID"}

_KIND_ALIASES: dict[Kind, dict[str, str]] = {
    (SECURITY_CHANNEL, 4688): {
        "NewProcessName": "Image",
        "NewProcessId": "ProcessId",
        "ProcessId": "ParentProcessId",
        "ParentProcessName": "ParentImage",
    },
    (SECURITY_CHANNEL, 5156): {
        "ProcessID": "ProcessId",
        "Application": "Image",
        "SourceAddress": "SourceIp",
        "DestAddress": "DestinationIp",
        "DestPort": "DestinationPort",
    },
    # The process that logs a script block is the PowerShell host that ran it, so the logger's
    # PID (System/Execution; "ProcessID" or OTRF's "ExecutionProcessID" in flat exports) is the
    # subject's here.
    (POWERSHELL_CHANNEL, 4104): {"ProcessID": "ProcessId", "ExecutionProcessID": "ProcessId"},
    (BITS_CHANNEL, 3): {
        "jobTitle": "JobTitle",
        "jobId": "JobId",
        "jobOwner": "JobOwner",
        "processPath": "Image",
        "processId": "ProcessId",
    },
    (BITS_CHANNEL, 59): {
        "name": "JobTitle",
        "Id": "JobId",
        "url": "Url",
        "bytesTotal": "BytesTotal",
    },
    (BITS_CHANNEL, 60): {
        "name": "JobTitle",
        "Id": "JobId",
        "url": "Url",
        "bytesTotal": "BytesTotal",
        "hr": "ResultCode",
    },
}
# Field name -> column, per event kind; `aliases_for` falls back to the base table. Sysmon's
# logger PID ("ProcessID", capital D, in flat exports) is in no table but 5156's, where it is data.
ALIASES: dict[Kind, dict[str, str]] = {
    kind: _BASE_ALIASES | extra for kind, extra in _KIND_ALIASES.items()
}


def aliases_for(kind: Kind) -> dict[str, str]:
    """The source-field -> column table for one (channel, event id)."""
    return ALIASES.get(kind, _BASE_ALIASES)


def clean_text(value: Any) -> str | None:
    """A string value with empty markers nulled and HTML escapes undone."""
    if value is None or isinstance(value, dict | list):
        return None
    text = value if isinstance(value, str) else _scalar_text(value)
    if text in EMPTY_MARKERS:
        return None
    if "&" in text and ";" in text:
        text = html.unescape(text)
    return text


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_int(value: Any, bits: int = 64) -> int | None:
    """An integer from an int, a decimal string or a `0x` hex string; None if out of range."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        number_or_none = _parse_int_text(value.strip())
        if number_or_none is None:
            return None
        number = number_or_none
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        return None
    limit = 1 << (bits - 1)
    return number if -limit <= number < limit else None


def _parse_int_text(text: str) -> int | None:
    try:
        if text[:2] in ("0x", "0X"):
            return int(text, 16)
        return int(text)
    except ValueError:
        return None


def to_bool(value: Any) -> bool | None:
    """Sysmon's `Initiated`: true/false as text or JSON."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return {"true": True, "false": False, "1": True, "0": False}.get(value.strip().lower())
    if isinstance(value, int):
        return bool(value)
    return None


def to_guid(value: Any) -> str | None:
    """A GUID upper-cased without braces, as EVTX writes it (JSON exports add `{}`)."""
    text = clean_text(value)
    return text.strip("{}").upper() if text else None


def to_ip(value: Any) -> str | None:
    """An address in one spelling: IPv4-mapped `::ffff:a.b.c.d` as IPv4, IPv6 compressed."""
    text = clean_text(value)
    return _canonical_ip(text) if text and ":" in text else text


def _canonical_ip(text: str) -> str:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return text
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return address.compressed


def to_query_results(value: Any) -> str | None:
    """Sysmon 22's answer list, kept as text, its addresses spelled as `to_ip` spells them."""
    text = clean_text(value)
    if not text or ":" not in text:
        return text
    return ";".join(_canonical_ip(part) if ":" in part else part for part in text.split(";"))


def to_result_code(value: Any) -> str | None:
    """BITS `hr`: an HRESULT written as 0x%08X whatever spelling the source used."""
    number = to_int(value, 65)
    if number is not None:
        return f"0x{number & 0xFFFFFFFF:08X}"
    return clean_text(value)


def to_direction(value: Any) -> str | None:
    text = clean_text(value)
    return DIRECTION_BY_CODE.get(text, text) if text else None


def to_protocol(value: Any) -> str | None:
    text = clean_text(value)
    return PROTOCOL_BY_NUMBER.get(text, text) if text else None


def _converter_for(field: pa.Field) -> Converter:
    special: dict[str, Converter] = {
        "QueryResults": to_query_results,
        "ResultCode": to_result_code,
        "Direction": to_direction,
        "Protocol": to_protocol,
    }
    if field.name in special:
        return special[field.name]
    if field.name in GUID_COLUMNS:
        return to_guid
    if field.name in IP_COLUMNS:
        return to_ip
    if pa.types.is_integer(field.type):
        bits = field.type.bit_width
        return lambda value: to_int(value, bits)
    if pa.types.is_boolean(field.type):
        return to_bool
    return clean_text


CONVERTERS: dict[str, Converter] = {field.name: _converter_for(field) for field in EVENT_SCHEMA}
