"""The normalizer per event kind: field names, value cleanup, times."""

from __future__ import annotations

from typing import Any

import pytest

from c2hunt.errors import RecordError
from c2hunt.normalize import normalize
from c2hunt.normalize.times import to_epoch_ms

SECURITY = "Security"
BITS = "Microsoft-Windows-Bits-Client/Operational"


def pick(row: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: row.get(name) for name in names}


def test_security_4688() -> None:
    row = normalize(
        {
            "EventID": 4688,
            "Channel": SECURITY,
            "Hostname": "WORKSTATION5",
            "TimeCreated": "2020-10-22T02:21:37.850Z",
            "NewProcessName": "C:\\Windows\\System32\\mshta.exe",
            "NewProcessId": "0x275c",
            "ProcessId": "0x27d4",
            "ParentProcessName": "C:\\Windows\\System32\\cmd.exe",
            "CommandLine": "mshta.exe  javascript:a=1",
            "TargetUserName": "-",
            "SubjectUserName": "wardog",
            "SubjectDomainName": "WORKSTATION5",
            "MandatoryLabel": "S-1-16-12288",
        }
    )
    assert pick(row, "Image", "ProcessId", "ParentProcessId", "ParentImage", "User") == {
        "Image": "C:\\Windows\\System32\\mshta.exe",
        "ProcessId": 10076,
        "ParentProcessId": 10196,
        "ParentImage": "C:\\Windows\\System32\\cmd.exe",
        "User": "WORKSTATION5\\wardog",
    }
    assert row["IntegrityLevel"] == "High"
    assert row["_messageTime"] == 1603333297850


def test_security_5156_uses_event_data_pid() -> None:
    row = normalize(
        {
            "EventID": 5156,
            "Channel": SECURITY,
            "ProcessID": "10076",
            "Application": "\\device\\harddiskvolume2\\windows\\system32\\mshta.exe",
            "DestAddress": "151.101.248.133",
            "DestPort": "443",
            "SourceAddress": "192.168.2.5",
            "SourcePort": "52271",
            "Direction": "%%14593",
            "Protocol": "6",
        }
    )
    assert pick(row, "ProcessId", "DestinationIp", "DestinationPort", "SourceIp") == {
        "ProcessId": 10076,
        "DestinationIp": "151.101.248.133",
        "DestinationPort": 443,
        "SourceIp": "192.168.2.5",
    }
    assert pick(row, "Image", "Direction", "Protocol", "SourcePort") == {
        "Image": "\\device\\harddiskvolume2\\windows\\system32\\mshta.exe",
        "Direction": "Outbound",
        "Protocol": "tcp",
        "SourcePort": 52271,
    }


def test_security_4698_task() -> None:
    content = '<?xml version="1.0" encoding="UTF-16"?><Task><Actions/></Task>'
    row = normalize(
        {
            "EventID": 4698,
            "Channel": SECURITY,
            "TaskName": "\\Updater",
            "TaskContent": content.replace("<", "&lt;").replace(">", "&gt;"),
            "SubjectUserName": "bob",
            "SubjectDomainName": "CORP",
        }
    )
    assert pick(row, "TaskName", "TaskContent", "User") == {
        "TaskName": "\\Updater",
        "TaskContent": content,
        "User": "CORP\\bob",
    }


def test_powershell_4104() -> None:
    row = normalize(
        {
            "EventID": 4104,
            "SourceName": "Microsoft-Windows-PowerShell",
            "ScriptBlockText": "iwr https://raw.githubusercontent.com/x &amp; y",
            "ScriptBlockId": "285fc71a-1d15-482e-8122-177248f5d0ab",
            "MessageNumber": "1",
            "MessageTotal": "4",
            "Path": "",
        }
    )
    assert row["Channel"] == "Microsoft-Windows-PowerShell/Operational"
    assert pick(row, "ScriptBlockText", "ScriptBlockId", "MessageNumber", "MessageTotal") == {
        "ScriptBlockText": "iwr https://raw.githubusercontent.com/x & y",
        "ScriptBlockId": "285FC71A-1D15-482E-8122-177248F5D0AB",
        "MessageNumber": 1,
        "MessageTotal": 4,
    }
    assert row.get("Path") is None


@pytest.mark.parametrize(
    ("event_id", "data", "expected"),
    [
        (
            3,
            {"jobTitle": "t", "jobId": "{8f97-aa}", "jobOwner": "NT AUTHORITY\\SYSTEM"}
            | {"processPath": "C:\\bitsadmin.exe", "processId": 3616},
            {"JobTitle": "t", "JobId": "8F97-AA", "JobOwner": "NT AUTHORITY\\SYSTEM"}
            | {"Image": "C:\\bitsadmin.exe", "ProcessId": 3616},
        ),
        (
            59,
            {"transferId": "x", "name": "Font", "Id": "316d", "url": "https://a/b"}
            | {"bytesTotal": 55},
            {"JobTitle": "Font", "JobId": "316D", "Url": "https://a/b", "BytesTotal": 55},
        ),
        (
            60,
            {"name": "Font", "Id": "316d", "url": "https://a/b", "hr": 2147954407}
            | {"bytesTotal": 18446744073709551615},
            {"JobTitle": "Font", "JobId": "316D", "Url": "https://a/b", "ResultCode": "0x80072EE7"}
            | {"BytesTotal": None},
        ),
    ],
)
def test_bits_client(event_id: int, data: dict[str, Any], expected: dict[str, Any]) -> None:
    event = {"Event": {"System": {"EventID": event_id, "Channel": BITS}, "EventData": data}}
    row = normalize(event)

    assert pick(row, *expected) == expected


PS = "Microsoft-Windows-PowerShell/Operational"


@pytest.mark.parametrize(
    "event",
    [
        {
            "Event": {
                "System": {
                    "EventID": 4104,
                    "Channel": PS,
                    "Execution": {"#attributes": {"ProcessID": 6120}},
                },
                "EventData": {"ScriptBlockText": "iex"},
            }
        },
        {"EventID": 4104, "Channel": PS, "ProcessID": "6120", "ScriptBlockText": "iex"},
        {"EventID": 4104, "Channel": PS, "ExecutionProcessID": 6120, "ScriptBlockText": "iex"},
        {
            "winlog": {
                "event_id": 4104,
                "channel": PS,
                "process": {"pid": 6120},
                "event_data": {"ScriptBlockText": "iex"},
            }
        },
    ],
    ids=["nested", "flat", "otrf", "ecs"],
)
def test_script_block_pid_is_the_powershell_host_that_logged_it(event: dict[str, Any]) -> None:
    assert normalize(event)["ProcessId"] == 6120


def test_bits_logger_pid_is_not_the_job_creator() -> None:
    event = {"Event": {"System": {"EventID": 59, "Channel": BITS,
                                  "Execution": {"#attributes": {"ProcessID": 1072}}},
                       "EventData": {"url": "https://a/b"}}}  # fmt: skip
    assert normalize(event).get("ProcessId") is None


def test_sysmon_logger_pid_never_fills_processid() -> None:
    row = normalize({"EventID": 22, "Channel": "Microsoft-Windows-Sysmon/Operational"} | {
        "ProcessID": 2740, "QueryName": "github.com",
        "QueryResults": "type:  5 github.map.fastly.net;::ffff:151.101.208.133;",
    })  # fmt: skip
    assert row.get("ProcessId") is None
    assert row["QueryResults"] == "type:  5 github.map.fastly.net;151.101.208.133;"


def test_html_escapes_and_empty_markers() -> None:
    row = normalize({"EventID": 3, "Image": "&lt;unknown process&gt;", "User": "-", "SourceIp": ""})
    assert pick(row, "Image", "User", "SourceIp") == {
        "Image": "<unknown process>",
        "User": None,
        "SourceIp": None,
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-10-18 02:17:12.527", 1602987432527),
        ("2020-10-18T02:17:12.527Z", 1602987432527),
        ("2020-10-18T02:17:12.5270000Z", 1602987432527),
        ("2020-10-18T02:17:12.5279999Z", 1602987432527),
        ("2020-10-18T04:17:12.527+02:00", 1602987432527),
        ("2020-10-18 02:17:12", 1602987432000),
        ("2020-10-18T02:17:12.527 UTC", 1602987432527),
        (1602987432527, 1602987432527),
        ("1602987432", 1602987432000),
        ("yesterday", None),
        ("", None),
    ],
)
def test_times(text: str | int, expected: int | None) -> None:
    assert to_epoch_ms(text) == expected


def test_unusable_record_raises_record_error() -> None:
    with pytest.raises(RecordError, match="no usable EventID") as caught:
        normalize({"Image": "x"})
    assert caught.value.reason == "no-event-id"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("::ffff:151.101.208.133", "151.101.208.133"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("2A0A:A440:0000:0000:0000:0000:0000:0001", "2a0a:a440::1"),
        ("140.82.121.4", "140.82.121.4"),
        ("not-an-ip:x", "not-an-ip:x"),
    ],
)
def test_addresses_have_one_spelling(given: str, expected: str) -> None:
    event = {"EventID": 3, "Channel": "Microsoft-Windows-Sysmon/Operational"}
    assert normalize(event | {"DestinationIp": given})["DestinationIp"] == expected


def test_dns_answers_are_spelled_like_connection_addresses() -> None:
    row = normalize({"EventID": 22, "Channel": "Microsoft-Windows-Sysmon/Operational"} | {
        "QueryResults": "type:  5 a.b.net;::ffff:1.2.3.4;2606:50C0:8000:0:0:0:0:154;",
    })  # fmt: skip
    assert row["QueryResults"] == "type:  5 a.b.net;1.2.3.4;2606:50c0:8000::154;"
