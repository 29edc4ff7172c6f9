"""The detection's knowledge (services, binaries, flags, weights) loaded from YAML.

The packaged `detection.yaml` is the only place this knowledge is written. A user's rule file
has the same layout: its services, binaries and flags replace packaged entries with the same
key (`domain`, `image`, flag name) and add the others; its scalars and lists replace ours.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from c2hunt.errors import RuleError

PACKAGED = "detection.yaml"
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9-]{1,63}$")
_IMAGE = re.compile(r"^[^\\/:*?\"<>|]+$")


@dataclass(frozen=True, slots=True)
class Category:
    key: str
    label: str
    weight: int


@dataclass(frozen=True, slots=True)
class Service:
    """A web service domain; matches the name itself and any name below it."""

    domain: str
    service: str
    category: str
    spec: bool = False
    spec_pattern: str | None = None


@dataclass(frozen=True, slots=True)
class Binary:
    """A script engine or living-off-the-land binary, by file name and PE OriginalFileName."""

    image: str
    original_file_name: str | None
    kind: str
    spec: bool = False
    spec_pattern: str | None = None


@dataclass(frozen=True, slots=True)
class Flag:
    """A triage flag: a case-insensitive regex over one process-creation field."""

    name: str
    field: str
    description: str
    regex: str
    spec_expression: str | None
    weight: int


@dataclass(frozen=True, slots=True)
class Signal:
    name: str
    weight: int
    description: str


@dataclass(frozen=True, slots=True)
class AddressRange:
    """Addresses a service publishes as its own, with where and when they were taken."""

    service_domain: str
    source: str
    taken: str
    cidrs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SeverityLevel:
    level: str
    min_score: int


@dataclass(frozen=True, slots=True)
class Behaviour:
    """Parameters and patterns of the behavioural signals (`behaviour:` in the YAML).

    The packaged file sets every field; a user's file changes only those it names.
    """

    polling_min_connections: int
    polling_full_count: int
    polling_min_score: float
    polling_min_dispersion_score: float
    polling_short_series: int
    polling_short_series_max_mad_seconds: float
    response_file_seconds: int
    bits_window_seconds: int
    # Case-insensitive regexes over a command line: svchost running the Schedule / BITS service.
    task_service_command: str
    bits_service_command: str
    # Case-insensitive regexes searched in a PowerShell script block (4104).
    script_fetch: tuple[str, ...]
    script_execute: tuple[str, ...]
    script_hide: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AttackEntry:
    """One ATT&CK tactic, technique or sub-technique the detection maps to."""

    id: str
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class FalsePositive:
    """A family of benign matches the specification names, keyed for tuning and emulation."""

    key: str
    description: str


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What rule formats and reports say of the detection besides its logic (`rule:`)."""

    name: str = "c2hunt detection"
    description: str = ""
    attack: tuple[AttackEntry, ...] = ()
    references: tuple[str, ...] = ()
    false_positives: tuple[FalsePositive, ...] = ()


@dataclass(frozen=True, slots=True)
class Knowledge:
    version: str
    categories: Mapping[str, Category]
    services: tuple[Service, ...]
    binaries: tuple[Binary, ...]
    flags: tuple[Flag, ...]
    signals: Mapping[str, Signal]
    address_ranges: tuple[AddressRange, ...]
    task_hosts: tuple[str, ...]
    severity: tuple[SeverityLevel, ...]
    behaviour: Behaviour
    # The specification's `fields` clause: these event fields, the flags, then the score.
    spec_event_fields: tuple[str, ...]
    score_field: str
    sources: tuple[str, ...] = field(default=())
    # Regexes (case-insensitive, searched) for a reverse-lookup or CDN name that names no service.
    reverse_names: tuple[str, ...] = field(default=())
    rule: RuleInfo = field(default=RuleInfo())

    @property
    def spec_fields(self) -> tuple[str, ...]:
        """The specification's output fields, in its order."""
        return (*self.spec_event_fields, *(f.name for f in self.flags), self.score_field)

    @property
    def spec_services(self) -> tuple[Service, ...]:
        """The specification's host clauses, in the query's order."""
        return tuple(s for s in self.services if s.spec)

    @property
    def spec_binaries(self) -> tuple[Binary, ...]:
        """The specification's image clauses, in the query's order."""
        return tuple(b for b in self.binaries if b.spec)

    def service_for(self, domain: str) -> Service:
        return next(s for s in self.services if s.domain == domain)

    def severity_for(self, score: int) -> str:
        """The first severity level, from the top, whose threshold `score` reaches."""
        for level in self.severity:
            if score >= level.min_score:
                return level.level
        return self.severity[-1].level


class _LineLoader(yaml.SafeLoader):
    """Safe YAML loader that records each mapping's line as `__line__`."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = {str(k): v for k, v in loader.construct_mapping(node, deep=True).items()}
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path | str, text: str) -> dict[str, Any]:
    """Parse a YAML document into a mapping whose nested mappings carry `__line__`."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise RuleError(f"not valid YAML: {exc.problem}", f"{path}:{line}") from None
    except yaml.YAMLError as exc:
        raise RuleError(f"not valid YAML: {exc}", str(path)) from None
    if data is None:
        return {"__line__": 1}
    if not isinstance(data, dict):
        raise RuleError("the document must be a mapping", f"{path}:1")
    return data


class _Reader:
    """Checks one document's values, raising RuleError with `path:line` on the first problem."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, node: Mapping[str, Any] | None, message: str) -> RuleError:
        line = node.get("__line__", 1) if isinstance(node, Mapping) else 1
        return RuleError(message, f"{self.path}:{line}")

    def get(self, node: Mapping[str, Any], key: str, kind: type, required: bool = True) -> Any:
        if key not in node:
            if required:
                raise self.fail(node, f"missing field '{key}'")
            return None
        value = node[key]
        if kind is str and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(node, f"field '{key}' must be {kind.__name__}, got {value!r}")
        return value

    def items(self, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(data, f"'{key}' must be a list of mappings")
        return value


def _service(r: _Reader, node: Mapping[str, Any], categories: Mapping[str, Category]) -> Service:
    domain = r.get(node, "domain", str).strip().lower().rstrip(".")
    if not _DOMAIN.match(domain):
        raise r.fail(node, f"field 'domain' is not a DNS name: {domain!r}")
    category = r.get(node, "category", str)
    if category not in categories:
        raise r.fail(node, f"unknown category {category!r}; known: {', '.join(categories)}")
    return Service(
        domain=domain,
        service=r.get(node, "service", str),
        category=category,
        spec=bool(node.get("spec", False)),
        spec_pattern=r.get(node, "spec_pattern", str, required=False),
    )


def _binary(r: _Reader, node: Mapping[str, Any]) -> Binary:
    image = r.get(node, "image", str).strip().lower()
    if not _IMAGE.match(image):
        raise r.fail(node, f"field 'image' must be a file name, got {image!r}")
    return Binary(
        image=image,
        original_file_name=r.get(node, "original_file_name", str, required=False),
        kind=r.get(node, "kind", str, required=False) or "other",
        spec=bool(node.get("spec", False)),
        spec_pattern=r.get(node, "spec_pattern", str, required=False),
    )


def _flag(r: _Reader, name: str, node: Mapping[str, Any]) -> Flag:
    regex = r.get(node, "regex", str)
    try:
        re.compile(regex)
    except re.error as exc:
        raise r.fail(node, f"flag '{name}': invalid regex: {exc}") from None
    return Flag(
        name=name,
        field=r.get(node, "field", str),
        description=r.get(node, "description", str, required=False) or name,
        regex=regex,
        spec_expression=r.get(node, "spec_expression", str, required=False),
        weight=r.get(node, "weight", int),
    )


def _address_range(r: _Reader, node: Mapping[str, Any]) -> AddressRange:
    cidrs = node.get("cidrs")
    if not isinstance(cidrs, list):
        raise r.fail(node, "field 'cidrs' must be a list")
    for cidr in cidrs:
        try:
            ipaddress.ip_network(str(cidr))
        except ValueError:
            raise r.fail(node, f"not a network: {cidr!r}") from None
    return AddressRange(
        service_domain=r.get(node, "service_domain", str).lower(),
        source=r.get(node, "source", str),
        taken=r.get(node, "taken", str),
        cidrs=tuple(str(c) for c in cidrs),
    )


def _regex_list(r: _Reader, data: Mapping[str, Any], key: str) -> list[str] | None:
    """A list of regular expressions, each checked to compile; None when the key is absent."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise r.fail(data, f"'{key}' must be a list of regular expressions")
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise r.fail(data, f"'{key}': invalid regex {pattern!r}: {exc}") from None
    return value


def _behaviour(r: _Reader, data: Mapping[str, Any], base: Knowledge | None) -> Behaviour:
    """The `behaviour:` section: complete in the packaged file, any subset in a user's."""
    node = data.get("behaviour")
    if node is None and base is not None:
        return base.behaviour
    if not isinstance(node, dict):
        raise r.fail(data, "'behaviour' must be a mapping of the behavioural signals' settings")
    unknown = sorted(set(node) - set(Behaviour.__dataclass_fields__) - {"__line__"})
    if unknown:
        raise r.fail(node, f"unknown behaviour field '{unknown[0]}'")
    values: dict[str, Any] = {}
    for spec in fields(Behaviour):
        if spec.name in node:
            values[spec.name] = _behaviour_value(r, node, spec.name, str(spec.type))
        elif base is None:
            raise r.fail(node, f"missing behaviour field '{spec.name}'")
    return replace(base.behaviour, **values) if base else Behaviour(**values)


def _behaviour_value(r: _Reader, node: Mapping[str, Any], name: str, kind: str) -> Any:
    """One `behaviour:` value, checked against its field's declared type."""
    if kind.startswith("tuple"):
        return tuple(_regex_list(r, node, name) or ())
    if kind == "str":
        return (_regex_list(r, {**node, name: [node[name]]}, name) or [""])[0]
    if kind == "float":
        number = node[name]
        if not isinstance(number, int | float) or isinstance(number, bool):
            raise r.fail(node, f"field '{name}' must be a number, got {number!r}")
        return float(number)
    return r.get(node, name, int)


def _rule_info(r: _Reader, data: Mapping[str, Any], base: Knowledge | None) -> RuleInfo:
    """The `rule:` section; fields it names replace the base's, the others are kept."""
    current = base.rule if base else RuleInfo()
    node = data.get("rule")
    if node is None:
        return current
    if not isinstance(node, dict):
        raise r.fail(data, "'rule' must be a mapping")
    values: dict[str, Any] = {}
    for name in ("name", "description"):
        if name in node:
            values[name] = r.get(node, name, str).strip()
    if "attack" in node:
        values["attack"] = tuple(
            AttackEntry(r.get(n, "id", str), r.get(n, "name", str), r.get(n, "url", str))
            for n in r.items(node, "attack")
        )
    if "references" in node:
        references = node["references"]
        if not isinstance(references, list) or not all(isinstance(x, str) for x in references):
            raise r.fail(node, "'references' must be a list of URLs")
        values["references"] = tuple(references)
    if "false_positives" in node:
        values["false_positives"] = tuple(
            FalsePositive(r.get(n, "key", str), " ".join(r.get(n, "description", str).split()))
            for n in r.items(node, "false_positives")
        )
    unknown = sorted(set(node) - set(RuleInfo.__dataclass_fields__) - {"__line__"})
    if unknown:
        raise r.fail(node, f"unknown rule field '{unknown[0]}'")
    return replace(current, **values)


def _spec_output(r: _Reader, data: Mapping[str, Any], base: Knowledge | None) -> dict[str, Any]:
    """`spec_output:` as the Knowledge fields it sets; required in the packaged file."""
    node = data.get("spec_output")
    if node is None and base is not None:
        return {"spec_event_fields": base.spec_event_fields, "score_field": base.score_field}
    if not isinstance(node, dict):
        raise r.fail(data, "'spec_output' must be a mapping with 'fields' and 'score'")
    fields_ = node.get("fields")
    if not isinstance(fields_, list) or not all(isinstance(f, str) and f for f in fields_):
        raise r.fail(node, "'spec_output.fields' must be a list of field names")
    return {"spec_event_fields": tuple(fields_), "score_field": r.get(node, "score", str)}


def _merge(base: list[Any], extra: Iterable[Any], key: str) -> list[Any]:
    """Entries of `extra` replace those of `base` with the same key; new ones are appended."""
    merged = {getattr(item, key): item for item in base}
    merged.update({getattr(item, key): item for item in extra})
    return list(merged.values())


def _build(r: _Reader, data: Mapping[str, Any], base: Knowledge | None) -> Knowledge:
    categories = dict(base.categories) if base else {}
    for key, node in (data.get("categories") or {}).items():
        if key == "__line__":
            continue
        if not isinstance(node, dict):
            raise r.fail(data, f"category '{key}' must be a mapping")
        categories[key] = Category(key, r.get(node, "label", str), r.get(node, "weight", int))

    services = [_service(r, n, categories) for n in r.items(data, "services")]
    binaries = [_binary(r, n) for n in r.items(data, "binaries")]
    flag_nodes = data.get("flags") or {}
    flags = [_flag(r, k, v) for k, v in flag_nodes.items() if k != "__line__"]
    signals = dict(base.signals) if base else {}
    for key, node in (data.get("signals") or {}).items():
        if key != "__line__":
            desc = r.get(node, "description", str, required=False) or key
            signals[key] = Signal(key, r.get(node, "weight", int), desc)
    ranges = [_address_range(r, n) for n in r.items(data, "address_ranges")]
    severity = [
        SeverityLevel(r.get(n, "level", str), r.get(n, "min_score", int))
        for n in r.items(data, "severity")
    ]
    task_hosts = data.get("task_hosts")
    if task_hosts is not None and not isinstance(task_hosts, list):
        raise r.fail(data, "'task_hosts' must be a list of file names")
    reverse_names = _regex_list(r, data, "reverse_names")

    return Knowledge(
        version=str(data.get("version") or (base.version if base else "unversioned")),
        categories=categories,
        services=tuple(_merge(list(base.services) if base else [], services, "domain")),
        binaries=tuple(_merge(list(base.binaries) if base else [], binaries, "image")),
        flags=tuple(_merge(list(base.flags) if base else [], flags, "name")),
        signals=signals,
        address_ranges=tuple(
            _merge(list(base.address_ranges) if base else [], ranges, "service_domain")
        ),
        task_hosts=tuple(str(t).lower() for t in task_hosts)
        if task_hosts is not None
        else (base.task_hosts if base else ()),
        severity=tuple(sorted(severity, key=lambda s: -s.min_score))
        if severity
        else (base.severity if base else ()),
        sources=((*base.sources, r.path) if base else (r.path,)),
        reverse_names=tuple(reverse_names)
        if reverse_names is not None
        else (base.reverse_names if base else ()),
        behaviour=_behaviour(r, data, base),
        rule=_rule_info(r, data, base),
        **_spec_output(r, data, base),
    )


@cache
def packaged() -> Knowledge:
    """The knowledge shipped with c2hunt."""
    text = resources.files(__package__).joinpath(PACKAGED).read_text(encoding="utf-8")
    return _build(_Reader(f"c2hunt/knowledge/{PACKAGED}"), read_yaml(PACKAGED, text), None)


def load(rules: Path | str | None = None) -> Knowledge:
    """The packaged knowledge, extended or overridden by a user's rule file when given."""
    base = packaged()
    if rules is None:
        return base
    path = Path(rules)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"cannot read rule file: {exc}", str(path)) from None
    return _build(_Reader(str(path)), read_yaml(path, text), base)
