from __future__ import annotations

from pathlib import Path

import pytest

from c2hunt import knowledge
from c2hunt.errors import RuleError


def test_packaged_knowledge_holds_the_specs_clauses_in_order() -> None:
    kn = knowledge.packaged()
    assert [s.spec_pattern for s in kn.spec_services][:3] == [
        "*twitter.com*",
        "*x.com*",
        "*github.com*",
    ]
    assert len(kn.spec_services) == 17
    assert len(kn.spec_binaries) == 17
    assert [f.name for f in kn.flags] == ["is_encoded", "is_office_parent", "is_service_spawn"]


def test_user_rules_extend_and_override(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "services:\n"
        "  - {domain: Example-C2.net, service: Example, category: paste}\n"
        "  - {domain: pastebin.com, service: Pastebin, category: messaging}\n"
    )
    kn = knowledge.load(rules)
    assert kn.service_for("example-c2.net").category == "paste"
    assert kn.service_for("pastebin.com").category == "messaging"
    assert len(kn.services) == len(knowledge.packaged().services) + 1


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            "services:\n  - {domain: 'bad domain', service: X, category: paste}\n",
            r"rules.yaml:2: .*DNS name",
        ),
        (
            "services:\n  - {domain: a.com, service: X, category: nope}\n",
            r"rules.yaml:2: unknown category",
        ),
        (
            "flags:\n  f:\n    field: CommandLine\n    regex: '('\n    weight: 1\n",
            r"rules.yaml:3: .*invalid regex",
        ),
        ("services: [\n", r"rules.yaml:\d+: not valid YAML"),
        ("- a\n- b\n", r"rules.yaml:1: the document must be a mapping"),
    ],
)
def test_malformed_rules_name_file_and_line(tmp_path: Path, text: str, match: str) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(text)
    with pytest.raises(RuleError, match=match):
        knowledge.load(rules)


def test_missing_rules_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="cannot read rule file"):
        knowledge.load(tmp_path / "absent.yaml")


def test_rule_section_names_the_specs_false_positive_families() -> None:
    rule = knowledge.packaged().rule
    assert [fp.key for fp in rule.false_positives] == [
        "ci_runner",
        "rmm_agent",
        "developer_webhooks",
    ]
    assert [a.id for a in rule.attack] == ["TA0011", "T1102", "T1102.003"]


def test_user_rule_section_replaces_only_what_it_names(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rule:\n  name: ACME web-service C2\n")
    rule = knowledge.load(rules).rule
    assert rule.name == "ACME web-service C2"
    assert rule.references == knowledge.packaged().rule.references


def test_unknown_rule_field_is_an_error(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rule:\n  titel: typo\n")
    with pytest.raises(RuleError, match=r"rules.yaml:2: unknown rule field 'titel'"):
        knowledge.load(rules)


def test_behaviour_comes_from_the_packaged_file_and_a_rule_file_changes_what_it_names(
    tmp_path: Path,
) -> None:
    packaged = knowledge.packaged().behaviour
    assert (packaged.polling_min_connections, packaged.bits_window_seconds) == (3, 120)
    assert "Invoke-Expression" in packaged.script_execute
    rules = tmp_path / "rules.yaml"
    rules.write_text("behaviour:\n  bits_window_seconds: 300\n  script_hide: ['-nop']\n")
    changed = knowledge.load(rules).behaviour
    assert (changed.bits_window_seconds, changed.script_hide) == (300, ("-nop",))
    assert changed.script_execute == packaged.script_execute


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("behaviour:\n  polling_min_score: high\n", r":2: field 'polling_min_score' must be a num"),
        ("behaviour:\n  polling_window: 5\n", r":2: unknown behaviour field 'polling_window'"),
        ("behaviour:\n  script_fetch: ['(']\n", r":2: 'script_fetch': invalid regex"),
        ("behaviour: [1]\n", r":1: 'behaviour' must be a mapping"),
    ],
)
def test_malformed_behaviour_names_its_line(tmp_path: Path, text: str, match: str) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(text)
    with pytest.raises(RuleError, match=match):
        knowledge.load(rules)
