from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from c2hunt import export, knowledge
from c2hunt.cli import main


def expected(target: str, profile: str) -> str:
    documents = export.render(knowledge.load(), target, profile)
    return export.join_documents(target, documents)


@pytest.mark.parametrize("target", list(export.TARGETS))
@pytest.mark.parametrize("profile", export.PROFILES)
def test_prints_every_target_and_profile(
    target: str, profile: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--to", target, "--profile", profile]) == 0
    assert capsys.readouterr().out == expected(target, profile)


def test_profile_defaults_to_precise(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--to", "sumo"]) == 0
    assert capsys.readouterr().out == expected("sumo", "precise")


def test_output_file_holds_all_documents(tmp_path: Path) -> None:
    out = tmp_path / "rules.yml"
    assert main(["export", "--to", "sigma", "--output", str(out)]) == 0
    documents = list(yaml.safe_load_all(out.read_text(encoding="utf-8")))
    assert [d["logsource"]["category"] for d in documents] == ["network_connection", "dns_query"]


def test_output_directory_gets_one_file_per_document(tmp_path: Path) -> None:
    assert main(["export", "--to", "splunk", "--output", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "c2hunt-t1102.003-precise-joined.spl",
        "c2hunt-t1102.003-precise-network.spl",
    ]


def test_rules_file_reaches_the_query(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("services:\n  - {domain: c2.example, service: Mine, category: paste}\n")
    assert main(["export", "--to", "sumo", "--rules", str(rules)]) == 0
    out = capsys.readouterr().out
    assert "|c2\\.example)$/" in out
    assert f"from c2hunt/knowledge/detection.yaml, {rules}" in out


def test_bad_rules_file_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("services:\n  - {domain: 'bad domain', service: X, category: paste}\n")
    assert main(["export", "--to", "sigma", "--rules", str(rules)]) == 2
    err = capsys.readouterr().err
    assert err == f"c2hunt: error: {rules}:2: field 'domain' is not a DNS name: 'bad domain'\n"


def test_missing_rules_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--to", "sumo", "--rules", str(tmp_path / "none.yaml")]) == 2
    assert "none.yaml: cannot read rule file" in capsys.readouterr().err


def test_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "missing" / "rules.toml"
    assert main(["export", "--to", "elastic", "--output", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == f"c2hunt: error: {out}: cannot write the export: No such file or directory\n"


def test_unknown_target_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit, match="2"):
        main(["export", "--to", "qradar"])
    assert "invalid choice: 'qradar'" in capsys.readouterr().err
