"""Elastic Security: an EQL rule over ECS fields, packaged as a detection-rules style TOML.

`precise` is a sequence by `process.entity_id`: the process start of a listed binary (by
`process.name` or `process.pe.original_file_name`), then a DNS query or connection from the
same process to a listed domain or a name below it. `spec` has no sequence, as the
specification correlates nothing: Sysmon 3 events whose `destination.domain` holds a spec
host pattern and whose `process.executable` ends with a spec image pattern. EQL filters and
cannot compute the triage flags or score; the rule's note lists them for the analyst.
"""

from __future__ import annotations

from c2hunt.knowledge import Knowledge

from . import metadata
from .common import (
    Document,
    Wildcard,
    base_severity,
    comment_block,
    domains,
    header_lines,
    images,
    knowledge_date,
    original_file_names,
    rule_id,
    spec_host_patterns,
    spec_image_patterns,
)
from .escape import backslash_string, lucene_regex_literal, toml_string

INDEX = ("logs-windows.sysmon_operational-*", "winlogbeat-*", "logs-endpoint.events.*")
# Sysmon field a flag reads -> the ECS field of the process start event.
ECS_FIELDS = {
    "CommandLine": "process.command_line",
    "ParentImage": "process.parent.executable",
    "ParentCommandLine": "process.parent.command_line",
    "Image": "process.executable",
    "User": "user.name",
}


def render(knowledge: Knowledge, profile: str) -> tuple[Document, ...]:
    query = _spec_query(knowledge) if profile == "spec" else _precise_query(knowledge)
    title = {"spec": "the specification's semantics", "precise": "sequence by process"}[profile]
    header = comment_block(header_lines(knowledge, "elastic", profile, title), "#")
    text = header + "\n".join(_toml(knowledge, profile, query)) + "\n"
    return (Document(f"c2hunt-t1102.003-{profile}.toml", text),)


def _precise_query(knowledge: Knowledge) -> str:
    names = ", ".join(backslash_string(i) for i in images(knowledge))
    originals = ", ".join(backslash_string(n) for n in original_file_names(knowledge))
    alternatives = "|".join(lucene_regex_literal(d) for d in domains(knowledge))
    domain = backslash_string(f"(.*\\.)?({alternatives})")
    return "\n".join(
        [
            "sequence by process.entity_id",
            '  [process where event.type == "start" and',
            f"    (process.name in~ ({names}) or",
            f"     process.pe.original_file_name in~ ({originals}))]",
            "  [network where",
            f"    (dns.question.name regex~ {domain} or",
            f"     destination.domain regex~ {domain})]",
        ]
    )


def _spec_query(knowledge: Knowledge) -> str:
    hosts = [_pattern_test("destination.domain", p) for p in spec_host_patterns(knowledge)]
    procs = [_pattern_test("process.executable", p) for p in spec_image_patterns(knowledge)]
    return "\n".join(
        [
            'network where event.code == "3" and',
            "  (" + " or\n   ".join(hosts or ["false"]) + ") and",
            "  (" + " or\n   ".join(procs or ["false"]) + ")",
        ]
    )


def _pattern_test(field: str, pattern: Wildcard) -> str:
    """`like~` for plain wildcard patterns; `regex~` when a part holds `?` or `\\`, which EQL
    wildcards would read as syntax."""
    if any(c in part for part in pattern.parts for c in "?\\"):
        return f"{field} regex~ {backslash_string(pattern.lucene_regex())}"
    return f"{field} like~ {backslash_string('*'.join(pattern.parts))}"


def _note(knowledge: Knowledge) -> str:
    lines = [
        "## Triage",
        "",
        "The score adds these flags of the process that made the connection (weights in "
        "brackets); each is a case-insensitive regular expression:",
        "",
    ]
    for flag in knowledge.flags:
        field = ECS_FIELDS.get(flag.field, flag.field)
        lines.append(
            f"- `{flag.name}` [{flag.weight}]: {flag.description}; `{field}` matches `{flag.regex}`"
        )
    lines += ["", "Known benign sources:", ""]
    lines += [f"- {fp}" for fp in metadata.false_positives(knowledge)]
    return "\n".join(lines)


def _toml(knowledge: Knowledge, profile: str, query: str) -> list[str]:
    date = knowledge_date(knowledge).strftime("%Y/%m/%d")
    severity = base_severity(knowledge)
    name = f"{knowledge.rule.name} ({profile})"
    tactic, technique, sub = metadata.attack_mapping(knowledge)
    return [
        "[metadata]",
        f'creation_date = "{date}"',
        'integration = ["windows", "endpoint"]',
        'maturity = "development"',
        f'updated_date = "{date}"',
        "",
        "[rule]",
        'author = ["c2hunt"]',
        f"description = {toml_string(knowledge.rule.description)}",
        "false_positives = [",
        *(f"    {_basic(fp)}," for fp in metadata.false_positives(knowledge)),
        "]",
        'from = "now-9m"',
        "index = [" + ", ".join(_basic(i) for i in INDEX) + "]",
        'language = "eql"',
        'license = "Apache-2.0"',
        f"name = {_basic(name)}",
        f"note = {toml_string(_note(knowledge))}",
        "references = [" + ", ".join(_basic(r) for r in knowledge.rule.references) + "]",
        f"risk_score = {metadata.RISK_SCORES.get(severity, 47)}",
        f'rule_id = "{rule_id(knowledge, profile, "elastic-eql")}"',
        f'severity = "{severity}"',
        'tags = ["Domain: Endpoint", "OS: Windows", "Use Case: Threat Detection", '
        '"Tactic: Command and Control", "Data Source: Sysmon"]',
        'type = "eql"',
        "",
        f"query = {toml_string(query)}",
        "",
        "[[rule.threat]]",
        'framework = "MITRE ATT&CK"',
        "",
        "[[rule.threat.technique]]",
        f'id = "{technique.id}"',
        f'name = "{technique.name}"',
        f'reference = "{technique.url}"',
        "",
        "[[rule.threat.technique.subtechnique]]",
        f'id = "{sub.id}"',
        f'name = "{sub.name}"',
        f'reference = "{sub.url}"',
        "",
        "[rule.threat.tactic]",
        f'id = "{tactic.id}"',
        f'name = "{tactic.name}"',
        f'reference = "{tactic.url}"',
    ]


def _basic(text: str) -> str:
    """A one-line TOML basic string."""
    return backslash_string(text)
