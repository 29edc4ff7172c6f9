from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb
import pytest

from c2hunt.detect import Engine
from c2hunt.detect.testing import sysmon
from c2hunt.errors import C2HuntError
from c2hunt.knowledge import Knowledge, load
from c2hunt.normalize.schema import batch_from_rows
from c2hunt.score import Severity
from c2hunt.score.cases import Case, CaseSignal, build_cases

PS = r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"
CURL = r"C:\Windows\System32\curl.exe"
MSHTA = r"C:\Windows\System32\mshta.exe"
SVCHOST = r"C:\Windows\System32\svchost.exe"
ZERO = "{00000000-0000-0000-0000-000000000000}"
T0 = 1_700_000_000_000


def start(host: str, guid: str, pid: int, image: str, cmd: str, **more: Any) -> dict[str, Any]:
    fields = {"ParentImage": r"C:\Windows\explorer.exe", "_messageTime": T0, **more}
    return sysmon(
        1, Computer=host, ProcessGuid=guid, ProcessId=pid, Image=image, CommandLine=cmd, **fields
    )


def connect(host: str, guid: str, pid: int, image: str, name: str, ip: str, s: int) -> Any:
    return sysmon(
        3,
        Computer=host,
        ProcessGuid=guid,
        ProcessId=pid,
        Image=image,
        DestinationHostname=name,
        DestinationIp=ip,
        DestinationPort=443,
        _messageTime=T0 + s * 1000,
    )


# H1: powershell {AAAA} reaches Discord and GitHub (two findings, one case); curl {BBBB}
# polls Telegram from a service; two anonymous mshta connections (zero GUID, PIDs 30 and 31)
# make one case by image. H2: a powershell with the same GUID as H1's is another case.
# H2: certutil {EEEE} to Pastebin is suppressed.
EVENTS = [
    start("H1", "{AAAA}", 10, PS, "powershell -c iwr https://github.com/a/b"),
    connect("H1", "{AAAA}", 10, PS, "discord.com", "162.159.128.233", 60),
    connect("H1", "{AAAA}", 10, PS, "github.com", "140.82.112.3", 90),
    start("H1", "{BBBB}", 20, CURL, "curl -s https://api.telegram.org/bot1/u", ParentImage=SVCHOST),
    connect("H1", "{BBBB}", 20, CURL, "api.telegram.org", "149.154.167.220", 30),
    start("H2", "{AAAA}", 10, PS, "powershell -c iwr https://github.com/a/b"),
    connect("H2", "{AAAA}", 10, PS, "github.com", "140.82.112.3", 40),
    start("H1", "{CCCC}", 30, MSHTA, "mshta https://raw.githubusercontent.com/a/b.hta"),
    connect("H1", ZERO, 30, "<unknown process>", "raw.githubusercontent.com", "185.199.108.1", 20),
    start("H1", "{DDDD}", 31, MSHTA, "mshta https://raw.githubusercontent.com/c/d.hta"),
    connect("H1", ZERO, 31, "<unknown process>", "raw.githubusercontent.com", "185.199.108.1", 50),
    start("H2", "{EEEE}", 40, r"C:\Windows\System32\certutil.exe", "certutil -urlcache -f x"),
    connect("H2", "{EEEE}", 40, r"C:\Windows\System32\certutil.exe", "pastebin.com", "1.2.3.4", 70),
    connect("H2", ZERO, 77, MSHTA, "raw.githubusercontent.com", "185.199.108.1", 80),
]


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load()


@pytest.fixture
def engine(knowledge: Knowledge) -> Iterator[Engine]:
    with Engine(knowledge) as engine:
        engine.load([batch_from_rows(EVENTS)])
        engine.detect("precise")
        engine.con.execute("ALTER TABLE findings ADD COLUMN suppressed_by VARCHAR")
        engine.con.execute("UPDATE findings SET suppressed_by = 'ci' WHERE ProcessGuid = '{EEEE}'")
        yield engine


def described(con: duckdb.DuckDBPyConnection, case: Case) -> tuple[object, ...]:
    """A case by what identifies it, its findings by host, destination and second."""
    rows = dict(
        (fid, f"{host} {dest} @{(ms - T0) // 1000}")
        for fid, host, dest, ms in con.execute(
            "SELECT finding_id, Computer, dest_name, _messageTime FROM findings"
        ).fetchall()
    )
    findings = tuple(rows[f] for f in case.finding_ids)
    return (case.computer, case.process, case.risk_score, case.max_finding_score, findings)


def test_cases_group_by_host_and_process_and_rank_by_score(engine: Engine) -> None:
    cases = build_cases(engine.con, engine.knowledge)
    assert [described(engine.con, c) for c in cases] == [
        ("H1", "bbbb", 6, 6, ("H1 api.telegram.org @30",)),
        ("H1", "aaaa", 5, 4, ("H1 discord.com @60", "H1 github.com @90")),
        # Two anonymous mshta connections: each process is known by PID from its creation.
        ("H1", "dddd", 4, 4, ("H1 raw.githubusercontent.com @50",)),
        ("H2", "aaaa", 4, 4, ("H2 github.com @40",)),
        ("H1", "cccc", 4, 4, ("H1 raw.githubusercontent.com @20",)),
        # Anonymous with no creation to find: known only by its image on the host.
        ("H2", "image:mshta.exe", 3, 3, ("H2 raw.githubusercontent.com @80",)),
    ]


def test_case_score_counts_each_distinct_signal_once_at_its_highest_weight(
    engine: Engine,
) -> None:
    case = build_cases(engine.con, engine.knowledge)[1]
    # listed_binary 1 + service_category max(Discord 3, GitHub 2) + url_in_command_line 1;
    # each finding alone scores 4 (1 + 3, and 1 + 2 + 1).
    assert case.signals == (
        CaseSignal(
            "service_category",
            3,
            2,
            ("discord.com is Discord (messaging)", "github.com is GitHub (code hosting)"),
        ),
        CaseSignal(
            "listed_binary", 1, 2, ("powershell.exe (script_engine) matched by image file name",)
        ),
        CaseSignal("url_in_command_line", 1, 1, ("command line names https://github.com/a/b",)),
    )
    assert (case.risk_score, case.severity) == (5, Severity.MEDIUM)
    assert (case.services, case.destinations) == (
        ("Discord", "GitHub"),
        ("discord.com", "github.com"),
    )
    assert (case.first_seen, case.last_seen, case.connections) == (T0 + 60_000, T0 + 90_000, 2)
    assert (case.image, case.process_ids, case.parent_image) == (
        PS,
        (10,),
        r"C:\Windows\explorer.exe",
    )


def test_an_anonymous_connection_joins_the_case_of_its_process(engine: Engine) -> None:
    cases = {c.process: c for c in build_cases(engine.con, engine.knowledge)}
    by_pid = cases["dddd"]
    assert (by_pid.image, by_pid.process_ids, by_pid.command_line) == (
        MSHTA,
        (31,),
        "mshta https://raw.githubusercontent.com/c/d.hta",
    )
    by_image = cases["image:mshta.exe"]
    assert (by_image.image, by_image.process_ids, by_image.command_line) == (MSHTA, (77,), None)


def test_suppressed_findings_make_no_case(engine: Engine) -> None:
    cases = build_cases(engine.con, engine.knowledge)
    assert "eeee" not in {c.process for c in cases}
    engine.con.execute("UPDATE findings SET suppressed_by = NULL")
    assert "eeee" in {c.process for c in build_cases(engine.con, engine.knowledge)}


def test_cases_table_stays_in_the_database(engine: Engine) -> None:
    ids = [c.case_id for c in build_cases(engine.con, engine.knowledge)]
    stored = engine.con.execute(
        "SELECT case_id FROM cases ORDER BY risk_score DESC, last_seen DESC"
    ).fetchall()
    assert [i for (i,) in stored] == ids
    assert len(set(ids)) == 6 and all(len(i) == 12 for i in ids)


def test_cases_need_a_scored_profile(knowledge: Knowledge) -> None:
    with Engine(knowledge) as engine:
        engine.load([batch_from_rows(EVENTS)])
        engine.detect("spec")
        with pytest.raises(C2HuntError, match="cases need a scored profile"):
            build_cases(engine.con, knowledge)
