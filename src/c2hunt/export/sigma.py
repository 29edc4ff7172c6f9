"""Sigma rules: `network_connection` (Sysmon 3) and `dns_query` (Sysmon 22) for Windows.

`precise` matches a host equal to a listed domain (`DestinationHostname` / `QueryName`) or
ending with `.domain`, and an image whose path ends with `\\<file name>`, whose value is the
bare file name, or whose OriginalFileName is listed (Sigma compares case-insensitively).
`spec` is the specification's query as one `network_connection` rule: `|contains` host
patterns and `|endswith` image patterns. Sigma rules select events and carry no scores, so
the triage flags are not part of them.
"""

from __future__ import annotations

from typing import Any

import yaml

from c2hunt import __version__
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
from .escape import sigma_literal

# Log source category -> the field holding the host name the process looked up or reached.
HOST_FIELDS = {"network_connection": "DestinationHostname", "dns_query": "QueryName"}
_MODIFIERS = {"contains": "|contains", "endswith": "|endswith", "startswith": "|startswith"}


def render(knowledge: Knowledge, profile: str) -> tuple[Document, ...]:
    categories = ("network_connection",) if profile == "spec" else tuple(HOST_FIELDS)
    return tuple(_document(knowledge, profile, c) for c in categories)


def _document(knowledge: Knowledge, profile: str, category: str) -> Document:
    rule = _rule(knowledge, profile, category)
    header = comment_block(header_lines(knowledge, "sigma", profile, category), "#")
    body = yaml.safe_dump(rule, sort_keys=False, allow_unicode=True, width=100)
    return Document(f"c2hunt-t1102.003-{profile}-{category}.yml", header + body)


def _rule(knowledge: Knowledge, profile: str, category: str) -> dict[str, Any]:
    what = "connects to" if category == "network_connection" else "looks up"
    detection = (
        _spec_detection(knowledge)
        if profile == "spec"
        else _precise_detection(knowledge, HOST_FIELDS[category])
    )
    return {
        "title": f"Script Engine or LOLBin {what.capitalize()} a One-Way C2 Web Service",
        "id": rule_id(knowledge, profile, f"sigma-{category}"),
        "status": "experimental",
        "description": f"{knowledge.rule.description} Profile {profile}: the process {what} the "
        f"service (c2hunt knowledge {knowledge.version}).",
        "references": list(knowledge.rule.references),
        "author": f"c2hunt {__version__}",
        "date": knowledge_date(knowledge).isoformat(),
        "tags": metadata.sigma_tags(knowledge),
        "logsource": {"category": category, "product": "windows"},
        "detection": detection,
        "falsepositives": metadata.false_positives(knowledge),
        "level": base_severity(knowledge),
    }


def _precise_detection(knowledge: Knowledge, host_field: str) -> dict[str, Any]:
    listed = domains(knowledge)
    names = images(knowledge)
    return {
        "selection_domain": {host_field: [sigma_literal(d) for d in listed]},
        "selection_subdomain": {f"{host_field}|endswith": [sigma_literal("." + d) for d in listed]},
        "selection_image_path": {
            "Image|endswith": [sigma_literal(sep + n) for n in names for sep in ("\\", "/")]
        },
        "selection_image_name": {"Image": [sigma_literal(n) for n in names]},
        "selection_image_original": {
            "OriginalFileName": [sigma_literal(n) for n in original_file_names(knowledge)]
        },
        "condition": "1 of selection_*domain and 1 of selection_image_*",
    }


def _spec_detection(knowledge: Knowledge) -> dict[str, Any]:
    return {
        "selection_host": _pattern_selection("DestinationHostname", spec_host_patterns(knowledge)),
        "selection_image": _pattern_selection("Image", spec_image_patterns(knowledge)),
        "condition": "selection_host and selection_image",
    }


def _pattern_selection(field: str, patterns: tuple[Wildcard, ...]) -> list[dict[str, list[str]]]:
    """One map per modifier; the maps of a list are alternatives (OR)."""
    grouped: dict[str, list[str]] = {}
    for pattern in patterns:
        modifier = _MODIFIERS.get(pattern.shape, "")
        if pattern.shape in _MODIFIERS or pattern.shape == "equals":
            value = sigma_literal(pattern.literal)
        else:
            value = "*".join(sigma_literal(p) for p in pattern.parts)
        grouped.setdefault(field + modifier, []).append(value)
    return [{key: values} for key, values in grouped.items()]
