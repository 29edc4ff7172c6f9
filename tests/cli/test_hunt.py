from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from c2hunt.cli import main

# Newest first. Severities also depend on behaviour signals (polling, ...), asserted elsewhere.
SAMPLE_FINDINGS = [
    ("powershell.exe", "pastebin.com", "dns_process", (0, 1, 0)),
    ("python.exe", "raw.githubusercontent.com", "dns_process", (0, 0, 0)),
    ("powershell.exe", "pastebin.com", "dns_process", (0, 1, 0)),
    ("msupdate.exe", "discord.com", "dns_process", (1, 0, 0)),
    ("python.exe", "raw.githubusercontent.com", "dns_process", (0, 0, 0)),
    ("curl.exe", "api.telegram.org", "command_line_url", (0, 0, 1)),
    ("python.exe", "raw.githubusercontent.com", "dns_process", (0, 0, 0)),
    ("powershell.exe", "pastebin.com", "dns_process", (0, 1, 0)),
]
FLAGS = ("is_encoded", "is_office_parent", "is_service_spawn")


def hunt_json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert main(["hunt", *args, "--format", "jsonl"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_sample_shows_real_findings(capsys: pytest.CaptureFixture[str]) -> None:
    rows = hunt_json(capsys, "--sample")
    got = [
        (
            str(r["Image"]).rsplit("\\", 1)[-1],
            r["dest_name"],
            r["dest_source"],
            tuple(r[f] for f in FLAGS),
        )
        for r in rows
    ]
    assert got == SAMPLE_FINDINGS


def test_sample_in_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hunt", "--sample"]) == 0
    captured = capsys.readouterr()
    assert "c2hunt: 4 case(s) from 8 finding(s), profile precise" in captured.out
    assert "records: 27 read, 27 used, 0 rejected" in captured.err


@pytest.mark.parametrize(
    ("args", "title"),
    [
        ([], "c2hunt: 4 case(s) from 8 finding(s), profile precise"),
        (["--view", "cases"], "c2hunt: 4 case(s) from 8 finding(s), profile precise"),
        (["--view", "findings"], "c2hunt: 8 finding(s), profile precise"),
        (["--profile", "spec"], "c2hunt: 0 finding(s), profile spec"),
        (["--profile", "spec", "--view", "findings"], "c2hunt: 0 finding(s), profile spec"),
    ],
)
def test_views(args: list[str], title: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hunt", "--sample", *args]) == 0
    assert capsys.readouterr().out.splitlines()[0].strip() == title


def test_cases_view_needs_a_scored_profile(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hunt", "--sample", "--profile", "spec", "--view", "cases"]) == 2
    assert capsys.readouterr().err == (
        "c2hunt: error: --view cases needs a scored profile; 'spec' findings are not grouped\n"
    )


def test_sample_cases_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hunt", "--sample", "--format", "json", "--view", "findings"]) == 0
    document = json.loads(capsys.readouterr().out)
    got = [
        (c["image"].rsplit("\\", 1)[-1], c["connections"], c["risk_score"], c["severity"])
        for c in document["cases"]
    ]
    assert got == [
        ("powershell.exe", 3, 8, "high"),
        ("python.exe", 3, 6, "high"),
        ("curl.exe", 1, 6, "high"),
        ("msupdate.exe", 1, 5, "medium"),
    ]
    assert len(document["findings"]) == 8
    assert {f["case_id"] for f in document["findings"]} == {c["case_id"] for c in document["cases"]}


def test_jsonl_rows_carry_their_case(capsys: pytest.CaptureFixture[str]) -> None:
    rows = hunt_json(capsys, "--sample")
    images = {}
    for row in rows:
        images.setdefault(row["case_id"], set()).add(str(row["Image"]).rsplit("\\", 1)[-1])
    assert sorted(sorted(i) for i in images.values()) == [
        ["curl.exe"],
        ["msupdate.exe"],
        ["powershell.exe"],
        ["python.exe"],
    ]


def test_spec_profile_on_the_sample_finds_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert hunt_json(capsys, "--sample", "--profile", "spec") == []


@pytest.mark.parametrize(("level", "code"), [("medium", 1), ("critical", 0)])
def test_fail_on(level: str, code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hunt", "--sample", "--format", "json", "--fail-on", level]) == code


def test_fail_on_needs_a_scored_profile(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hunt", "--sample", "--profile", "spec", "--fail-on", "low"]) == 2
    assert "--fail-on needs a scored profile" in capsys.readouterr().err


def test_no_path_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hunt"]) == 2
    assert "give at least one PATH to hunt, or --sample" in capsys.readouterr().err


def test_output_and_case_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, db = tmp_path / "f.csv", tmp_path / "case.duckdb"
    args = ["hunt", "--sample", "--format", "csv", "--output", str(out), "--db", str(db)]
    assert main(args) == 0
    with out.open(encoding="utf-8", newline="") as text:
        header, *rows = list(csv.reader(text))
    assert (len(rows), header[-1]) == (8, "case_id")
    assert len({row[-1] for row in rows}) == 4
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM findings").fetchone() == (8,)
    assert con.execute("SELECT count(*) FROM events").fetchone() == (27,)
    assert con.execute("SELECT count(*), sum(len(finding_ids)) FROM cases").fetchone() == (4, 8)
    signals = {s for (s,) in con.execute("SELECT DISTINCT signal FROM signals").fetchall()}
    assert signals >= {
        "listed_binary",
        "service_category",
        "is_encoded",
        "is_office_parent",
        "is_service_spawn",
        "url_in_command_line",
    }


def test_bad_rules_file_names_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("services:\n  - {domain: 'a b', service: X, category: paste}\n")
    assert main(["hunt", "--sample", "--rules", str(rules)]) == 2
    assert f"{rules}:2:" in capsys.readouterr().err


def test_rules_extend_the_services(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "services:\n"
        "  - {domain: powershellgallery.com, service: PSGallery, category: code_hosting}\n"
    )
    rows = hunt_json(capsys, "--sample", "--rules", str(rules))
    assert [r["dest_name"] for r in rows].count("www.powershellgallery.com") == 1


def test_missing_input_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hunt", str(tmp_path / "nope.evtx")]) == 3


SYSMON = "Microsoft-Windows-Sysmon/Operational"
MIXED = [
    {"EventID": 3, "Channel": SYSMON, "Image": "C:\\a.exe"},
    {"EventID": 3, "Channel": SYSMON, "Image": "C:\\b.exe"},
    {"EventID": 1, "Channel": SYSMON, "Image": "C:\\a.exe"},
    {"EventID": 7, "Channel": SYSMON, "ImageLoaded": "C:\\x.dll"},
    {"EventID": 1000, "Channel": "Application"},
    {"EventID": 1001, "Channel": "Application"},
    {"EventID": 1001, "Channel": "Application"},
]
COMPACT_KINDS = [
    "events of the kinds the hunt uses (channel, EventID: count):",
    f"  {SYSMON}, 1: 1",
    f"  {SYSMON}, 3: 2",
    "other kinds: 4 events in 3 kinds (c2hunt -v lists them)",
]
ALL_KINDS = [
    "events by kind (channel, EventID: count):",
    "  Application, 1000: 1",
    "  Application, 1001: 2",
    f"  {SYSMON}, 1: 1",
    f"  {SYSMON}, 3: 2",
    f"  {SYSMON}, 7: 1",
]


@pytest.mark.parametrize(("verbose", "kinds"), [([], COMPACT_KINDS), (["-v"], ALL_KINDS)])
def test_read_summary_is_compact_unless_verbose(
    verbose: list[str], kinds: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "mixed.json"
    events.write_text("\n".join(json.dumps(e) for e in MIXED) + "\n")
    assert main([*verbose, "hunt", str(events), "--format", "csv"]) == 0
    err = [line for line in capsys.readouterr().err.splitlines() if "INFO" not in line]
    assert err == [
        "c2hunt read summary",
        "files: 1 read, 0 failed, 0 skipped (found in a directory, not telemetry)",
        "records: 7 read, 7 used, 0 rejected",
        *kinds,
    ]


def test_a_flag_from_a_rules_file_is_reported_scored_and_tunable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "flags:\n"
        "  is_hidden_window:\n"
        "    field: CommandLine\n"
        "    regex: '-w(indowstyle)?\\s+hidden'\n"
        "    weight: 1\n"
    )
    out = tmp_path / "findings.csv"
    assert main(["hunt", "--sample", "--rules", str(rules), "--format", "csv", "-o", str(out)]) == 0
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0])
    assert header[11:16] == [
        "is_encoded", "is_office_parent", "is_service_spawn", "is_hidden_window", "suspicion_score",
    ]  # fmt: skip
    hidden = {(r["Image"].rsplit("\\", 1)[-1], r["is_hidden_window"], r["suspicion_score"])
              for r in rows if r["is_hidden_window"] == "1"}  # fmt: skip
    assert hidden == {("powershell.exe", "1", "2"), ("msupdate.exe", "1", "2")}

    tuning = tmp_path / "tuning.yaml"
    tuning.write_text(
        "suppressions:\n  - name: hidden\n    reason: test\n    match: {is_hidden_window: '1'}\n"
    )
    capsys.readouterr()
    assert main(["hunt", "--sample", "--rules", str(rules), "--tuning", str(tuning),
                 "--format", "jsonl"]) == 0  # fmt: skip
    kept = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["is_hidden_window"] for r in kept} == {0}
