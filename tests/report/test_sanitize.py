from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pytest

from c2hunt.cli import main
from c2hunt.report import sanitize
from c2hunt.report.sanitize import csv_safe_batch


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("powershell -c x", "powershell -c x"),
        ("a\x1b[2Jb", "a\\x1b[2Jb"),
        ("a\x9b31mb", "a\\x9b31mb"),
        ("line1\nline2\tx\r", "line1\\nline2\\tx\\r"),
        ("evil\u202etxt.exe", "evil\\u202etxt.exe"),
        ("bell\x07 del\x7f nul\x00", "bell\\x07 del\\x7f nul\\x00"),
        ("[bold red]not markup[/]", "[bold red]not markup[/]"),
    ],
)
def test_for_terminal(text: str, expected: str) -> None:
    assert sanitize.for_terminal(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=cmd|'/c calc'!A1", "'=cmd|'/c calc'!A1"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a=1", "a=1"),
        ("two\nlines", "two\nlines"),
        ("esc\x1b[31m", "esc\\x1b[31m"),
    ],
)
def test_for_csv(text: str, expected: str) -> None:
    assert sanitize.for_csv(text) == expected


def test_for_json_escapes_c1_and_bidi() -> None:
    assert sanitize.for_json('"a\x9bb\u202e"') == '"a\\u009bb\\u202e"'


def test_csv_safe_batch_only_changes_what_needs_it() -> None:
    batch = pa.RecordBatch.from_pydict(
        {
            "CommandLine": ["=cmd|' /C calc'!A0", "powershell -nop", None, "a\x1bb"],
            "ProcessId": [1, 2, 3, 4],
        }
    )
    safe = csv_safe_batch(batch)
    assert safe.column("CommandLine").to_pylist() == [
        "'=cmd|' /C calc'!A0",
        "powershell -nop",
        None,
        "a\\x1bb",
    ]
    assert safe.column("ProcessId").to_pylist() == [1, 2, 3, 4]
    clean = pa.RecordBatch.from_pydict({"Image": ["C:\\w\\curl.exe"]})
    assert csv_safe_batch(clean).equals(clean)


def test_events_csv_export_neutralizes_formulas(tmp_path: Path) -> None:
    source = tmp_path / "e.jsonl"
    source.write_text(
        '{"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", '
        '"CommandLine": "=HYPERLINK(\\"http://x\\")"}\n'
    )
    out = tmp_path / "e.csv"
    assert main(["events", str(source), "--format", "csv", "-o", str(out)]) == 0
    (row,) = csv.DictReader(out.open(newline=""))
    assert row["CommandLine"] == '\'=HYPERLINK("http://x")'
