from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from c2hunt.errors import RuleError
from c2hunt.tune import EXAMPLES, apply_tuning, load_tuning, suppressed_findings

FINDINGS = [
    ("f1", "BUILD-AGENT-03", "NT AUTHORITY\\SYSTEM", "C:\\r\\node.exe", "GitHub", "140.82.121.4"),
    ("f2", "WS-ARGUS-01", "CORP\\m.keller", "C:\\w\\powershell.exe", "Pastebin", "104.20.67.143"),
    ("f3", "DEV-LAPTOP-22", "CORP\\a.novak", "C:\\w\\curl.exe", "Discord", "162.159.135.232"),
    ("f4", "WS-V6-09", "CORP\\v.six", "C:\\w\\python.exe", "Notion", "2606:50c0:8000::154"),
]


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE findings (finding_id VARCHAR, Computer VARCHAR, User VARCHAR, "
        "Image VARCHAR, service VARCHAR, DestinationIp VARCHAR, _messageTime BIGINT)"
    )
    con.executemany("INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, 0)", FINDINGS)
    return con


def _tuning(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tuning.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("match", "suppressed"),
    [
        ("{Computer: build-agent-03}", ["f1"]),
        ("{Computer: {glob: 'BUILD-*'}}", ["f1"]),
        ("{Image: {glob: '*\\curl.exe'}}", ["f3"]),
        ("{Image: {regex: '(?i)POWERSHELL'}}", ["f2"]),
        ("{Image: {regex: 'POWERSHELL'}}", []),
        ("{service: {any_of: [github, discord]}}", ["f1", "f3"]),
        ("{DestinationIp: {cidr: 104.20.0.0/16}}", ["f2"]),
        ("{DestinationIp: {cidr: 10.0.0.0/8}}", []),
        ("{DestinationIp: {cidr: '2606:50c0::/32'}}", ["f4"]),
        ("{DestinationIp: {cidr: '::/0'}}", ["f4"]),
        ("{User: {glob: 'CORP\\*'}, service: Discord}", ["f3"]),
    ],
)
def test_operators(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, match: str, suppressed: list[str]
) -> None:
    path = _tuning(tmp_path, f"suppressions:\n  - name: s\n    reason: r\n    match: {match}\n")
    result = apply_tuning(con, load_tuning(path))
    assert sorted(fid for fid, _ in suppressed_findings(con)) == suppressed
    assert result.suppressed == (("s", len(suppressed)),)


def test_any_groups(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = _tuning(
        tmp_path,
        "suppressions:\n  - name: s\n    reason: r\n    match: {User: {glob: '*'}}\n"
        "    any:\n      - {service: GitHub}\n      - {service: Pastebin}\n",
    )
    apply_tuning(con, load_tuning(path))
    assert suppressed_findings(con) == [("f1", "s"), ("f2", "s")]


def test_expired_suppression_stops_applying(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = _tuning(
        tmp_path,
        "suppressions:\n  - name: old\n    reason: r\n    expires: 2024-01-31\n"
        "    match: {service: GitHub}\n",
    )
    (suppression,) = load_tuning(path)
    assert apply_tuning(con, [suppression], today=date(2024, 1, 31)).total == 1
    con.execute("UPDATE findings SET suppressed_by = NULL")
    result = apply_tuning(con, [suppression], today=date(2024, 2, 1))
    assert result.expired == (suppression,)
    assert result.suppressed == ()
    assert suppressed_findings(con) == []


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("suppressions: 3\n", r"tuning.yaml:1: the file must have a list 'suppressions'"),
        ("suppressions:\n  - name: a\n    match: {User: x}\n", r":2: missing field 'reason'"),
        ("suppressions:\n  - reason: r\n    match: {User: x}\n", r":2: missing field 'name'"),
        (
            "suppressions:\n  - {name: a, reason: r}\n",
            r":2: suppression 'a': missing field 'match'",
        ),
        (
            "suppressions:\n  - name: a\n    reason: r\n    match: {Colour: x}\n",
            r":4: unknown field 'Colour'",
        ),
        (
            "suppressions:\n  - name: a\n    reason: r\n    match:\n      User: {like: x}\n",
            r":5: field 'User': use exactly one of equals, glob, any_of, regex, cidr",
        ),
        (
            "suppressions:\n  - name: a\n    reason: r\n    match: {Image: {regex: '('}}\n",
            r":4: field 'Image': invalid regex",
        ),
        (
            "suppressions:\n  - name: a\n    reason: r\n    match: {DestinationIp: {cidr: x/8}}\n",
            r":4: field 'DestinationIp': not an IP network",
        ),
        (
            "suppressions:\n  - name: a\n    reason: r\n    match: {service: {any_of: []}}\n",
            r":4: field 'service': any_of needs a non-empty list",
        ),
        (
            "suppressions:\n  - name: a\n    reason: r\n    expires: soon\n    match: {User: x}\n",
            r":2: field 'expires' must be a date YYYY-MM-DD",
        ),
        (
            "suppressions:\n  - name: a\n    reason: r\n    match: {User: x}\n    why: y\n",
            r":2: unknown field 'why' in a suppression",
        ),
        (
            "suppressions:\n  - {name: a, reason: r, match: {User: x}}\n"
            "  - {name: a, reason: r, match: {User: y}}\n",
            r":3: duplicate suppression name 'a'",
        ),
        ("suppressions: [\n", r"tuning.yaml:\d+: not valid YAML"),
    ],
)
def test_invalid_files_name_line_and_field(tmp_path: Path, text: str, error: str) -> None:
    with pytest.raises(RuleError, match=error):
        load_tuning(_tuning(tmp_path, text))


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="cannot read tuning file"):
        load_tuning(tmp_path / "missing.yaml")


def test_packaged_examples_cover_the_three_families() -> None:
    names = [s.name for s in load_tuning(EXAMPLES)]
    assert names == [
        "ci-runner-build-fetches",
        "rmm-agent-config-sync",
        "developer-webhook-testing",
    ]
    assert all(s.reason and s.expires for s in load_tuning(EXAMPLES))
