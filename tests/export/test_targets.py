"""Every target and profile against its locked golden file, and the spec's own query text.

Regenerate the golden files after an intended change with `C2HUNT_UPDATE_GOLDEN=1`, then read
the diff before committing it.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import pytest

from c2hunt import export, knowledge
from c2hunt.errors import ExportError

GOLDEN = Path(__file__).parent / "golden"
SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "spec"
SPEC_FILE = SPEC / "t1102.003-detection-spec.txt"
CASES = [(t, p) for t in export.TARGETS for p in export.PROFILES]


def rendered(target: str, profile: str, rules: Path | None = None) -> str:
    return export.join_documents(target, export.render(knowledge.load(rules), target, profile))


@pytest.mark.parametrize(("target", "profile"), CASES)
def test_output_equals_its_golden_file(target: str, profile: str) -> None:
    golden = GOLDEN / f"{target}-{profile}.txt"
    text = rendered(target, profile)
    if os.environ.get("C2HUNT_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def _without_comments(text: str) -> str:
    lines = [line for line in text.splitlines() if not line.startswith("//")]
    return " ".join(" ".join(lines).split())


def _spec_query(text: str) -> str:
    start = text.index("Sumo Detection Query\n") + len("Sumo Detection Query\n")
    end = text.index("| sort by _messageTime desc", start) + len("| sort by _messageTime desc")
    return text[start:end]


def test_sumo_spec_is_the_specification_query() -> None:
    if not SPEC_FILE.is_file():
        pytest.skip(f"specification not found at {SPEC_FILE} (it is not shipped with c2hunt)")
    spec = _spec_query(SPEC_FILE.read_text(encoding="utf-8"))
    assert _without_comments(rendered("sumo", "spec")) == " ".join(spec.split())


def test_sumo_spec_golden_holds_the_specification_query() -> None:
    """The golden copy keeps the comparison when the shared spec is absent."""
    text = (GOLDEN / "sumo-spec.txt").read_text(encoding="utf-8")
    assert _without_comments(text).startswith("(_sourceCategory=*windows* OR")
    assert len(re.findall(r'dest_host matches "\*[^"]+\*"', text)) == 17
    assert len(re.findall(r'proc_image matches "\*[^"]+"', text)) == 17
    assert 'matches "(?i).*(-encodedcommand|-enc \\\\S|frombase64string|base64).*"' in text


@pytest.mark.parametrize(("target", "profile"), CASES)
def test_header_names_version_knowledge_and_sources(target: str, profile: str) -> None:
    text = rendered(target, profile)
    assert f"c2hunt {export.common.__version__} export: {target}, profile {profile}" in text
    assert "Knowledge version 2026.12.03 from c2hunt/knowledge/detection.yaml" in text


@pytest.mark.parametrize("profile", export.PROFILES)
def test_elastic_rule_is_valid_toml_with_threat_mapping(profile: str) -> None:
    rule = tomllib.loads(rendered("elastic", profile))["rule"]
    technique = rule["threat"][0]["technique"][0]
    assert (technique["id"], technique["subtechnique"][0]["id"]) == ("T1102", "T1102.003")
    assert (rule["severity"], rule["risk_score"], rule["type"]) == ("medium", 47, "eql")
    assert rule["rule_id"] == export.common.rule_id(knowledge.load(), profile, "elastic-eql")


def test_precise_elastic_query_is_a_sequence_by_process_entity() -> None:
    query = tomllib.loads(rendered("elastic", "precise"))["rule"]["query"]
    assert query.startswith("sequence by process.entity_id\n")
    assert '[process where event.type == "start"' in query


def test_rule_ids_are_deterministic_and_follow_the_knowledge_version() -> None:
    kn = knowledge.load()
    first = export.common.rule_id(kn, "precise", "sigma-dns_query")
    assert first == export.common.rule_id(kn, "precise", "sigma-dns_query")
    assert first != export.common.rule_id(kn, "spec", "sigma-dns_query")


@pytest.mark.parametrize(
    ("target", "profile", "match"),
    [("qradar", "spec", "unknown target 'qradar'"), ("sumo", "loose", "unknown profile 'loose'")],
)
def test_unknown_target_or_profile(target: str, profile: str, match: str) -> None:
    with pytest.raises(ExportError, match=match):
        export.render(knowledge.load(), target, profile)


HOSTILE_RULES = """\
services:
  - {domain: my_c2.example, service: Hostile, category: paste}
binaries:
  - {image: "it's_100%$.exe", original_file_name: "we'ird%_$.dll", kind: downloader}
flags:
  slashy:
    field: CommandLine
    regex: 'a/b"c'
    weight: 2
"""


@pytest.fixture
def hostile_rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(HOSTILE_RULES, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("target", "pieces"),
    [
        (
            "sumo",
            [
                "|my_c2\\.example)$/",
                "|it's_100%\\$\\.exe)$/",
                '(?is).*(?:a\\/b"c).*/',
                "+ 2 * slashy",
            ],
        ),
        (
            "splunk",
            ["|my_c2\\\\.example)$", '"it\'s_100%$.exe")', '"(?i)(?:a/b\\"c)"', "+2*slashy"],
        ),
        (
            "sentinel",
            ["|my_c2\\.example)$", '@"it\'s_100%$.exe")', '@"(?i)(?:a/b""c)"', "+ 2 * slashy"],
        ),
        ("elastic", ["|my_c2\\\\.example)", '"it\'s_100%$.exe")', '"we\'ird%_$.dll"']),
        ("sigma", ["- my_c2.example", "- .my_c2.example", "- \\it's_100%$.exe", "- we'ird%_$.dll"]),
    ],
)
def test_hostile_rule_values_are_escaped(
    target: str, pieces: list[str], hostile_rules: Path
) -> None:
    text = rendered(target, "precise", hostile_rules)
    for piece in pieces:
        assert piece in text, piece


def test_hostile_rule_values_keep_toml_valid(hostile_rules: Path) -> None:
    rule = tomllib.loads(rendered("elastic", "precise", hostile_rules))["rule"]
    assert '"it\'s_100%$.exe"' in rule["query"]


def test_sentinel_refuses_a_flag_field_defender_does_not_carry(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("flags:\n  f: {field: ParentCommandLine, regex: x, weight: 1}\n")
    with pytest.raises(ExportError, match="'ParentCommandLine' has no DeviceNetworkEvents"):
        rendered("sentinel", "precise", rules)


def test_spec_profile_sets_a_flag_without_spec_text_to_zero(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("flags:\n  mine: {field: CommandLine, regex: x, weight: 1}\n")
    assert "| eval mine = 0" in rendered("sumo", "spec", rules)
    assert "| eval mine=0" in rendered("splunk", "spec", rules)
