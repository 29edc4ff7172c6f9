"""Machine formats of a hunt: CSV, JSON and JSON lines.

Columns of a finding: the specification's 14 fields for the `spec` profile (what its query
returns); otherwise `finding_id`, the 14 fields, the evidence columns and `case_id` (the case
the finding belongs to, so that a SIEM can group them). `_messageTime` stays in milliseconds
since the epoch (UTC), as in the query; `evidence` is a list of objects (a JSON string inside
CSV). CSV and JSONL hold one row per finding. JSON holds the array of findings for `spec`, and
for a scored profile an object `{"profile", "cases", "findings"}`: each case with its signals,
their evidence and its `finding_ids`.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

import orjson

from c2hunt.report.model import HuntReport
from c2hunt.report.sanitize import for_csv, for_json
from c2hunt.score import Evidence, Finding, finding_columns
from c2hunt.score.cases import Case

CASE_ID = "case_id"


def columns_for(report: HuntReport) -> tuple[str, ...]:
    """The specification's fields for `spec`; else every finding column and the case id."""
    if report.profile == "spec":
        return report.knowledge.spec_fields
    return (*finding_columns(report.knowledge), CASE_ID)


def _evidence(items: Sequence[Evidence]) -> list[dict[str, Any]]:
    return [
        {"kind": e.kind, "text": e.text, "file": e.file, "record": e.record, "time": e.time}
        for e in items
    ]


def case_ids(cases: Sequence[Case] | None) -> dict[str, str]:
    """finding_id -> case_id of the case holding it."""
    return {fid: case.case_id for case in cases or () for fid in case.finding_ids}


def as_dict(
    finding: Finding, columns: Sequence[str], cases: Mapping[str, str] | None = None
) -> dict[str, Any]:
    row = {c: finding[c] for c in columns if c != CASE_ID}
    if CASE_ID in columns:
        row[CASE_ID] = (cases or {}).get(finding.finding_id)
    if "evidence" in row:
        row["evidence"] = _evidence(finding.evidence)
    return row


def case_dict(case: Case) -> dict[str, Any]:
    """A case as JSON: who, where, when, score and severity, its signals and its findings."""
    return {
        "case_id": case.case_id,
        "computer": case.computer,
        "process": case.process,
        "image": case.image,
        "original_file_name": case.original_file_name,
        "process_ids": list(case.process_ids),
        "user": case.user,
        "parent_image": case.parent_image,
        "command_line": case.command_line,
        "first_seen": case.first_seen,
        "last_seen": case.last_seen,
        "services": list(case.services),
        "destinations": list(case.destinations),
        "connections": case.connections,
        "risk_score": case.risk_score,
        "max_finding_score": case.max_finding_score,
        "severity": str(case.severity),
        "signals": [
            {
                "signal": s.signal,
                "weight": s.weight,
                "findings": s.findings,
                "evidence": list(s.evidence),
            }
            for s in case.signals
        ],
        "finding_ids": list(case.finding_ids),
    }


def _json(value: Any) -> str:
    return for_json(orjson.dumps(value).decode())


def write_jsonl(report: HuntReport, out: TextIO) -> None:
    columns, ids = columns_for(report), case_ids(report.cases)
    for finding in report.findings:
        out.write(_json(as_dict(finding, columns, ids)) + "\n")


def write_json(report: HuntReport, out: TextIO) -> None:
    columns, ids = columns_for(report), case_ids(report.cases)
    rows = [as_dict(f, columns, ids) for f in report.findings]
    if report.profile == "spec":
        out.write(_json(rows) + "\n")
        return
    cases = [case_dict(c) for c in report.cases or ()]
    document = {"profile": report.profile, "cases": cases, "findings": rows}
    out.write(_json(document) + "\n")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list):
        return for_csv(_json(value))
    return for_csv(value) if isinstance(value, str) else value


def write_csv(report: HuntReport, out: TextIO) -> None:
    columns, ids = columns_for(report), case_ids(report.cases)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for finding in report.findings:
        row = as_dict(finding, columns, ids)
        writer.writerow([_csv_cell(row[c]) for c in columns])


WRITERS = {"csv": write_csv, "json": write_json, "jsonl": write_jsonl}
