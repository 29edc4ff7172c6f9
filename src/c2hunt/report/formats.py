"""Machine formats of a hunt's findings: CSV, JSON (one array) and JSON lines.

Columns: the specification's 14 fields for the `spec` profile (what its query returns);
`finding_id`, the 14 fields and the evidence columns for `precise`. `_messageTime` stays in
milliseconds since the epoch (UTC), as in the query; `evidence` is a list of objects (a JSON
string inside CSV).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import Any, TextIO

import orjson

from c2hunt.report.sanitize import for_csv, for_json
from c2hunt.score import FINDING_COLUMNS, SPEC_FIELDS, Evidence, Finding


def columns_for(profile: str) -> tuple[str, ...]:
    return SPEC_FIELDS if profile == "spec" else FINDING_COLUMNS


def _evidence(items: Sequence[Evidence]) -> list[dict[str, Any]]:
    return [
        {"kind": e.kind, "text": e.text, "file": e.file, "record": e.record, "time": e.time}
        for e in items
    ]


def as_dict(finding: Finding, columns: Sequence[str]) -> dict[str, Any]:
    row = {c: finding[c] for c in columns}
    if "evidence" in row:
        row["evidence"] = _evidence(finding.evidence)
    return row


def _json(value: Any) -> str:
    return for_json(orjson.dumps(value).decode())


def write_jsonl(findings: Sequence[Finding], profile: str, out: TextIO) -> None:
    columns = columns_for(profile)
    for finding in findings:
        out.write(_json(as_dict(finding, columns)) + "\n")


def write_json(findings: Sequence[Finding], profile: str, out: TextIO) -> None:
    columns = columns_for(profile)
    out.write(_json([as_dict(f, columns) for f in findings]) + "\n")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list):
        return for_csv(_json(value))
    return for_csv(value) if isinstance(value, str) else value


def write_csv(findings: Sequence[Finding], profile: str, out: TextIO) -> None:
    columns = columns_for(profile)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for finding in findings:
        row = as_dict(finding, columns)
        writer.writerow([_csv_cell(row[c]) for c in columns])


WRITERS = {"csv": write_csv, "json": write_json, "jsonl": write_jsonl}
