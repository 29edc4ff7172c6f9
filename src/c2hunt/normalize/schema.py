"""The one event model: Sysmon's own field names, typed, as an Arrow schema.

Every reader's output is normalized to these columns, whatever shape the input had. Fields of
events the detection does not use are not kept, but every event is still counted. Names are the
ones the specification's query uses (Sysmon's), plus c2hunt's bookkeeping columns, which start
with an underscore.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa

SYSMON_CHANNEL = "Microsoft-Windows-Sysmon/Operational"
SECURITY_CHANNEL = "Security"
POWERSHELL_CHANNEL = "Microsoft-Windows-PowerShell/Operational"
BITS_CHANNEL = "Microsoft-Windows-Bits-Client/Operational"

# (channel, event id) pairs whose event data get typed columns; any other event is counted.
TYPED_EVENTS: frozenset[tuple[str, int]] = frozenset(
    {(SYSMON_CHANNEL, eid) for eid in (1, 3, 11, 13, 22)}
    | {(SECURITY_CHANNEL, eid) for eid in (4688, 4698, 5156)}
    | {(POWERSHELL_CHANNEL, 4104), (BITS_CHANNEL, 3), (BITS_CHANNEL, 59), (BITS_CHANNEL, 60)}
)

EVENT_SCHEMA = pa.schema(
    [
        # Where the event came from, and when.
        pa.field("EventID", pa.int32()),
        pa.field("Channel", pa.string()),
        pa.field("Provider", pa.string()),
        pa.field("Computer", pa.string()),
        pa.field("EventRecordID", pa.int64()),
        pa.field("UtcTime", pa.string()),
        pa.field("_messageTime", pa.int64()),  # event time, ms since the epoch, UTC
        pa.field("_collectorTime", pa.int64()),  # a shipper's own timestamp, kept, never preferred
        pa.field("_file", pa.string()),
        pa.field("_record", pa.int64()),  # EVTX record number, or line number in a text file
        # Process (Sysmon 1, Security 4688; and the process of every other event).
        pa.field("ProcessGuid", pa.string()),
        pa.field("ProcessId", pa.int64()),
        pa.field("Image", pa.string()),
        pa.field("OriginalFileName", pa.string()),
        pa.field("CommandLine", pa.string()),
        pa.field("CurrentDirectory", pa.string()),
        pa.field("User", pa.string()),
        pa.field("IntegrityLevel", pa.string()),
        pa.field("ParentProcessGuid", pa.string()),
        pa.field("ParentProcessId", pa.int64()),
        pa.field("ParentImage", pa.string()),
        pa.field("ParentCommandLine", pa.string()),
        # Network connection (Sysmon 3, Security 5156).
        pa.field("Protocol", pa.string()),
        pa.field("Initiated", pa.bool_()),
        pa.field("SourceIp", pa.string()),
        pa.field("SourcePort", pa.int32()),
        pa.field("DestinationIp", pa.string()),
        pa.field("DestinationHostname", pa.string()),
        pa.field("DestinationPort", pa.int32()),
        pa.field("Direction", pa.string()),
        # DNS query (Sysmon 22).
        pa.field("QueryName", pa.string()),
        pa.field("QueryStatus", pa.string()),
        pa.field("QueryResults", pa.string()),
        # File creation (Sysmon 11) and registry value set (Sysmon 13).
        pa.field("TargetFilename", pa.string()),
        pa.field("TargetObject", pa.string()),
        pa.field("Details", pa.string()),
        # Scheduled task created (Security 4698).
        pa.field("TaskName", pa.string()),
        pa.field("TaskContent", pa.string()),
        # PowerShell script block (4104).
        pa.field("ScriptBlockText", pa.string()),
        pa.field("ScriptBlockId", pa.string()),
        pa.field("MessageNumber", pa.int32()),
        pa.field("MessageTotal", pa.int32()),
        pa.field("Path", pa.string()),
        # BITS client job (3 created, 59 transfer started, 60 transfer stopped).
        pa.field("JobId", pa.string()),
        pa.field("JobTitle", pa.string()),
        pa.field("JobOwner", pa.string()),
        pa.field("Url", pa.string()),
        pa.field("BytesTotal", pa.int64()),
        pa.field("ResultCode", pa.string()),
    ]
)

COLUMNS: tuple[str, ...] = tuple(EVENT_SCHEMA.names)


def batch_from_rows(rows: Iterable[Mapping[str, Any]]) -> pa.RecordBatch:
    """An Arrow batch of already-normalized rows (keys are column names; missing is null)."""
    return pa.RecordBatch.from_pylist(list(rows), schema=EVENT_SCHEMA)
