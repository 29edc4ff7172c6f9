from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from c2hunt import knowledge
from c2hunt.detect import Engine
from c2hunt.detect.testing import hunt_rows, sysmon
from c2hunt.errors import RuleError
from c2hunt.knowledge import Knowledge
from c2hunt.normalize.schema import batch_from_rows
from c2hunt.score import SIGNAL_BUILDERS, Severity, score, severity_sql


def rows(
    cmd: str, parent: str = r"C:\Windows\explorer.exe", host: str = "pastebin.com"
) -> list[dict[str, Any]]:
    return [
        sysmon(
            1, ProcessGuid="{P}", Image=r"C:\x\powershell.exe", CommandLine=cmd, ParentImage=parent
        ),
        sysmon(
            3,
            ProcessGuid="{P}",
            Image=r"C:\x\powershell.exe",
            DestinationIp="10.0.0.9",
            DestinationPort=443,
            DestinationHostname=host,
        ),
    ]


@pytest.mark.parametrize(
    ("cmd", "parent", "host", "risk", "severity"),
    [
        # listed binary 1 + paste 3
        ("powershell -c x", r"C:\x\explorer.exe", "pastebin.com", 4, Severity.MEDIUM),
        # binary 1 + code hosting 2
        ("powershell -c x", r"C:\x\explorer.exe", "github.com", 3, Severity.LOW),
        # + URL in the command line 1 + encoded 1 + office parent 1
        (
            "powershell -enc x https://pastebin.com/raw/a",
            r"C:\x\winword.exe",
            "pastebin.com",
            7,
            Severity.HIGH,
        ),
    ],
)
def test_risk_score_and_severity(
    cmd: str, parent: str, host: str, risk: int, severity: Severity
) -> None:
    (finding,) = hunt_rows(rows(cmd, parent, host))
    assert (finding["risk_score"], finding.severity) == (risk, severity)


def test_each_signal_is_evidence() -> None:
    (finding,) = hunt_rows(rows("powershell -enc x https://pastebin.com/raw/a"))
    assert [e.text for e in finding.evidence if e.kind == "signal"] == [
        "is_encoded +1: CommandLine matched -enc x: command line carries an encoded command or "
        "base64 payload",
        "listed_binary +1: powershell.exe (script_engine) matched by image file name",
        "service_category +3: pastebin.com is Pastebin (paste)",
        "url_in_command_line +1: command line names https://pastebin.com/raw/a",
    ]


def test_a_behaviour_builder_can_be_appended() -> None:
    def polling(con: duckdb.DuckDBPyConnection, kn: Knowledge) -> None:
        weight = kn.signals["polling"].weight
        con.execute(
            "INSERT INTO signals SELECT finding_id, 'polling', ?, 'every 30 s' FROM findings",
            [weight],
        )

    with Engine(knowledge.load()) as engine:
        engine.load([batch_from_rows(rows("powershell -c x"))])
        engine.detect()
        score(engine.con, engine.knowledge, {**SIGNAL_BUILDERS, "polling": polling})
        (finding,) = engine.findings()
    assert (finding["risk_score"], finding.severity) == (6, Severity.HIGH)


def test_severity_sql_follows_the_knowledge() -> None:
    sql = severity_sql(knowledge.packaged(), "s")
    con = duckdb.connect()
    got = [
        con.execute(f"SELECT {sql} FROM (SELECT ? AS s)", [s]).fetchone()[0] for s in (0, 4, 6, 9)
    ]
    assert got == ["low", "medium", "high", "critical"]


def test_unknown_severity_level_is_a_rule_error(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("severity:\n  - {level: urgent, min_score: 3}\n")
    with pytest.raises(RuleError, match="unknown severity 'urgent'"):
        severity_sql(knowledge.load(rules), "s")


@pytest.mark.parametrize(
    ("text", "level"), [("high", Severity.HIGH), (" Critical ", Severity.CRITICAL)]
)
def test_severity_parse(text: str, level: Severity) -> None:
    assert Severity.parse(text) is level


def test_severity_parse_rejects_unknown() -> None:
    with pytest.raises(ValueError, match="unknown severity 'bad'"):
        Severity.parse("bad")
