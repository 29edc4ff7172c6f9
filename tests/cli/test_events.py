"""`c2hunt events`: output formats, filters, summary on stderr and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from c2hunt.cli import main
from c2hunt.cli._common import EXIT_INPUT_FAILED, EXIT_OK, EXIT_REJECTED

SYSMON = "Microsoft-Windows-Sysmon/Operational"
EVENTS = [
    {"EventID": 1, "Channel": SYSMON, "Image": "C:\\a.exe", "UtcTime": "2024-01-01 00:00:00.000"},
    {"EventID": 3, "Channel": SYSMON, "Image": "C:\\a.exe", "DestinationPort": "443"},
    {"EventID": 4688, "Channel": "Security", "NewProcessName": "C:\\b.exe"},
]


@pytest.fixture
def events_file(tmp_path: Path) -> Path:
    path = tmp_path / "in.json"
    path.write_text("\n".join(json.dumps(event) for event in EVENTS) + "\n")
    return path


def test_jsonl_to_stdout_with_summary(events_file: Path, capfd: pytest.CaptureFixture[str]) -> None:
    code = main(["events", str(events_file)])
    out, err = capfd.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]

    assert code == EXIT_OK
    assert [row["EventID"] for row in rows] == [1, 3, 4688]
    assert rows[2]["Image"] == "C:\\b.exe"
    assert rows[0]["_messageTime"] == 1704067200000
    assert "records: 3 read, 3 used, 0 rejected" in err
    assert f"  {SYSMON}, 3: 1" in err.splitlines()


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_formats_and_filters(events_file: Path, tmp_path: Path, fmt: str) -> None:
    output = tmp_path / f"out.{fmt}"
    args = ["events", str(events_file), "--format", fmt, "-o", str(output)]
    code = main([*args, "--event-id", "3", "--event-id", "4688", "--channel", SYSMON.upper()])

    if fmt == "jsonl":
        rows = [json.loads(line) for line in output.read_text().splitlines()]
    elif fmt == "csv":
        rows = pa_csv.read_csv(output).to_pylist()
    else:
        rows = pq.read_table(output).to_pylist()
    assert code == EXIT_OK
    assert [(row["EventID"], row["DestinationPort"]) for row in rows] == [(3, 443)]


def test_strict_exits_non_zero_on_rejection(
    events_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with events_file.open("a") as out:
        out.write("{broken\n")
    output = str(tmp_path / "o.jsonl")

    assert main(["events", str(events_file), "-o", output]) == EXIT_OK
    assert main(["events", str(events_file), "-o", output, "--strict"]) == EXIT_REJECTED
    err = capsys.readouterr().err
    assert "rejected invalid-json: 1" in err
    assert f"e.g. {events_file}:4: invalid-json:" in err


def test_missing_path_is_named_and_others_read(
    events_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.evtx"
    output = tmp_path / "o.jsonl"
    code = main(["events", str(missing), str(events_file), "-o", str(output)])
    err = capsys.readouterr().err

    assert code == EXIT_INPUT_FAILED
    assert f"failed: {missing}: no such file or directory" in err
    assert len(output.read_text().splitlines()) == 3


def test_damaged_evtx_summary(
    datasets: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = datasets / "evtx" / "sysmon_corrupt_chunk.evtx"
    output = tmp_path / "o.parquet"
    code = main(["events", str(path), "--format", "parquet", "-o", str(output), "--strict"])
    err = capsys.readouterr().err

    assert code == EXIT_REJECTED
    assert pq.read_table(output).num_rows == 358
    assert "damaged EVTX chunks: 8" in err
    assert f"{path}: chunks 9, 10, 11, 12, 13, 14, 15, 16" in err


def test_unwritable_output_is_a_clear_error(
    events_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing-dir" / "o.csv"
    code = main(["events", str(events_file), "--format", "csv", "-o", str(target)])

    assert code == 2
    assert f"c2hunt: error: {target}: cannot write events" in capsys.readouterr().err
