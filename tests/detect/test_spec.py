"""The spec profile returns exactly what the specification's Sumo Logic query returns.

The reference below is the query written again with plain string operations, clause by clause,
independently of `c2hunt.detect.sumo`.
"""

from __future__ import annotations

from typing import Any

import pytest

from c2hunt import knowledge
from c2hunt.detect.testing import hunt_rows, security, sysmon

HOSTS = [
    "twitter.com",
    "x.com",
    "github.com",
    "githubusercontent.com",
    "gitlab.com",
    "telegram.org",
    "t.me",
    "pastebin.com",
    "paste.ee",
    "hastebin.com",
    "discord.com",
    "discordapp.com",
    "googleapis.com",
    "sharepoint.com",
    "reddit.com",
    "notion.so",
    "trello.com",
]
IMAGES = [
    "powershell.exe",
    "pwsh.exe",
    "cmd.exe",
    "wscript.exe",
    "cscript.exe",
    "mshta.exe",
    "rundll32.exe",
    "regsvr32.exe",
    "certutil.exe",
    "curl.exe",
    "wget.exe",
    "bitsadmin.exe",
    "python.exe",
    "python3.exe",
    "node.exe",
    "wmic.exe",
    "msbuild.exe",
]


def reference(event: dict[str, Any]) -> bool:
    """The query's where clauses: EventID "3", a host substring and an image suffix."""
    host = (
        (event.get("DestinationHostname") or "").lower()
        if event.get("DestinationHostname") is not None
        else None
    )
    image = event["Image"].lower() if event.get("Image") is not None else None
    return (
        event["EventID"] == 3
        and host is not None
        and any(h in host for h in HOSTS)
        and image is not None
        and any(image.endswith(i) for i in IMAGES)
    )


def test_knowledge_holds_the_queries_clauses() -> None:
    kn = knowledge.packaged()
    assert [s.spec_pattern for s in kn.spec_services] == [f"*{h}*" for h in HOSTS]
    assert [b.spec_pattern for b in kn.spec_binaries] == [f"*{i}" for i in IMAGES]


def _conn(host: str | None, image: str | None, t: int = 1_000_000, **kw: Any) -> dict[str, Any]:
    return sysmon(
        3,
        DestinationHostname=host,
        Image=image,
        DestinationIp="1.2.3.4",
        DestinationPort=443,
        _messageTime=t,
        **kw,
    )


CRAFTED = [
    # every host clause, with a listed image
    *[_conn(f"api.{h}", r"C:\Windows\System32\curl.exe") for h in HOSTS],
    # every image clause, with a listed host
    *[_conn("pastebin.com", rf"C:\Tools\{i}") for i in IMAGES],
    # the quirks of quoted wildcard patterns
    _conn("www.dropbox.com", r"C:\x\powershell.exe"),  # *x.com*
    _conn("chat.meetup.com", r"C:\x\powershell.exe"),  # *t.me*
    _conn("github.com.evil.net", r"C:\x\powershell.exe"),  # *github.com*
    _conn("pastebin.com", r"C:\x\notpowershell.exe"),  # *powershell.exe
    _conn("PASTEBIN.COM", r"C:\X\POWERSHELL.EXE"),  # lower-cased first
    _conn("pastebin.com", r"C:\x\powershell.exe.bak"),  # not a suffix
    _conn("pastebin.com", r"C:\x\explorer.exe"),  # image not listed
    _conn("example.org", r"C:\x\powershell.exe"),  # host not listed
    _conn(None, r"C:\x\powershell.exe"),  # no host
    _conn("", r"C:\x\powershell.exe"),
    _conn("pastebin.com", None),  # no image
    # not EventID 3
    sysmon(
        22,
        QueryName="pastebin.com",
        DestinationHostname="pastebin.com",
        Image=r"C:\x\powershell.exe",
    ),
    security(5156, DestinationHostname="pastebin.com", Image=r"C:\x\powershell.exe"),
]


def test_spec_profile_equals_the_reference_on_every_clause() -> None:
    findings = hunt_rows(CRAFTED, profile="spec")
    expected = [e for e in CRAFTED if reference(e)]
    assert sorted(f["finding_id"] for f in findings) == sorted(
        f["finding_id"] for f in hunt_rows(expected, profile="spec")
    )
    assert len(findings) == len(HOSTS) + len(IMAGES) + 5
    got = {(f["DestinationHostname"], f["Image"]) for f in findings}
    assert got == {(e["DestinationHostname"], e["Image"]) for e in expected}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("CommandLine", "powershell -encodedcommand SQBFAFgA frombase64string"),
        ("ParentImage", r"C:\Program Files\Microsoft Office\WINWORD.EXE"),
        ("ParentImage", r"C:\Windows\System32\svchost.exe"),
    ],
)
def test_spec_flags_never_fire_on_real_text(field: str, value: str) -> None:
    (finding,) = hunt_rows([_conn("pastebin.com", r"C:\x\curl.exe", **{field: value})], "spec")
    assert (finding["is_encoded"], finding["is_office_parent"], finding["is_service_spawn"]) == (
        0,
        0,
        0,
    )
    assert finding["suspicion_score"] == 0


def test_spec_flags_fire_on_the_literal_pattern_text() -> None:
    row = _conn(
        "pastebin.com",
        r"C:\x\curl.exe",
        CommandLine=r"(?i).x(-encodedcommand|-enc \S|frombase64string|base64).",
        ParentImage=r"(?i).(svchost|taskeng|taskhostw|services|wmiprvse)\.exe.",
    )
    (finding,) = hunt_rows([row], "spec")
    assert [finding[c] for c in knowledge.packaged().spec_fields[10:]] == [1, 0, 1, 2]


def test_spec_output_is_the_14_fields_newest_first_without_correlation() -> None:
    rows = [
        sysmon(
            1,
            ProcessGuid="{A}",
            Image=r"C:\x\curl.exe",
            CommandLine="curl https://pastebin.com/raw/x",
        ),
        _conn("pastebin.com", r"C:\x\curl.exe", t=2_000_000, ProcessGuid="{A}", User="U"),
        _conn("api.telegram.org", r"C:\x\curl.exe", t=3_000_000, ProcessGuid="{A}"),
    ]
    findings = hunt_rows(rows, "spec")
    assert [f["_messageTime"] for f in findings] == [3_000_000, 2_000_000]
    assert [findings[1][c] for c in knowledge.packaged().spec_fields] == [
        2_000_000,
        "HOST",
        "U",
        r"C:\x\curl.exe",
        None,
        None,
        None,
        "pastebin.com",
        "1.2.3.4",
        443,
        0,
        0,
        0,
        0,
    ]
    assert findings[1].severity is None
    assert findings[1].evidence[0].text == (
        'dest_host matches "*pastebin.com*" and proc_image matches "*curl.exe"'
    )
