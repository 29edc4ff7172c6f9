"""Cases: the findings of one process on one host with all their signals, ranked by score.

Like a SIEM's insight built from signals: one case per host and ProcessGuid (or per image file
name on the host when Sysmon logged the process anonymously, with a zero or missing GUID).

A case's score is the sum, over the distinct signals its findings carry, of each signal's
highest weight among them: a signal counts once however many connections show it, and every
different signal adds. It is never below the score of the case's strongest finding. The
knowledge's severity thresholds turn it into the case's severity.

`build_cases(con, knowledge)` writes table `cases` (kept in a case database) from `findings`
and `signals`, leaving out suppressed findings (see `c2hunt.tune`), and returns it as `Case`s,
highest score first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from c2hunt.correlate.sql import guid_key, guid_zero
from c2hunt.errors import C2HuntError
from c2hunt.knowledge import Knowledge
from c2hunt.score import Severity, severity_sql


@dataclass(frozen=True, slots=True)
class CaseSignal:
    """One distinct signal of a case: its highest weight, on how many findings, and why."""

    signal: str
    weight: int
    findings: int
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Case:
    """The findings of one process (ProcessGuid, else image file name) on one host."""

    case_id: str
    computer: str | None
    process: str  # ProcessGuid (lower case, no braces), or "image:<file name>" when anonymous
    image: str | None
    original_file_name: str | None  # the PE name Sysmon recorded, which survives a rename
    process_ids: tuple[int, ...]
    user: str | None
    parent_image: str | None
    command_line: str | None  # of the case's strongest finding
    first_seen: int | None
    last_seen: int | None
    services: tuple[str, ...]
    destinations: tuple[str, ...]
    finding_ids: tuple[str, ...]  # oldest first
    risk_score: int
    max_finding_score: int
    severity: Severity
    signals: tuple[CaseSignal, ...]  # highest weight first

    @property
    def connections(self) -> int:
        return len(self.finding_ids)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Case:
        signals = tuple(
            CaseSignal(s["signal"], int(s["weight"]), int(s["findings"]), tuple(s["evidence"]))
            for s in row["signals"]
        )
        return cls(
            case_id=row["case_id"],
            computer=row["Computer"],
            process=row["process"],
            image=row["Image"],
            original_file_name=row["OriginalFileName"],
            process_ids=tuple(row["process_ids"]),
            user=row["User"],
            parent_image=row["ParentImage"],
            command_line=row["CommandLine"],
            first_seen=row["first_seen"],
            last_seen=row["last_seen"],
            services=tuple(row["services"]),
            destinations=tuple(row["destinations"]),
            finding_ids=tuple(row["finding_ids"]),
            risk_score=int(row["risk_score"]),
            max_finding_score=int(row["max_finding_score"]),
            severity=Severity.parse(row["severity"]),
            signals=signals,
        )


_PROCESS_KEY = f"""CASE WHEN {guid_zero("ProcessGuid")}
    THEN 'image:' || coalesce(lower(regexp_extract(Image, '[^\\\\/]+$')), '?')
    ELSE {guid_key("ProcessGuid")} END"""

# The lead finding (strongest, then newest) gives the case its user, parent and command line.
_LEAD = "ORDER BY risk_score DESC, _messageTime DESC NULLS LAST, finding_id"

_CASES = f"""
CREATE OR REPLACE TABLE cases AS
WITH keyed AS (
    SELECT f.*, {_PROCESS_KEY} AS process,
           coalesce(Computer, '') || '|' || ({_PROCESS_KEY}) AS case_key
    FROM findings f /*where*/
),
case_signal AS (
    SELECT k.case_key, s.signal, max(s.weight) AS weight,
           count(DISTINCT s.finding_id) AS findings,
           list_sort(list_distinct(list(s.evidence))) AS evidence
    FROM keyed k JOIN signals s USING (finding_id)
    GROUP BY k.case_key, s.signal
),
case_signals AS (
    SELECT case_key, sum(weight) AS risk_score,
           list(struct_pack(signal := signal, weight := weight, findings := findings,
                            evidence := evidence) ORDER BY weight DESC, signal) AS signals
    FROM case_signal GROUP BY case_key
),
grouped AS (
    SELECT case_key, any_value(Computer) AS Computer, any_value(process) AS process,
           first(Image {_LEAD}) AS Image,
           first(OriginalFileName {_LEAD}) AS OriginalFileName,
           list_sort(list_distinct(list(ProcessId))) AS process_ids,
           first(User {_LEAD}) AS User, first(ParentImage {_LEAD}) AS ParentImage,
           first(CommandLine {_LEAD}) AS CommandLine,
           min(_messageTime) AS first_seen, max(_messageTime) AS last_seen,
           list_sort(list_distinct(list(service))) AS services,
           list_sort(list_distinct(list(dest_name))) AS destinations,
           list(finding_id ORDER BY _messageTime, finding_id) AS finding_ids,
           coalesce(max(risk_score), 0) AS max_finding_score
    FROM keyed GROUP BY case_key
),
scored AS (
    SELECT substr(md5(g.case_key), 1, 12) AS case_id, g.* EXCLUDE (case_key),
           coalesce(s.risk_score, 0) AS risk_score,
           coalesce(s.signals, []) AS signals
    FROM grouped g LEFT JOIN case_signals s USING (case_key)
)
SELECT *, /*severity*/ AS severity FROM scored
"""


def build_cases(con: duckdb.DuckDBPyConnection, knowledge: Knowledge) -> list[Case]:
    """Group `findings` (minus suppressed ones) into table `cases`; return it, best first."""
    tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
    if "signals" not in tables:
        raise C2HuntError("cases need a scored profile: there is no signals table")
    columns = {row[0] for row in con.execute("DESCRIBE findings").fetchall()}
    where = "WHERE suppressed_by IS NULL" if "suppressed_by" in columns else ""
    sql = _CASES.replace("/*where*/", where)
    con.execute(sql.replace("/*severity*/", severity_sql(knowledge, "risk_score")))
    cursor = con.execute("SELECT * FROM cases ORDER BY risk_score DESC, last_seen DESC, case_id")
    names = [d[0] for d in cursor.description]
    return [Case.from_row(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]
