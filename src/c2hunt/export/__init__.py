"""The same detection for Sumo Logic, Splunk, Sentinel, Elastic and Sigma.

Every target is a module with `render(knowledge, profile) -> tuple[Document, ...]`, built
only from `c2hunt.knowledge` (services, binaries, flags, weights, severity), so a user's rule
file reaches every SIEM without anyone retyping a list. A target returns one document per
query or rule it emits; `join_documents` puts them in one text, `write_documents` writes them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from c2hunt.errors import ExportError
from c2hunt.knowledge import Knowledge

from . import elastic, sentinel, sigma, splunk, sumo
from .common import PROFILES, Document, check_profile

__all__ = [
    "PROFILES",
    "TARGETS",
    "Document",
    "Target",
    "join_documents",
    "render",
    "write_documents",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Target:
    """An export target: its renderer and how several of its documents share one file."""

    render: Callable[[Knowledge, str], tuple[Document, ...]]
    separator: str
    description: str


TARGETS: dict[str, Target] = {
    "sumo": Target(sumo.render, "\n", "Sumo Logic query over Sysmon event 3"),
    "splunk": Target(splunk.render, "\n", "Splunk SPL over the Splunk Add-on for Sysmon"),
    "sentinel": Target(
        sentinel.render, "\n", "Sentinel/Defender KQL: DeviceNetworkEvents and Sysmon in Event"
    ),
    "elastic": Target(elastic.render, "\n", "Elastic EQL rule as detection-rules TOML"),
    "sigma": Target(sigma.render, "---\n", "Sigma network_connection and dns_query rules"),
}


def render(knowledge: Knowledge, target: str, profile: str) -> tuple[Document, ...]:
    """The documents of one target and profile."""
    if target not in TARGETS:
        raise ExportError(f"unknown target {target!r}; known: {', '.join(TARGETS)}")
    documents = TARGETS[target].render(knowledge, check_profile(profile))
    log.debug("rendered %d document(s) for %s/%s", len(documents), target, profile)
    return documents


def join_documents(target: str, documents: tuple[Document, ...]) -> str:
    """All documents as one text: queries one after another, Sigma as multi-document YAML."""
    return TARGETS[target].separator.join(d.text for d in documents)


def write_documents(target: str, documents: tuple[Document, ...], output: Path) -> list[Path]:
    """Write to `output`: into it, one file per document, when it is an existing directory;
    otherwise all documents joined into that one file. Returns the paths written."""
    if output.is_dir():
        writes = [(output / d.name, d.text) for d in documents]
    else:
        writes = [(output, join_documents(target, documents))]
    for path, text in writes:
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ExportError(
                f"cannot write the export: {exc.strerror or exc}", str(path)
            ) from None
        log.info("wrote %s", path)
    return [path for path, _ in writes]
