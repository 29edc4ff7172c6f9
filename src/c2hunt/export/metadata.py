"""How rule formats (Elastic TOML, Sigma) present the knowledge's `rule:` section.

The name, description, ATT&CK mapping, references and false-positive families themselves are
knowledge (`detection.yaml`, `rule:`); this module only shapes them for the targets.
"""

from __future__ import annotations

from c2hunt.errors import ExportError
from c2hunt.knowledge import AttackEntry, Knowledge

# Elastic's conventional risk score for each severity level.
RISK_SCORES = {"low": 21, "medium": 47, "high": 73, "critical": 99}


def attack_mapping(knowledge: Knowledge) -> tuple[AttackEntry, AttackEntry, AttackEntry]:
    """The tactic, technique and sub-technique of the knowledge's ATT&CK mapping."""
    entries = knowledge.rule.attack
    tactic = next((e for e in entries if e.id.startswith("TA")), None)
    technique = next((e for e in entries if e.id.startswith("T1") and "." not in e.id), None)
    sub = next((e for e in entries if e.id.startswith("T1") and "." in e.id), None)
    if tactic is None or technique is None or sub is None:
        raise ExportError(
            "the knowledge's rule.attack must name a tactic (TA...), a technique and a "
            "sub-technique",
            ", ".join(knowledge.sources),
        )
    return tactic, technique, sub


def sigma_tags(knowledge: Knowledge) -> list[str]:
    """Sigma's ATT&CK tags: the tactic by name, the sub-technique by id."""
    tactic, _, sub = attack_mapping(knowledge)
    return [f"attack.{tactic.name.lower().replace(' ', '-')}", f"attack.{sub.id.lower()}"]


def false_positives(knowledge: Knowledge) -> list[str]:
    return [fp.description for fp in knowledge.rule.false_positives]
