from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from c2hunt.cli import main
from c2hunt.read import read_events


@pytest.mark.parametrize("fmt", ["xml", "jsonl", "flat"])
def test_simulate_writes_files_every_reader_accepts(tmp_path: Path, fmt: str) -> None:
    assert main(["simulate", "--out", str(tmp_path), "--format", fmt, "--seed", "3"]) == 0
    manifest = orjson.loads((tmp_path / "manifest.json").read_bytes())
    stream = read_events([tmp_path / name for name in manifest["files"]])
    rows = sum(batch.num_rows for batch in stream)
    assert rows == manifest["events"]
    assert stream.stats.records_rejected == 0
    assert stream.stats.records_read == manifest["events"]


def test_simulate_same_seed_same_bytes(tmp_path: Path) -> None:
    main(["simulate", "--out", str(tmp_path / "a"), "--seed", "9"])
    main(["simulate", "--out", str(tmp_path / "b"), "--seed", "9"])
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.xml"))
    assert len(files) > 10
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_simulate_into_a_file_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["simulate", "--out", str(target)]) == 2
    assert "cannot write the simulation" in capsys.readouterr().err


def test_the_logs_folder_holds_telemetry_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["simulate", "--out", str(tmp_path), "--format", "jsonl"]) == 0
    assert f"c2hunt hunt {tmp_path / 'logs'}" in capsys.readouterr().err
    assert main(["hunt", str(tmp_path / "logs"), "--strict", "--format", "jsonl"]) == 0
    summary = capsys.readouterr().err
    assert " 0 rejected" in summary and "0 skipped" in summary
