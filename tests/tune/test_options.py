from __future__ import annotations

from pathlib import Path

import pytest

from c2hunt.cli import main
from c2hunt.emulate import simulate, write
from c2hunt.tune import EXAMPLES


@pytest.fixture(scope="module")
def telemetry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    write(simulate(1102), out, "jsonl")
    (out / "manifest.json").unlink()
    return out


def test_hunt_with_tuning_counts_and_lists(
    telemetry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["hunt", str(telemetry), "--format", "csv", "--tuning", str(EXAMPLES)]
    assert main([*args, "--show-suppressed"]) == 0
    captured = capsys.readouterr()
    assert "suppressed 8 finding(s) by 'developer-webhook-testing'" in captured.err
    assert "by 'rmm-agent-config-sync': WS-OPS-12 " in captured.err
    assert all(host not in captured.out for host in ("BUILD-AGENT-03", "WS-OPS-12", "DEV-LAPTOP"))
    assert "WS-ARGUS-01" in captured.out


def test_expired_suppression_is_reported(
    telemetry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tuning = tmp_path / "t.yaml"
    tuning.write_text(
        "suppressions:\n  - name: old\n    reason: r\n    expires: 2020-01-01\n"
        "    match: {Computer: DEV-LAPTOP-22}\n"
    )
    assert main(["hunt", str(telemetry), "--format", "csv", "--tuning", str(tuning)]) == 0
    captured = capsys.readouterr()
    assert f"suppression 'old' expired on 2020-01-01 ({tuning}:2); it no longer applies" in (
        captured.err
    )
    assert "DEV-LAPTOP-22" in captured.out


def test_invalid_tuning_is_a_one_line_error(
    telemetry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tuning = tmp_path / "t.yaml"
    tuning.write_text("suppressions:\n  - name: x\n    match: {User: y}\n")
    assert main(["hunt", str(telemetry), "--tuning", str(tuning)]) == 2
    assert f"c2hunt: error: {tuning}:2: missing field 'reason'" in capsys.readouterr().err
