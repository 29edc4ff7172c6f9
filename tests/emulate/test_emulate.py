from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import orjson
import pytest
from defusedxml import ElementTree

from c2hunt.emulate import MANIFEST, Scenario, Simulation, read_manifest, simulate, write
from c2hunt.emulate.model import WinEvent
from c2hunt.emulate.writers import EVENT_NS, event_flat, event_nested, event_xml
from c2hunt.errors import InputError
from c2hunt.knowledge import packaged

NS = {"e": EVENT_NS}
SEEDS = [1, 7, 1102, 424242]


@pytest.fixture(scope="module", params=SEEDS)
def sim(request: pytest.FixtureRequest) -> Simulation:
    return simulate(request.param)


def _by_scenario(sim: Simulation, name: str) -> Scenario:
    return next(s for s in sim.scenarios if s.name == name)


def _events(sim: Simulation, guid: str, event_id: int) -> list[WinEvent]:
    return [
        e
        for e in sim.events
        if e.channel.endswith("Sysmon/Operational")
        and e.event_id == event_id
        and e.get("ProcessGuid") == guid
    ]


def _sysmon(sim: Simulation, event_id: int) -> list[WinEvent]:
    return [e for e in sim.events if e.event_id == event_id and "Sysmon" in e.channel]


def test_same_seed_same_telemetry() -> None:
    first, second = simulate(5), simulate(5)
    assert [event_xml(e) for e in first.events] == [event_xml(e) for e in second.events]
    assert [event_xml(e) for e in simulate(6).events] != [event_xml(e) for e in first.events]


def test_volume_and_spread(sim: Simulation) -> None:
    assert 2000 <= len(sim.events) <= 6000
    times = [e.time for e in sim.events]
    assert (max(times) - min(times)).total_seconds() > 5 * 3600


def test_every_process_event_has_its_process_creation(sim: Simulation) -> None:
    created = {(e.computer, e.get("ProcessGuid")): e for e in _sysmon(sim, 1)}
    for event in sim.events:
        if "Sysmon" in event.channel and event.event_id in (3, 11, 13, 22):
            creation = created[(event.computer, event.get("ProcessGuid"))]
            assert creation.get("ProcessId") == event.get("ProcessId")
            assert creation.get("Image") == event.get("Image")
            assert creation.time <= event.time


def test_parents_exist_and_started_first(sim: Simulation) -> None:
    created = {(e.computer, e.get("ProcessGuid")): e for e in _sysmon(sim, 1)}
    for event in created.values():
        if event.get("ProcessGuid") in sim.roots:
            continue
        parent = created[(event.computer, event.get("ParentProcessGuid"))]
        assert parent.get("ProcessId") == event.get("ParentProcessId")
        assert parent.get("Image") == event.get("ParentImage")
        assert parent.get("CommandLine") == event.get("ParentCommandLine")
        assert parent.time <= event.time


def test_record_ids_rise_with_time_per_channel(sim: Simulation) -> None:
    channels: dict[tuple[str, str], list[WinEvent]] = defaultdict(list)
    for event in sim.events:
        channels[(event.computer, event.channel)].append(event)
    for events in channels.values():
        events.sort(key=lambda e: e.record_id)
        assert [e.record_id for e in events] == list(
            range(events[0].record_id, events[0].record_id + len(events))
        )
        assert [e.time for e in events] == sorted(e.time for e in events)


def test_dns_answers_the_connection(sim: Simulation) -> None:
    """Each Sysmon 3 to a queried name follows that process's DNS answer naming its address."""
    answers = defaultdict(set)
    for event in _sysmon(sim, 22):
        for part in str(event.get("QueryResults")).split(";"):
            if part.startswith("::ffff:"):
                answers[(event.computer, event.get("ProcessGuid"))].add(part[7:])
    test2 = _by_scenario(sim, "test2_github_python")
    for conn in _events(sim, test2.process_guids[0], 3):
        assert conn.get("DestinationIp") in answers[(conn.computer, conn.get("ProcessGuid"))]


def test_test1_pastebin_powershell(sim: Simulation) -> None:
    (guid,) = _by_scenario(sim, "test1_pastebin_powershell").process_guids
    (creation,) = _events(sim, guid, 1)
    for needle in (
        "Invoke-WebRequest",
        "pastebin.com/raw",
        "Invoke-Expression",
        "-WindowStyle Hidden",
    ):
        assert needle in creation.get("CommandLine")
    assert creation.get("Image").endswith("\\powershell.exe")
    assert [e.get("DestinationPort") for e in _events(sim, guid, 3)] == [443, 443, 443]
    assert {e.get("QueryName") for e in _events(sim, guid, 22)} == {"pastebin.com"}
    blocks = [
        e
        for e in sim.events
        if e.event_id == 4104
        and e.execution_pid == creation.get("ProcessId")
        and e.computer == creation.computer
    ]
    assert str(blocks[0].get("ScriptBlockText")) in str(creation.get("CommandLine"))


def test_test2_three_polls_about_30_seconds_apart(sim: Simulation) -> None:
    (guid,) = _by_scenario(sim, "test2_github_python").process_guids
    (creation,) = _events(sim, guid, 1)
    assert "raw.githubusercontent.com" in creation.get("CommandLine")
    assert "urllib" in creation.get("CommandLine")
    connections = _events(sim, guid, 3)
    assert len(connections) == 3
    gaps = [(b.time - a.time).total_seconds() for a, b in pairwise(connections)]
    assert all(29.5 <= gap <= 31.5 for gap in gaps)
    assert [e.get("QueryName") for e in _events(sim, guid, 22)] == ["raw.githubusercontent.com"] * 3


def test_test3_telegram_curl_writes_its_response(sim: Simulation) -> None:
    (guid,) = _by_scenario(sim, "test3_telegram_curl").process_guids
    (creation,) = _events(sim, guid, 1)
    command = creation.get("CommandLine")
    assert all(part in command for part in (" -s ", " -o ", "api.telegram.org", "getUpdates"))
    (connection,) = _events(sim, guid, 3)
    (created,) = _events(sim, guid, 11)
    assert created.get("TargetFilename").endswith("\\AppData\\Local\\Temp\\tg_response.txt")
    assert 0 < (created.time - connection.time).total_seconds() < 2


def test_test4_scheduled_task(sim: Simulation) -> None:
    runs = _by_scenario(sim, "test4_scheduled_task").process_guids
    (task,) = [e for e in sim.events if e.event_id == 4698]
    assert task.get("TaskName") == "\\MicrosoftEdgeUpdateTaskMachineUA_ARGUSTEST"
    assert "raw.githubusercontent.com" in task.get("TaskContent")
    registry = [str(e.get("TargetObject")) for e in _sysmon(sim, 13)]
    assert (
        all(
            k.startswith(
                "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache\\"
            )
            for k in registry
        )
        and len(registry) == 2
    )
    assert any(e.get("Image").endswith("schtasks.exe") for e in _sysmon(sim, 1))
    parents = [_events(sim, guid, 1)[0] for guid in runs]
    assert [p.get("ParentImage").rsplit("\\", 1)[1] for p in parents] == [
        "svchost.exe",
        "taskhostw.exe",
    ]
    assert parents[0].get("ParentCommandLine").endswith("-s Schedule")
    assert "taskhostw.exe" in packaged().task_hosts
    assert all(len(_events(sim, guid, 3)) == 1 for guid in runs)


def test_false_positive_families_use_listed_binaries_and_services(sim: Simulation) -> None:
    images = {b.image for b in packaged().binaries}
    for name in ("fp_ci_runner", "fp_rmm_agent", "fp_developer_curl"):
        scenario = _by_scenario(sim, name)
        assert scenario.suppression
        for guid in scenario.process_guids:
            (creation,) = [e for e in _sysmon(sim, 1) if e.get("ProcessGuid") == guid]
            assert str(creation.get("Image")).rsplit("\\", 1)[1].lower() in images
            assert _events(sim, guid, 3)
    ci = _by_scenario(sim, "fp_ci_runner")
    assert all(
        _events(sim, g, 1)[0].get("User") == "NT AUTHORITY\\SYSTEM" for g in ci.process_guids
    )


def test_xml_is_what_wevtutil_writes() -> None:
    sim = simulate(3)
    (task,) = [e for e in sim.events if e.event_id == 4698]
    text = event_xml(task)
    assert text.startswith(
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>"
        "<System><Provider Name='Microsoft-Windows-Security-Auditing'"
    )
    assert "&lt;Task version=" in text
    root = ElementTree.fromstring(text)
    data = {d.get("Name"): d.text for d in root.iterfind("e:EventData/e:Data", NS)}
    assert data["TaskContent"] == task.get("TaskContent")
    assert root.find("e:System/e:EventRecordID", NS).text == str(task.record_id)
    system_time = root.find("e:System/e:TimeCreated", NS).get("SystemTime")
    assert (
        datetime.strptime(system_time[:26], "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=task.time.tzinfo)
        == task.time
    )


def test_json_shapes() -> None:
    sim = simulate(3)
    connection = next(e for e in sim.events if e.event_id == 3 and "Sysmon" in e.channel)
    nested = event_nested(connection)["Event"]
    assert nested["System"]["EventID"] == 3
    assert nested["System"]["Computer"] == connection.computer
    assert nested["EventData"]["DestinationPort"] == connection.get("DestinationPort")
    flat = event_flat(connection)
    assert (flat["EventID"], flat["Hostname"], flat["DestinationPort"]) == (
        3,
        connection.computer,
        str(connection.get("DestinationPort")),
    )


@pytest.mark.parametrize("fmt", ["xml", "jsonl", "flat"])
def test_write_files_and_manifest(tmp_path: Path, fmt: str) -> None:
    sim = simulate(11)
    manifest = orjson.loads(write(sim, tmp_path, fmt).read_bytes())
    assert manifest["events"] == len(sim.events)
    assert [s["name"] for s in manifest["scenarios"]] == [s.name for s in sim.scenarios]
    lines = sum(len((tmp_path / f).read_bytes().splitlines()) for f in manifest["files"])
    assert lines == len(sim.events)
    assert (tmp_path / MANIFEST).is_file()


def test_unknown_format_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown format 'csv'"):
        write(simulate(1), tmp_path, "csv")


def test_manifest_reads_back(tmp_path: Path) -> None:
    sim = simulate(11)
    assert read_manifest(write(sim, tmp_path, "jsonl")) == sim.scenarios


def test_bad_manifest_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / MANIFEST
    path.write_text('{"scenarios": [{"name": "x"}]}')
    with pytest.raises(InputError, match="not a c2hunt simulation manifest: 'kind'"):
        read_manifest(path)


def _bits(sim: Simulation, event_id: int) -> list[WinEvent]:
    return [e for e in sim.events if e.event_id == event_id and "Bits-Client" in e.channel]


def test_bits_transfer_jobs_name_their_creator(sim: Simulation) -> None:
    """BITS 3 names the creating process; 59/60 of the same job id carry the URL; only the
    BITS service (svchost.exe -s BITS) resolves and connects."""
    scenario = _by_scenario(sim, "bits_transfer")
    creators = [_events(sim, guid, 1)[0] for guid in scenario.process_guids]
    assert [c.get("Image").rsplit("\\", 1)[1] for c in creators] == [
        "bitsadmin.exe",
        "powershell.exe",
    ]
    assert "/transfer argus /download" in creators[0].get("CommandLine")
    assert "Start-BitsTransfer -Source https://pastebin.com/raw/" in creators[1].get("CommandLine")
    for creator, host in zip(creators, scenario.destinations, strict=True):
        (job,) = [e for e in _bits(sim, 3) if e.get("processId") == creator.get("ProcessId")]
        assert job.get("processPath") == creator.get("Image") and job.time > creator.time
        transfers = [e for e in _bits(sim, 59) + _bits(sim, 60) if e.get("Id") == job.get("jobId")]
        assert [e.event_id for e in transfers] == [59, 60]
        assert {str(e.get("url")).split("/")[2] for e in transfers} == {host}
        assert all(e.execution_pid == job.execution_pid for e in transfers)
        assert not _events(sim, creator.get("ProcessGuid"), 3)
        (service,) = [
            e
            for e in _sysmon(sim, 1)
            if e.computer == job.computer and e.get("ProcessId") == job.execution_pid
        ]
        assert str(service.get("CommandLine")).endswith("-k netsvcs -p -s BITS")
        queries = _events(sim, service.get("ProcessGuid"), 22)
        assert any(q.get("QueryName") == host and q.time >= job.time for q in queries)


def test_benign_bits_jobs_of_updaters(sim: Simulation) -> None:
    creators = {str(e.get("processPath")).rsplit("\\", 1)[1] for e in _bits(sim, 3)}
    assert {"GoogleUpdate.exe", "MicrosoftEdgeUpdate.exe", "OneDriveStandaloneUpdater.exe"} <= (
        creators
    )
    assert creators - {"chrome.exe"} == {
        "GoogleUpdate.exe",
        "MicrosoftEdgeUpdate.exe",
        "OneDriveStandaloneUpdater.exe",
        "bitsadmin.exe",
        "powershell.exe",
    }


def test_security_5156_host_logs_no_sysmon_connections(sim: Simulation) -> None:
    (guid,) = _by_scenario(sim, "security_5156").process_guids
    (creation,) = _events(sim, guid, 1)
    host = creation.computer
    assert "GetObject('script:https://raw.githubusercontent.com/" in creation.get("CommandLine")
    assert not [e for e in _sysmon(sim, 3) if e.computer == host]
    (query,) = _events(sim, guid, 22)
    (audited,) = [
        e
        for e in sim.events
        if e.event_id == 5156
        and e.computer == host
        and e.get("ProcessID") == creation.get("ProcessId")
    ]
    assert audited.get("Application") == "\\device\\harddiskvolume3\\windows\\system32\\mshta.exe"
    assert f"::ffff:{audited.get('DestAddress')};" in str(query.get("QueryResults"))
    assert audited.get("DestPort") == "443" and audited.time > query.time
    created = [e for e in sim.events if e.event_id == 4688 and e.computer == host]
    assert len(created) == len([e for e in _sysmon(sim, 1) if e.computer == host])
    (mine,) = [e for e in created if e.get("NewProcessId") == f"0x{creation.get('ProcessId'):x}"]
    assert (mine.get("NewProcessName"), mine.get("CommandLine"), mine.time) == (
        creation.get("Image"),
        creation.get("CommandLine"),
        creation.time,
    )
