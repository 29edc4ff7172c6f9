from __future__ import annotations

import duckdb
import pytest

from c2hunt.score import Severity
from c2hunt.score.cases import build_cases

ZERO = "{00000000-0000-0000-0000-000000000000}"


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE findings (finding_id VARCHAR, _messageTime BIGINT, Computer VARCHAR, "
        "User VARCHAR, Image VARCHAR, ProcessGuid VARCHAR, dest_name VARCHAR, "
        "risk_score INTEGER, severity VARCHAR, suppressed_by VARCHAR)"
    )
    con.executemany(
        "INSERT INTO findings VALUES (?, ?, 'H1', 'u', ?, ?, ?, ?, ?, ?)",
        [
            ("a1", 1000, "C:\\ps.exe", "{AAAA-1}", "pastebin.com", 9, "critical", None),
            ("a2", 2000, "C:\\ps.exe", "{aaaa-1}", "pastebin.com", 9, "critical", None),
            ("b1", 1500, "C:\\py.exe", "{BBBB-2}", "raw.githubusercontent.com", 6, "high", None),
            ("m1", 1200, "<unknown process>", ZERO, "github.com", 4, "medium", None),
            ("m2", 1300, "<unknown process>", ZERO, "gitlab.com", 4, "medium", None),
            ("s1", 1400, "C:\\node.exe", "{CCCC-3}", "github.com", 5, "medium", "ci"),
        ],
    )
    con.execute(
        "CREATE TABLE signals (finding_id VARCHAR, signal VARCHAR, weight INTEGER, "
        "evidence VARCHAR)"
    )
    con.executemany(
        "INSERT INTO signals VALUES (?, ?, ?, ?)",
        [
            ("a1", "polling", 2, "every 60 s"),
            ("a2", "polling", 2, "every 60 s"),
            ("a2", "script_block_fetch_exec", 2, "IEX"),
            ("b1", "listed_binary", 1, "python.exe"),
        ],
    )
    return con


def test_one_case_per_process_ranked_by_score(con: duckdb.DuckDBPyConnection) -> None:
    cases = build_cases(con)
    assert [(c.process, c.finding_ids, c.risk_score) for c in cases] == [
        ("aaaa-1", ("a1", "a2"), 9),
        ("bbbb-2", ("b1",), 6),
        ("image:<unknown process>", ("m1", "m2"), 4),
    ]
    first = cases[0]
    assert first.severity is Severity.CRITICAL
    assert (first.first_seen, first.last_seen) == (1000, 2000)
    assert [(s.signal, s.evidence) for s in first.signals] == [
        ("polling", "every 60 s"),
        ("script_block_fetch_exec", "IEX"),
    ]
    assert cases[2].destinations == ("github.com", "gitlab.com")
    assert cases[2].signals == ()


def test_suppressed_findings_make_no_case(con: duckdb.DuckDBPyConnection) -> None:
    assert "cccc-3" not in {c.process for c in build_cases(con)}
