from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from c2hunt.cli import main
from c2hunt.emulate.validation import validate


@pytest.mark.parametrize("fmt", ["xml", "jsonl", "flat"])
def test_validate_passes(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", fmt]) == 0
    out = capsys.readouterr().out
    for name in (
        "benign_baseline",
        "test1_pastebin_powershell",
        "test2_github_python",
        "test3_telegram_curl",
        "test4_scheduled_task",
        "bits_transfer",
        "security_5156",
        "fp_ci_runner",
        "fp_rmm_agent",
        "fp_developer_curl",
    ):
        assert name in out
    assert "MISS" not in out


def test_matrix_rows(tmp_path: Path) -> None:
    checks = {c.scenario: c for c in validate(tmp_path, seed=1102, fmt="jsonl")}
    assert all(c.ok for c in checks.values())
    assert checks["test1_pastebin_powershell"].severity == "critical"
    assert checks["test4_scheduled_task"].found.startswith("2 finding(s): ")
    assert checks["benign_baseline"].found == "nothing reported"
    bits, wfp = checks["bits_transfer"], checks["security_5156"]
    assert (bits.kind, bits.expected, bits.found, bits.score, bits.severity) == (
        "source",
        "bits_transfer, url_in_command_line (from bits_url)",
        "2 finding(s) from bits_url: bits_transfer, url_in_command_line",
        6,
        "high",
    )
    assert (wfp.kind, wfp.expected, wfp.found, wfp.score, wfp.severity) == (
        "source",
        "url_in_command_line (from dns_process)",
        "1 finding(s) from dns_process: url_in_command_line",
        4,
        "medium",
    )


def test_expired_tuning_is_a_miss(tmp_path: Path) -> None:
    """After the example suppressions expire, the false-positive families are reported again."""
    checks = {c.scenario: c for c in validate(tmp_path, fmt="jsonl", today=date(2031, 1, 1))}
    assert [n for n, c in checks.items() if not c.ok] == [
        "fp_ci_runner",
        "fp_rmm_agent",
        "fp_developer_curl",
    ]
    assert checks["fp_rmm_agent"].found.endswith("0/24 findings suppressed")


def test_keep_writes_the_simulation(tmp_path: Path) -> None:
    assert main(["validate", "--format", "jsonl", "--keep", str(tmp_path)]) == 0
    assert (tmp_path / "manifest.json").is_file()
