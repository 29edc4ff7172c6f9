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
    assert "c2hunt: 8 finding(s), profile precise" in captured.out
    assert "records: 27 read, 27 used, 0 rejected" in captured.err


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
        assert len(list(csv.reader(text))) == 1 + 8
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM findings").fetchone() == (8,)
    assert con.execute("SELECT count(*) FROM events").fetchone() == (27,)
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
