from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest

from c2hunt.detect.testing import connection, sysmon
from c2hunt.errors import C2HuntError
from c2hunt.report import HuntReport, write_report
from c2hunt.score import EVIDENCE_FIELDS

MakeReport = Callable[..., HuntReport]

EVIL = '=HYPERLINK("x")\x1b]0;pwned\x07 curl https://pastebin.com/raw/a [red]x[/red]'
CURL = r"C:\x\curl.exe"

# The specification's `fields` clause, written out: the tests state it independently.
SPEC_14 = (
    "_messageTime", "Computer", "User", "Image", "CommandLine", "ParentImage",
    "ParentCommandLine", "DestinationHostname", "DestinationIp", "DestinationPort",
    "is_encoded", "is_office_parent", "is_service_spawn", "suspicion_score",
)  # fmt: skip
FINDING_COLUMNS = ("finding_id", *SPEC_14, *EVIDENCE_FIELDS)


# curl {P} reaches Pastebin twice (one case); curl {Q} reaches GitHub once (another).
ROWS = [
    sysmon(1, ProcessGuid="{P}", ProcessId=4, Image=CURL, CommandLine=EVIL),
    connection("{P}", 4, "pastebin.com", 1),
    connection("{P}", 4, "pastebin.com", 2),
    sysmon(1, ProcessGuid="{Q}", ProcessId=5, Image=CURL, CommandLine="curl https://github.com"),
    connection("{Q}", 5, "github.com", 3),
]


@pytest.fixture
def render(make_report: MakeReport) -> Callable[..., str]:
    def render(fmt: str, profile: str = "precise") -> str:
        out = io.StringIO()
        write_report(make_report(ROWS, profile), fmt, out)
        return out.getvalue()

    return render


def test_jsonl_carries_the_spec_fields_the_evidence_then_the_case(
    render: Callable[..., str],
) -> None:
    lines = render("jsonl").splitlines()
    rows = [json.loads(line) for line in lines]
    assert [tuple(row) for row in rows] == [(*FINDING_COLUMNS, "case_id")] * 3
    assert [r["dest_name"] for r in rows] == ["github.com", "pastebin.com", "pastebin.com"]
    github, paste1, paste2 = (r["case_id"] for r in rows)
    assert paste1 == paste2 != github
    assert rows[1]["CommandLine"] == EVIL
    assert all("\x1b" not in line for line in lines)
    assert [e["kind"] for e in rows[1]["evidence"]][:3] == ["connection", "destination", "lineage"]


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_spec_profile_writes_only_the_14_fields(fmt: str, render: Callable[..., str]) -> None:
    text = render(fmt, "spec")
    if fmt == "json":
        keys = [tuple(row) for row in json.loads(text)]
    elif fmt == "jsonl":
        keys = [tuple(json.loads(line)) for line in text.splitlines()]
    else:
        header, *rows = csv.reader(io.StringIO(text))
        keys = [tuple(header)] * len(rows)
    assert keys == [SPEC_14] * 3


def test_json_holds_the_cases_and_the_findings(render: Callable[..., str]) -> None:
    document = json.loads(render("json"))
    assert list(document) == ["profile", "cases", "findings"]
    assert document["profile"] == "precise"
    paste, github = document["cases"]
    assert list(paste) == [
        "case_id",
        "computer",
        "process",
        "image",
        "original_file_name",
        "process_ids",
        "user",
        "parent_image",
        "command_line",
        "first_seen",
        "last_seen",
        "services",
        "destinations",
        "connections",
        "risk_score",
        "max_finding_score",
        "severity",
        "signals",
        "finding_ids",
    ]
    assert (paste["process"], paste["process_ids"], paste["connections"]) == ("p", [4], 2)
    assert (paste["first_seen"], paste["last_seen"]) == (1_001_000, 1_002_000)
    assert (paste["services"], paste["risk_score"], paste["severity"]) == (
        ["Pastebin"],
        5,
        "medium",
    )
    assert paste["signals"] == [
        {
            "signal": "service_category",
            "weight": 3,
            "findings": 2,
            "evidence": ["pastebin.com is Pastebin (paste)"],
        },
        {
            "signal": "listed_binary",
            "weight": 1,
            "findings": 2,
            "evidence": ["curl.exe (downloader) matched by image file name"],
        },
        {
            "signal": "url_in_command_line",
            "weight": 1,
            "findings": 2,
            "evidence": ["command line names https://pastebin.com/raw/a"],
        },
    ]
    by_case = {c["case_id"]: c["finding_ids"] for c in document["cases"]}
    for finding in document["findings"]:
        assert finding["finding_id"] in by_case[finding["case_id"]]
    grouped = sorted(fid for ids in by_case.values() for fid in ids)
    assert grouped == sorted(f["finding_id"] for f in document["findings"])
    assert (github["services"], github["risk_score"]) == (["GitHub"], 4)


def test_csv_adds_the_case_and_neutralizes_formulas_and_controls(
    render: Callable[..., str],
) -> None:
    text = render("csv")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert tuple(header) == (*FINDING_COLUMNS, "case_id")
    command = rows[1][header.index("CommandLine")]
    assert command.startswith("'=HYPERLINK")
    assert "\x1b" not in text and "\\x1b]0;pwned\\x07" in command
    cases = [row[-1] for row in rows]
    assert cases[1] == cases[2] != cases[0] and all(len(c) == 12 for c in cases)


def test_table_shows_no_control_sequence_and_no_markup(make_report: MakeReport) -> None:
    for view in ("cases", "findings"):
        out = io.StringIO()
        write_report(make_report(ROWS), "table", out, view)
        text = out.getvalue()
        assert "\x1b" not in text
        assert "[red]x[/red]" in text
        assert "pastebin.com" in text and "medium" in text


def test_unknown_format_is_an_error() -> None:
    with pytest.raises(C2HuntError, match="unknown format 'xml'"):
        write_report(HuntReport("precise", (), ()), "xml", io.StringIO())


def test_unknown_view_is_an_error() -> None:
    with pytest.raises(C2HuntError, match="unknown view 'hosts'; known: cases, findings"):
        write_report(HuntReport("precise", (), ()), "table", io.StringIO(), "hosts")


def test_spec_profile_has_no_cases_view() -> None:
    with pytest.raises(C2HuntError, match="the 'spec' profile has no cases"):
        write_report(HuntReport("spec", ()), "table", io.StringIO(), "cases")
