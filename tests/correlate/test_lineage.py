from __future__ import annotations

from typing import Any

import pytest

from c2hunt.detect.testing import query_rows, security, sysmon

MSHTA = r"C:\Windows\System32\mshta.exe"
ZERO = "{00000000-0000-0000-0000-000000000000}"
URL = "https://raw.githubusercontent.com/a/b.sct"


def creation(
    t: int, pid: int = 10076, image: str = MSHTA, guid: str = "{G-1}", **kw: Any
) -> dict[str, Any]:
    return sysmon(
        1,
        ProcessGuid=guid,
        ProcessId=pid,
        Image=image,
        _messageTime=t,
        CommandLine=f"{image} {URL} t={t}",
        ParentImage=r"C:\x\cmd.exe",
        **kw,
    )


def connection(
    t: int, pid: int = 10076, guid: str = ZERO, image: str = "<unknown process>"
) -> dict[str, Any]:
    return sysmon(
        3,
        ProcessGuid=guid,
        ProcessId=pid,
        Image=image,
        _messageTime=t,
        DestinationIp="151.101.248.133",
        DestinationPort=443,
    )


def lineage(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return query_rows(rows, "SELECT lineage_source, CommandLine FROM c2_lineage")


def test_same_guid_wins_whatever_the_order_of_times() -> None:
    rows = [creation(2_000, guid="{G-1}"), connection(1_000, guid="{g-1}", image=MSHTA)]
    assert lineage(rows) == [("sysmon_1", f"{MSHTA} {URL} t=2000")]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # zero GUID: the latest creation of the PID before the connection
        ([creation(1_000), creation(5_000, guid="{G-2}"), connection(9_000)], "t=5000"),
        # a creation logged up to 5 s after the connection (Sysmon's stamps) still counts
        ([creation(10_000), connection(9_500)], "t=10000"),
        # ...but not one long after it
        ([creation(20_000), connection(9_000)], None),
        # the PID was reused by another program since: no lineage, not the older creation
        (
            [
                creation(1_000),
                creation(5_000, image=r"C:\x\notepad.exe"),
                connection(9_000, image=MSHTA),
            ],
            None,
        ),
        # another host's process with that PID is not ours
        ([creation(1_000, Computer="OTHER"), connection(9_000)], None),
    ],
)
def test_pid_fallback_when_the_guid_is_zero(
    rows: list[dict[str, Any]], expected: str | None
) -> None:
    got = lineage(rows)
    if expected is None:
        assert got == []
    else:
        assert got == [("sysmon_1_by_pid", f"{MSHTA} {URL} {expected}")]


def test_no_pid_fallback_to_sysmon_1_when_the_guid_is_known() -> None:
    rows = [creation(1_000, guid="{G-OTHER}"), connection(2_000, guid="{G-1}", image=MSHTA)]
    assert lineage(rows) == []


def test_security_4688_when_no_sysmon_1_exists() -> None:
    rows = [
        security(
            4688, ProcessId=10076, Image=MSHTA, CommandLine="mshta from 4688", _messageTime=1_000
        ),
        connection(2_000, guid="{G-1}", image=MSHTA),
    ]
    assert lineage(rows) == [("security_4688", "mshta from 4688")]


def test_sysmon_1_is_preferred_to_security_4688() -> None:
    rows = [
        security(4688, ProcessId=10076, Image=MSHTA, CommandLine="from 4688", _messageTime=1_000),
        creation(1_000),
        connection(2_000),
    ]
    assert lineage(rows) == [("sysmon_1_by_pid", f"{MSHTA} {URL} t=1000")]


def test_security_4688_of_another_program_is_not_taken() -> None:
    rows = [
        security(4688, ProcessId=10076, Image=r"C:\x\calc.exe", _messageTime=1_000),
        connection(2_000, guid="{G-1}", image=MSHTA),
    ]
    assert lineage(rows) == []
