"""Every shared dataset read with exact counts per (Channel, EventID), verified independently."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from read_dataset_counts import EXPECTED

from c2hunt.normalize.schema import EVENT_SCHEMA
from c2hunt.read import read_events


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_dataset_counts_are_exact(datasets: Path, relative: str) -> None:
    records, damaged, kinds = EXPECTED[relative]
    stream = read_events([datasets / relative])
    table = pa.Table.from_batches(list(stream), schema=EVENT_SCHEMA)

    assert table.num_rows == records
    assert stream.stats.records_read == records
    assert stream.stats.records_used == records
    assert stream.stats.records_rejected == 0
    assert len(stream.stats.damaged_chunks) == damaged
    assert dict(stream.stats.events_by_kind) == kinds
    assert stream.stats.files_failed == []


def test_corrupt_chunks_are_named(datasets: Path) -> None:
    stream = read_events([datasets / "evtx" / "sysmon_corrupt_chunk.evtx"])
    list(stream)

    assert [chunk.chunk for chunk in stream.stats.damaged_chunks] == list(range(9, 17))
    assert stream.stats.damaged_chunks[0].detail.startswith("Failed to parse chunk number 9")


def test_whole_folder_in_one_stream(datasets: Path) -> None:
    stream = read_events([datasets], batch_size=10_000)
    rows = sum(batch.num_rows for batch in stream)

    assert rows == sum(records for records, _, _ in EXPECTED.values())
    assert stream.stats.records_read == rows
    assert len(stream.stats.files_read) == len(EXPECTED)


def test_sysmon_time_is_utctime_not_the_collector(datasets: Path) -> None:
    """mshta's Sysmon 3: UtcTime 06:21:37.325, @timestamp 02:21:39.553 (hours off)."""
    path = datasets / "jsonl" / "cmd_mshta_javascript_getobject_sct_2020-10-2202214475.json"
    table = pa.Table.from_batches(list(read_events([path])), schema=EVENT_SCHEMA)
    row = table.filter(pc.equal(table["EventID"], 3)).to_pylist()[0]

    assert row["UtcTime"] == "2020-10-22 06:21:37.325"
    assert row["_messageTime"] == 1603347697325
    assert row["_collectorTime"] == 1603333299553
    assert row["ProcessId"] == 10076
    assert row["Image"] == "<unknown process>"
    assert row["ProcessGuid"] == "00000000-0000-0000-0000-000000000000"
    assert row["DestinationHostname"] is None
    assert row["Initiated"] is True


def test_nxlog_sysmon_ignores_the_logger_pid(datasets: Path) -> None:
    """splunk_attack_range: Sysmon 3 carries only ProcessID (nxlog's PID 2740)."""
    path = datasets / "jsonl" / "splunk_attack_range_T1027.json.gz"
    table = pa.Table.from_batches(list(read_events([path])), schema=EVENT_SCHEMA)
    sysmon3 = table.filter(pc.equal(table["EventID"], 3))

    assert sysmon3.num_rows == 21
    assert sysmon3["ProcessId"].null_count == 21
    assert sysmon3["ProcessGuid"].null_count == 0
    assert sysmon3["_messageTime"].null_count == 0
