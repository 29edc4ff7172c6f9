"""The hunt on the shared recordings matches the datasets README's "expected" column.

`connection_findings` are the findings made from Sysmon 3 connections (this module's subject);
findings from other sources (BITS jobs, ...) are tested with their own signals, but no finding
of any source may name svchost.exe.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from c2hunt import knowledge
from c2hunt.detect import Engine
from c2hunt.read import read_events
from c2hunt.score import Finding

RAW = "raw.githubusercontent.com"
Row = tuple[str, str, int, str, str, str]


@cache
def _hunt(path: Path, profile: str) -> tuple[list[Finding], frozenset[str]]:
    with Engine(knowledge.load()) as engine:
        engine.load(read_events([path]))
        findings = engine.detect(profile)
        ids = engine.con.execute(
            "SELECT finding_id FROM c2_connections" if profile == "precise" else "SELECT ''"
        ).fetchall()
    return findings, frozenset(i for (i,) in ids)


def connection_findings(datasets: Path, name: str) -> list[Row]:
    findings, connections = _hunt(datasets / name, "precise")
    assert not [f for f in findings if (f["Image"] or "").lower().endswith("\\svchost.exe")]
    return [
        (
            f["Image"].rsplit("\\", 1)[-1].lower(),
            f["DestinationIp"],
            f["DestinationPort"],
            f["dest_name"],
            f["dest_source"],
            f["lineage_source"],
        )
        for f in findings
        if f.finding_id in connections
    ]


PANACHE = [
    ("certutil.exe", "151.101.0.133", 443, RAW, "command_line_url", "sysmon_1"),
    ("certutil.exe", "151.101.0.133", 443, RAW, "command_line_url", "sysmon_1"),
    ("rundll32.exe", "151.101.0.133", 443, RAW, "command_line_url", "sysmon_1"),
    ("wmic.exe", "151.101.0.133", 443, RAW, "command_line_url", "sysmon_1"),
    ("regsvr32.exe", "151.101.0.133", 443, RAW, "command_line_url", "sysmon_1"),
    ("powershell.exe", "151.101.0.133", 443, RAW, "command_line_url", "sysmon_1"),
    ("mshta.exe", "151.101.0.133", 443, RAW, "command_line_url", "sysmon_1"),
]
T1027 = [
    ("powershell.exe", "199.232.64.133", 443, RAW, "dns_process", "sysmon_1"),
    ("powershell.exe", "140.82.113.4", 443, "github.com", "dns_process", "sysmon_1"),
    ("powershell.exe", "140.82.112.10", 443, "codeload.github.com", "dns_process", "sysmon_1"),
    ("powershell.exe", "140.82.113.4", 443, "github.com", "dns_process", "sysmon_1"),
    ("powershell.exe", "199.232.64.133", 443, RAW, "dns_process", "sysmon_1"),
]

EXPECTED: dict[str, list[Row]] = {
    "evtx/panache_sysmon_vs_EDRTestingScript.evtx": PANACHE,
    "evtx/exec_sysmon_lobin_regsvr32_sct.evtx": [
        ("regsvr32.exe", "104.20.208.21", 80, "pastebin.com", "command_line_url", "sysmon_1"),
    ],
    "evtx/bits_openvpn.evtx": [],
    # 358 readable records; its only two connections are an Opera installer's, to no service
    "evtx/sysmon_corrupt_chunk.evtx": [],
    "jsonl/wmic_remote_xsl_jscript_2020-10-1802171958.json": [
        ("wmic.exe", "151.101.248.133", 443, RAW, "dns_process", "sysmon_1"),
    ],
    # powershell was started before the recording: no creation event, lineage "none"
    "jsonl/psh_mavinject_dll_notepad_2020-10-2121410529.json": [
        ("powershell.exe", "151.101.208.133", 443, RAW, "dns_process", "none"),
        ("powershell.exe", "140.82.121.4", 443, "github.com", "dns_process", "none"),
    ],
    "jsonl/cmd_mshta_javascript_getobject_sct_2020-10-2202214475.json": [
        ("mshta.exe", "151.101.248.133", 443, RAW, "dns_process", "sysmon_1_by_pid"),
    ],
    # the transfer is made by svchost.exe (BITS); no connection of a listed binary
    "jsonl/cmd_bitsadmin_download_psh_script_2020-10-2302365189.json": [],
    "jsonl/empire_launcher_sct_regsvr32_2020-07-21232741.json": [],
    "jsonl/metasploit_outflank-dumpert_lsass_memory_dump.json.gz": [],
    "jsonl/splunk_attack_range_T1027.json.gz": T1027,
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_precise_hunt_reports_the_expected_connections(datasets: Path, name: str) -> None:
    assert connection_findings(datasets, name) == EXPECTED[name]


def test_the_mshta_certificate_check_is_not_named_github(datasets: Path) -> None:
    findings, _ = _hunt(datasets / "evtx/panache_sysmon_vs_EDRTestingScript.evtx", "precise")
    assert "93.184.220.29" not in {f["DestinationIp"] for f in findings}


def test_every_finding_explains_itself(datasets: Path) -> None:
    findings, _ = _hunt(datasets / "jsonl/splunk_attack_range_T1027.json.gz", "precise")
    newest = findings[0]
    assert [e.kind for e in newest.evidence][:3] == ["connection", "destination", "lineage"]
    assert newest.evidence[1].text == (
        "Sysmon 22 by the same process resolved raw.githubusercontent.com to "
        "type:  5 github.map.fastly.net;199.232.64.133; (-12 ms from the connection)"
    )
    encoded = [f for f in findings if f["is_encoded"]]
    assert {f["dest_name"] for f in encoded} == {RAW, "github.com", "codeload.github.com"}


# What the specification's own query returns on the same recordings: only the three connections
# whose reverse lookup happens to be a github.com load balancer, with suspicion_score 0.
SPEC = {name: [] for name in EXPECTED} | {
    "jsonl/splunk_attack_range_T1027.json.gz": [
        (1596261158331, "lb-140-82-113-4-iad.github.com", "140.82.113.4", 0),
        (1596261140482, "lb-140-82-112-10-iad.github.com", "140.82.112.10", 0),
        (1596261140318, "lb-140-82-113-4-iad.github.com", "140.82.113.4", 0),
    ]
}


@pytest.mark.parametrize("name", list(SPEC))
def test_spec_profile_on_the_shared_datasets(datasets: Path, name: str) -> None:
    findings, _ = _hunt(datasets / name, "spec")
    got = [
        (f["_messageTime"], f["DestinationHostname"], f["DestinationIp"], f["suspicion_score"])
        for f in findings
    ]
    assert got == SPEC[name]


def test_the_whole_folder_at_once_reports_the_same(datasets: Path) -> None:
    """Files of the same host (WORKSTATION5 recorded several) do not borrow each other's events."""
    everything = connection_findings(datasets, ".")
    assert sorted(everything) == sorted(row for rows in EXPECTED.values() for row in rows)
