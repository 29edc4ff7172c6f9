from __future__ import annotations

from pathlib import Path

import pytest

from c2hunt.correlate.behaviour import beacon_table
from c2hunt.detect import Engine
from c2hunt.emulate import simulate, write
from c2hunt.knowledge import packaged
from c2hunt.read import read_events

SEED = 7


@pytest.fixture(scope="module")
def hunted(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("sim")
    sim = simulate(SEED)
    write(sim, out, "jsonl")
    engine = Engine(packaged())
    engine.load(read_events([p for p in out.iterdir() if p.suffix == ".jsonl"]))
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
def test_each_test_is_caught_by_its_own_evidence(hunted, scenario: str, expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    sim, engine = hunted
    guids = next(s for s in sim.scenarios if s.name == scenario).process_guids
    for guid, signals in _signals(engine, guids).items():
        assert expected <= signals, guid


def test_test2_polls_every_30_seconds(hunted) -> None:  # type: ignore[no-untyped-def]
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


def test_browsing_is_not_periodic(hunted) -> None:  # type: ignore[no-untyped-def]
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


def test_benign_baseline_reports_nothing(hunted) -> None:  # type: ignore[no-untyped-def]
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
