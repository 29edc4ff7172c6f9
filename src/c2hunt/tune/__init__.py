"""Tuning: reviewed suppressions of known benign automation, applied to the `findings` table.

A tuning file (YAML) lists suppressions::

    suppressions:
      - name: ci-runner-build-fetches          # required, unique
        reason: "build agents fetch sources"    # required: why this is benign
        expires: 2026-12-31                     # optional: stops applying after this day
        match:                                  # all conditions must hold (AND)
          Computer: {glob: "BUILD-AGENT-*"}
          User: "NT AUTHORITY\\SYSTEM"         # a bare value means equals
          service: {any_of: [GitHub, Google APIs]}
        any:                                    # optional: at least one group must hold
          - {Image: {regex: '\\\\node\\.exe$'}}
          - {ParentImage: {glob: "*\\Runner.Worker.exe"}}

Fields are the columns of `findings` (normalized and correlated: Image, User, Computer,
CommandLine, ParentImage, dest_name, service, service_category, DestinationIp, ...).
Operators: `equals`, `glob` (`*` and `?`; both case-insensitive), `any_of` (case-insensitive
equality with any listed value), `regex` (searched, case-sensitive unless `(?i)`), `cidr`
(IPv4 or IPv6 network). Each suppression compiles to one SQL predicate with bound parameters.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from c2hunt.correlate.sql import ip_family, ip_number, norm_ip
from c2hunt.errors import RuleError
from c2hunt.knowledge import Knowledge, packaged, read_yaml
from c2hunt.score import finding_columns

__all__ = [
    "EXAMPLES",
    "Condition",
    "Suppression",
    "TuningResult",
    "apply_tuning",
    "load_tuning",
    "suppressed_findings",
]

EXAMPLES = Path(__file__).with_name("examples.yaml")
OPERATORS = ("equals", "glob", "any_of", "regex", "cidr")


def tunable_fields(knowledge: Knowledge) -> tuple[str, ...]:
    """The finding columns a suppression can test: all but the evidence list."""
    return tuple(c for c in finding_columns(knowledge) if c != "evidence")


_REGEX_SPECIAL = set("\\.^$|?*+()[]{}")
_SUPPRESSION_KEYS = {"name", "reason", "expires", "match", "any", "__line__"}


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    operator: str
    value: str | tuple[str, ...]

    def sql(self) -> tuple[str, list[Any]]:
        """A boolean SQL expression over `findings` and its bound parameters."""
        column = f'CAST("{self.field}" AS VARCHAR)'
        if self.operator == "equals":
            return f"lower({column}) = lower(?)", [self.value]
        if self.operator == "any_of":
            marks = ", ".join("?" for _ in self.value)
            return f"lower({column}) IN ({marks})", [v.lower() for v in self.value]
        if self.operator == "glob":
            return "regexp_full_match(" + column + ", ?)", [_glob_regex(str(self.value))]
        if self.operator == "regex":
            return f"regexp_matches({column}, ?)", [self.value]
        network = ipaddress.ip_network(str(self.value), strict=False)
        address = norm_ip(column)
        return (
            f"({ip_family(address)} = ? AND {ip_number(address)} "
            "BETWEEN CAST(? AS UHUGEINT) AND CAST(? AS UHUGEINT))",
            [
                network.version,
                str(int(network.network_address)),
                str(int(network.broadcast_address)),
            ],
        )


@dataclass(frozen=True, slots=True)
class Suppression:
    name: str
    reason: str
    expires: date | None
    match: tuple[Condition, ...]
    any: tuple[tuple[Condition, ...], ...]
    where: str  # file:line

    def expired(self, today: date) -> bool:
        return self.expires is not None and self.expires < today

    def sql(self) -> tuple[str, list[Any]]:
        """All `match` conditions and at least one `any` group, as one predicate."""
        parts, params = [], []
        for condition in self.match:
            text, values = condition.sql()
            parts.append(f"coalesce({text}, false)")
            params += values
        groups = []
        for group in self.any:
            texts = []
            for condition in group:
                text, values = condition.sql()
                texts.append(f"coalesce({text}, false)")
                params += values
            groups.append("(" + " AND ".join(texts) + ")")
        if groups:
            parts.append("(" + " OR ".join(groups) + ")")
        return " AND ".join(parts), params


@dataclass(frozen=True, slots=True)
class TuningResult:
    """What tuning did: findings suppressed per suppression, and the expired ones."""

    suppressed: tuple[tuple[str, int], ...]
    expired: tuple[Suppression, ...]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.suppressed)


def _glob_regex(pattern: str) -> str:
    """A case-insensitive whole-value regex for a glob with `*` and `?` wildcards."""
    body = "".join(
        ".*" if ch == "*" else "." if ch == "?" else "\\" + ch if ch in _REGEX_SPECIAL else ch
        for ch in pattern
    )
    return f"(?is){body}"


def _fail(path: str, node: Any, message: str) -> RuleError:
    line = node.get("__line__", 1) if isinstance(node, Mapping) else 1
    return RuleError(message, f"{path}:{line}")


def _condition(
    path: str, node: Mapping[str, Any], name: str, spec: Any, fields: tuple[str, ...]
) -> Condition:
    if name not in fields:
        raise _fail(path, node, f"unknown field '{name}'; fields: {', '.join(fields)}")
    if not isinstance(spec, Mapping):
        if isinstance(spec, str | int | float) and not isinstance(spec, bool):
            return Condition(name, "equals", str(spec))
        raise _fail(path, node, f"field '{name}': expected a value or {{operator: value}}")
    operators = [k for k in spec if k != "__line__"]
    if len(operators) != 1 or operators[0] not in OPERATORS:
        raise _fail(path, spec, f"field '{name}': use exactly one of {', '.join(OPERATORS)}")
    operator = operators[0]
    return Condition(name, operator, _operand(path, spec, name, operator, spec[operator]))


def _operand(path: str, node: Mapping[str, Any], name: str, op: str, value: Any) -> Any:
    if op == "any_of":
        if not isinstance(value, list) or not value:
            raise _fail(path, node, f"field '{name}': any_of needs a non-empty list")
        return tuple(str(v) for v in value)
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise _fail(path, node, f"field '{name}': {op} needs a single value, got {value!r}")
    text = str(value)
    if op == "regex":
        try:
            re.compile(text)
        except re.error as exc:
            raise _fail(path, node, f"field '{name}': invalid regex {text!r}: {exc}") from None
    if op == "cidr":
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise _fail(path, node, f"field '{name}': not an IP network: {text!r}") from None
    return text


def _conditions(path: str, node: Any, where: str, fields: tuple[str, ...]) -> tuple[Condition, ...]:
    if not isinstance(node, Mapping) or len([k for k in node if k != "__line__"]) == 0:
        raise _fail(path, node, f"'{where}' must be a mapping of field: condition")
    return tuple(_condition(path, node, k, v, fields) for k, v in node.items() if k != "__line__")


def _expires(path: str, node: Mapping[str, Any]) -> date | None:
    value = node.get("expires")
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _fail(
            path, node, f"field 'expires' must be a date YYYY-MM-DD, got {value!r}"
        ) from None


def _suppression(path: str, node: Any, fields: tuple[str, ...]) -> Suppression:
    if not isinstance(node, Mapping):
        raise _fail(path, node, "each suppression must be a mapping")
    unknown = sorted(set(node) - _SUPPRESSION_KEYS)
    if unknown:
        raise _fail(path, node, f"unknown field '{unknown[0]}' in a suppression")
    for key in ("name", "reason"):
        if not isinstance(node.get(key), str) or not node[key].strip():
            raise _fail(path, node, f"missing field '{key}' (a non-empty text)")
    if "match" not in node and "any" not in node:
        raise _fail(path, node, f"suppression '{node['name']}': missing field 'match'")
    groups = node.get("any", [])
    if not isinstance(groups, list):
        raise _fail(path, node, "field 'any' must be a list of condition groups")
    return Suppression(
        name=node["name"].strip(),
        reason=node["reason"].strip(),
        expires=_expires(path, node),
        match=_conditions(path, node["match"], "match", fields) if "match" in node else (),
        any=tuple(_conditions(path, g, "any", fields) for g in groups),
        where=f"{path}:{node.get('__line__', 1)}",
    )


def load_tuning(path: Path | str, knowledge: Knowledge | None = None) -> tuple[Suppression, ...]:
    """The suppressions of a tuning file; RuleError naming `file:line` and field if invalid.

    Conditions may test any finding column of `knowledge` (the packaged one by default), so a
    flag added by a rule file can be tuned like the others.
    """
    fields = tunable_fields(knowledge or packaged())
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"cannot read tuning file: {exc}", str(path)) from None
    data = read_yaml(path, text)
    items = data.get("suppressions")
    if not isinstance(items, list):
        raise _fail(str(path), data, "the file must have a list 'suppressions'")
    suppressions = tuple(_suppression(str(path), item, fields) for item in items)
    seen: set[str] = set()
    for suppression in suppressions:
        if suppression.name in seen:
            raise RuleError(f"duplicate suppression name '{suppression.name}'", suppression.where)
        seen.add(suppression.name)
    return suppressions


def apply_tuning(
    con: duckdb.DuckDBPyConnection,
    suppressions: Sequence[Suppression],
    today: date | None = None,
) -> TuningResult:
    """Mark matching findings `suppressed_by` (first suppression wins); expired ones skip."""
    today = today or date.today()
    con.execute("ALTER TABLE findings ADD COLUMN IF NOT EXISTS suppressed_by VARCHAR")
    counts, expired = [], []
    for suppression in suppressions:
        if suppression.expired(today):
            expired.append(suppression)
            continue
        predicate, params = suppression.sql()
        before = _suppressed_count(con)
        con.execute(
            f"UPDATE findings SET suppressed_by = ? WHERE suppressed_by IS NULL AND {predicate}",
            [suppression.name, *params],
        )
        counts.append((suppression.name, _suppressed_count(con) - before))
    return TuningResult(tuple(counts), tuple(expired))


def _suppressed_count(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT count(suppressed_by) FROM findings").fetchone()
    return int(row[0]) if row else 0


def suppressed_findings(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(finding_id, suppression name) of every suppressed finding."""
    return [
        (str(fid), str(name))
        for fid, name in con.execute(
            "SELECT finding_id, suppressed_by FROM findings WHERE suppressed_by IS NOT NULL "
            "ORDER BY suppressed_by, _messageTime"
        ).fetchall()
    ]
