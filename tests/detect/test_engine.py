from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from c2hunt import knowledge
from c2hunt.detect import Engine, hunt
from c2hunt.detect.testing import sysmon
from c2hunt.errors import C2HuntError, InputError
from c2hunt.normalize.schema import batch_from_rows


def test_unknown_profile() -> None:
    with (
        Engine(knowledge.load()) as engine,
        pytest.raises(C2HuntError, match="unknown profile 'x'"),
    ):
        engine.detect("x")


def test_a_batch_of_another_schema_is_refused() -> None:
    batch = pa.RecordBatch.from_pylist([{"EventID": 3}])
    with Engine(knowledge.load()) as engine, pytest.raises(C2HuntError, match="event schema"):
        engine.load([batch])


def test_a_case_database_that_is_not_duckdb(tmp_path: Path) -> None:
    db = tmp_path / "case.duckdb"
    db.write_text("not a database")
    with pytest.raises(InputError, match="cannot open the case database"):
        Engine(knowledge.load(), db)


def test_a_case_database_is_replaced_on_each_run(tmp_path: Path) -> None:
    rows = [
        sysmon(
            3,
            Image=r"C:\x\curl.exe",
            DestinationHostname="pastebin.com",
            DestinationIp="1.1.1.1",
            DestinationPort=443,
        )
    ]
    db = tmp_path / "case.duckdb"
    assert len(hunt([batch_from_rows(rows)], knowledge.load(), db_path=db)) == 1
    assert len(hunt([batch_from_rows(rows)], knowledge.load(), db_path=db)) == 1
    with Engine(knowledge.load(), db) as engine:
        assert engine.con.execute("SELECT count(*) FROM events").fetchone() == (0,)


def test_no_events_no_findings() -> None:
    assert hunt([], knowledge.load()) == []
    assert hunt([], knowledge.load(), "spec") == []


def test_a_regex_duckdb_cannot_run_is_a_clear_error(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("reverse_names: ['(?<=lb-)x']\n")
    rows = [sysmon(3, Image=r"C:\x\curl.exe", DestinationHostname="pastebin.com")]
    with pytest.raises(C2HuntError, match=r"rules\.yaml: a knowledge regex is not supported"):
        hunt([batch_from_rows(rows)], knowledge.load(rules))


def test_only_the_events_the_detection_reads_are_kept() -> None:
    rows = [
        sysmon(3, Image=r"C:\x\curl.exe", DestinationIp="10.0.0.1"),
        sysmon(7, Image=r"C:\x\curl.exe"),
        sysmon(10, Image=r"C:\x\curl.exe"),
        {"EventID": 3, "Channel": "System"},
        {"EventID": 4624, "Channel": "Security"},
        {"EventID": 4104, "Channel": "Microsoft-Windows-PowerShell/Operational"},
    ]
    with Engine(knowledge.load()) as engine:
        assert engine.load([batch_from_rows(rows)]) == 3
        kept = engine.con.execute("SELECT Channel, EventID FROM events ORDER BY 1, 2").fetchall()
    assert kept == [
        ("Microsoft-Windows-PowerShell/Operational", 4104),
        ("Microsoft-Windows-Sysmon/Operational", 3),
        ("System", 3),
    ]
