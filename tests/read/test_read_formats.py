"""Each input format and shape, with small events written inline."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import shutil
import sys
import zipfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from c2hunt.normalize.schema import EVENT_SCHEMA
from c2hunt.read import ReadStats, read_events

NS = "http://schemas.microsoft.com/win/2004/08/events/event"
SYSMON = "Microsoft-Windows-Sysmon/Operational"

XML_EVENT = (
    f'<Event xmlns="{NS}"><System>'
    '<Provider Name="Microsoft-Windows-Sysmon" Guid="{5770385f-c22a-43e0-bf4c-06f5698ffbd9}"/>'
    '<EventID>3</EventID><TimeCreated SystemTime="2024-03-01T10:00:01.1234567Z"/>'
    '<EventRecordID>42</EventRecordID><Execution ProcessID="2640" ThreadID="1"/>'
    f"<Channel>{SYSMON}</Channel><Computer>WS1</Computer></System><EventData>"
    '<Data Name="UtcTime">2024-03-01 10:00:00.500</Data>'
    '<Data Name="ProcessGuid">{aaaaaaaa-1111-2222-3333-444444444444}</Data>'
    '<Data Name="ProcessId">4242</Data>'
    '<Data Name="Image">C:\\Windows\\System32\\mshta.exe</Data>'
    '<Data Name="Initiated">true</Data>'
    '<Data Name="DestinationIp">::ffff:151.101.0.133</Data>'
    '<Data Name="DestinationHostname">-</Data><Data Name="DestinationPort">443</Data>'
    "</EventData></Event>"
)

FLAT_SYSMON3 = {
    "EventID": 3,
    "Channel": SYSMON,
    "SourceName": "Microsoft-Windows-Sysmon",
    "Hostname": "WS1",
    "@timestamp": "2024-03-01T14:00:00.000Z",
    "UtcTime": "2024-03-01 10:00:00.500",
    "ProcessGuid": "{aaaaaaaa-1111-2222-3333-444444444444}",
    "ProcessId": "4242",
    "ProcessID": "2640",
    "Image": "C:\\Windows\\System32\\mshta.exe",
    "Initiated": "true",
    "DestinationIp": "151.101.0.133",
    "DestinationHostname": "-",
    "DestinationPort": "443",
}

EXPECTED_CORE = {
    "EventID": 3,
    "Channel": SYSMON,
    "Computer": "WS1",
    "ProcessGuid": "AAAAAAAA-1111-2222-3333-444444444444",
    "ProcessId": 4242,
    "Image": "C:\\Windows\\System32\\mshta.exe",
    "Initiated": True,
    "DestinationIp": "151.101.0.133",
    "DestinationHostname": None,
    "DestinationPort": 443,
    "UtcTime": "2024-03-01 10:00:00.500",
    "_messageTime": 1709287200500,
}


def read_all(*paths: str | Path) -> tuple[list[dict[str, Any]], ReadStats]:
    stream = read_events(list(paths))
    table = pa.Table.from_batches(list(stream), schema=EVENT_SCHEMA)
    return table.to_pylist(), stream.stats


def assert_core(row: dict[str, Any]) -> None:
    assert {key: row[key] for key in EXPECTED_CORE} == EXPECTED_CORE


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


XML_LAYOUTS = {
    "events-wrapper": '<?xml version="1.0" encoding="utf-8"?>\n'
    + f"<Events>{XML_EVENT}\n{XML_EVENT}</Events>",
    "one-per-line": f"{XML_EVENT}\n{XML_EVENT}\n",
    "concatenated": XML_EVENT + XML_EVENT,
    "pretty": "<Events>\n  "
    + XML_EVENT.replace("><", ">\n    <")
    + "\n  "
    + XML_EVENT.replace("><", ">\n    <")
    + "\n</Events>\n",
}


@pytest.mark.parametrize("layout", sorted(XML_LAYOUTS))
def test_event_xml_layouts(tmp_path: Path, layout: str) -> None:
    rows, stats = read_all(write(tmp_path / "events.xml", XML_LAYOUTS[layout]))

    assert len(rows) == 2
    assert_core(rows[0])
    assert rows[0]["EventRecordID"] == 42
    assert rows[0]["_record"] == 1
    assert rows[1]["_record"] == 2
    assert stats.records_read == 2
    assert stats.records_rejected == 0


def test_event_xml_utf16_as_powershell_writes_it(tmp_path: Path) -> None:
    path = write(tmp_path / "ps.xml", XML_LAYOUTS["one-per-line"].encode("utf-16"))
    rows, _ = read_all(path)

    assert len(rows) == 2
    assert_core(rows[1])


def test_event_xml_user_data_is_flattened(tmp_path: Path) -> None:
    event = (
        f'<Event xmlns="{NS}"><System><Provider Name="Microsoft-Windows-Bits-Client"/>'
        "<EventID>3</EventID><Channel>Microsoft-Windows-Bits-Client/Operational</Channel>"
        "<Computer>WS1</Computer></System><UserData><Job><jobTitle>t</jobTitle>"
        "<jobId>{0b1d-2}</jobId><processPath>C:\\x.exe</processPath></Job></UserData></Event>"
    )
    rows, _ = read_all(write(tmp_path / "u.xml", event))

    assert (rows[0]["JobTitle"], rows[0]["JobId"], rows[0]["Image"]) == ("t", "0B1D-2", "C:\\x.exe")


def test_json_lines_flat(tmp_path: Path) -> None:
    rows, stats = read_all(write(tmp_path / "a.json", json.dumps(FLAT_SYSMON3) + "\n\n"))

    assert_core(rows[0])
    assert rows[0]["_collectorTime"] == 1709301600000
    assert rows[0]["_record"] == 1
    assert stats.records_read == 1


def test_json_array_and_pretty_objects(tmp_path: Path) -> None:
    array = json.dumps([FLAT_SYSMON3, FLAT_SYSMON3], indent=2)
    pretty = json.dumps(FLAT_SYSMON3, indent=2) + "\n" + json.dumps(FLAT_SYSMON3, indent=2)
    rows, stats = read_all(write(tmp_path / "a.json", array), write(tmp_path / "b.json", pretty))

    assert len(rows) == 4
    for row in rows:
        assert_core(row)
    assert [row["_record"] for row in rows] == [2, 18, 1, 17]
    assert stats.records_rejected == 0


def test_nested_evtx_style_json(tmp_path: Path) -> None:
    nested = {
        "Event": {
            "System": {
                "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}},
                "EventID": {"#attributes": {"Qualifiers": ""}, "#text": 3},
                "TimeCreated": {"#attributes": {"SystemTime": "2024-03-01T10:00:01Z"}},
                "EventRecordID": 42,
                "Execution": {"#attributes": {"ProcessID": 2640}},
                "Channel": SYSMON,
                "Computer": "WS1",
            },
            "EventData": {key: value for key, value in FLAT_SYSMON3.items() if key[0].isupper()},
        }
    }
    rows, _ = read_all(write(tmp_path / "n.json", json.dumps(nested)))

    assert_core(rows[0])
    assert rows[0]["EventRecordID"] == 42


def test_winlogbeat_ecs_nested_and_dotted(tmp_path: Path) -> None:
    data = {key: FLAT_SYSMON3[key] for key in EXPECTED_CORE if key in FLAT_SYSMON3}
    nested = {
        "@timestamp": "2024-03-01T10:00:01.000Z",
        "event": {"ingested": "2024-03-01T10:05:00Z"},
        "host": {"name": "ws1.corp"},
        "winlog": {
            "event_id": "3",
            "channel": SYSMON,
            "provider_name": "Microsoft-Windows-Sysmon",
            "computer_name": "WS1",
            "record_id": 42,
            "process": {"pid": 2640},
            "event_data": data,
        },
    }
    dotted = {"@timestamp": "2024-03-01T10:00:01.000Z", "winlog.event_id": 3}
    dotted |= {"winlog.channel": SYSMON, "winlog.computer_name": "WS1"}
    dotted |= {f"winlog.event_data.{key}": value for key, value in data.items()}
    text = json.dumps(nested) + "\n" + json.dumps(dotted) + "\n"
    rows, _ = read_all(write(tmp_path / "ecs.json", text))

    assert_core(rows[0])
    assert_core(rows[1])
    assert rows[0]["_collectorTime"] == 1709287500000


def test_siem_exports_with_raw(tmp_path: Path) -> None:
    splunk = {"preview": False, "result": {"_raw": XML_EVENT, "_time": "2024-03-01T10:09:00Z"}}
    sumo = {"_messagetime": 1709287260000, "_raw": json.dumps(FLAT_SYSMON3)}
    text_data = dict(FLAT_SYSMON3)
    text_data["EventData"] = json.dumps({"Image": "C:\\other.exe"})
    del text_data["Image"]
    lines = "\n".join(json.dumps(item) for item in (splunk, sumo, text_data))
    rows, stats = read_all(write(tmp_path / "siem.json", lines))

    assert_core(rows[0])
    assert rows[0]["_collectorTime"] == 1709287740000
    assert_core(rows[1])
    assert rows[1]["_collectorTime"] == 1709287260000
    assert rows[2]["Image"] == "C:\\other.exe"
    assert stats.records_used == 3


def test_csv_with_sysmon_headers(tmp_path: Path) -> None:
    header = ",".join(FLAT_SYSMON3)
    values = ",".join(f'"{value}"' for value in FLAT_SYSMON3.values())
    rows, stats = read_all(write(tmp_path / "export.csv", f"{header}\r\n{values}\r\n{values}\r\n"))

    assert len(rows) == 2
    assert_core(rows[0])
    assert [row["_record"] for row in rows] == [2, 3]
    assert stats.records_rejected == 0


@pytest.mark.parametrize("packer", ["gzip", "bz2", "zip"])
def test_compressed_inputs_by_magic_not_name(tmp_path: Path, packer: str) -> None:
    payload = (json.dumps(FLAT_SYSMON3) + "\n").encode() * 3
    path = tmp_path / "no-extension"
    if packer == "gzip":
        path.write_bytes(gzip.compress(payload))
    elif packer == "bz2":
        path.write_bytes(bz2.compress(payload))
    else:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("a.json", payload)
            archive.writestr("b.xml", XML_EVENT)
    rows, stats = read_all(path)

    assert len(rows) == (4 if packer == "zip" else 3)
    assert_core(rows[-1])
    if packer == "zip":
        assert stats.files_read == [f"{path}!a.json", f"{path}!b.xml"]


def test_directories_globs_and_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub" / "a.json", json.dumps(FLAT_SYSMON3))
    write(tmp_path / "b.xml", XML_EVENT)
    rows, stats = read_all(tmp_path)
    assert len(rows) == 2
    assert stats.files_read == [str(tmp_path / "b.xml"), str(tmp_path / "sub" / "a.json")]

    rows, _ = read_all(str(tmp_path / "**" / "*.json"))
    assert len(rows) == 1

    stdin = io.TextIOWrapper(io.BytesIO(gzip.compress(XML_EVENT.encode())))
    monkeypatch.setattr(sys, "stdin", stdin)
    rows, stats = read_all("-")
    assert_core(rows[0])
    assert rows[0]["_file"] == "<stdin>"


def test_non_telemetry_in_a_directory_is_skipped_but_a_named_one_fails(tmp_path: Path) -> None:
    write(tmp_path / "a.json", json.dumps(FLAT_SYSMON3))
    write(tmp_path / "README.md", "# notes about these logs\n")
    rows, stats = read_all(tmp_path)
    assert len(rows) == 1
    assert stats.files_failed == []
    assert [str(s) for s in stats.files_skipped] == [
        f"{tmp_path / 'README.md'}: unrecognized format: not EVTX, event XML, JSON, "
        "or CSV with an EventID column"
    ]

    _, stats = read_all(tmp_path / "README.md")
    assert [f.file for f in stats.files_failed] == [str(tmp_path / "README.md")]
    assert stats.files_skipped == []


def test_evtx_from_stdin_and_gzip(
    datasets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = datasets / "evtx" / "exec_sysmon_lobin_regsvr32_sct.evtx"
    packed = tmp_path / "log.evtx.gz"
    with source.open("rb") as raw, gzip.open(packed, "wb") as out:
        shutil.copyfileobj(raw, out)
    rows, _ = read_all(packed)
    assert [row["EventID"] for row in rows] == [1, 1, 3]

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(source.read_bytes())))
    rows, _ = read_all("-")
    assert [row["EventRecordID"] for row in rows] == [16792, 16793, 16794]


def test_batches_respect_batch_size(tmp_path: Path) -> None:
    path = write(tmp_path / "many.json", (json.dumps(FLAT_SYSMON3) + "\n") * 25)
    sizes = [batch.num_rows for batch in read_events([path], batch_size=10)]

    assert sizes == [10, 10, 5]
