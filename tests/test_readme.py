"""The README is the front door: its examples must be what the code accepts."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from c2hunt.cli import build_parser
from c2hunt.tune import load_tuning

README = Path(__file__).resolve().parent.parent / "README.md"
TEXT = README.read_text(encoding="utf-8")
COMMANDS = [
    line.split("$ ", 1)[1].split("  #")[0].strip()
    for line in TEXT.splitlines()
    if line.startswith("$ c2hunt ")
]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_shown_parses(command: str) -> None:
    args = build_parser().parse_args(shlex.split(command)[1:])
    assert callable(args.run)


def test_the_tuning_example_loads(tmp_path: Path) -> None:
    (block,) = re.findall(r"```yaml\n(.*?)```", TEXT, flags=re.DOTALL)
    path = tmp_path / "example.yaml"
    path.write_text(block, encoding="utf-8")
    (suppression,) = load_tuning(path)
    assert suppression.name == "ci-runner-build-fetches"
    assert [c.field for c in suppression.match] == ["Computer", "User", "Image", "service"]


def test_the_install_and_test_commands_are_what_ci_runs() -> None:
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -e '.[dev]'" in TEXT and "pip install --quiet -e '.[dev]'" in ci
    assert "$ python -m pytest -q" in TEXT and ci.rstrip().endswith("python -m pytest -q")
