"""Cases: the findings of one process on one host with all their signals, ranked by score.

Like a SIEM's insight built from signals: one case per host and ProcessGuid (or per image on
the host when Sysmon logged the process anonymously), scored by its strongest finding, with
every signal any of its findings carries. Suppressed findings (see `c2hunt.tune`) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from c2hunt.correlate.sql import guid_key, guid_zero
from c2hunt.score.model import Severity


@dataclass(frozen=True, slots=True)
class CaseSignal:
    signal: str
    weight: int
    evidence: str


@dataclass(frozen=True, slots=True)
class Case:
    case_id: str
    computer: str
    process: str  # ProcessGuid, or "image:<file name>" when the process is anonymous
    image: str
    user: str | None
    first_seen: int
    last_seen: int
    destinations: tuple[str, ...]
    finding_ids: tuple[str, ...]
    risk_score: int
    severity: Severity | None
    signals: tuple[CaseSignal, ...]


_CASES = f"""
WITH keyed AS (
    SELECT f.*, CASE WHEN {guid_zero("ProcessGuid")}
                     THEN 'image:' || lower(regexp_extract(Image, '[^\\\\/]+$'))
                     ELSE {guid_key("ProcessGuid")} END AS process
    FROM findings f /*where*/
),
cases AS (
    SELECT Computer, process, any_value(Image) AS image, any_value(User) AS user,
           min(_messageTime) AS first_seen, max(_messageTime) AS last_seen,
           list(DISTINCT dest_name ORDER BY dest_name) AS destinations,
           list(finding_id ORDER BY _messageTime, finding_id) AS finding_ids,
           max(risk_score) AS risk_score, arg_max(severity, risk_score) AS severity
    FROM keyed GROUP BY Computer, process
),
case_signals AS (
    SELECT k.Computer, k.process,
           list(DISTINCT struct_pack(signal := s.signal, weight := s.weight,
                                     evidence := coalesce(s.evidence, ''))) AS signals
    FROM keyed k JOIN signals s USING (finding_id) GROUP BY k.Computer, k.process
)
SELECT substr(md5(c.Computer || '|' || c.process), 1, 12) AS case_id, c.*,
       coalesce(s.signals, []) AS signals
FROM cases c LEFT JOIN case_signals s USING (Computer, process)
ORDER BY c.risk_score DESC, c.last_seen DESC, case_id
"""


def build_cases(con: duckdb.DuckDBPyConnection) -> list[Case]:
    """Group `findings` (minus suppressed ones) into cases, highest score first."""
    columns = {row[0] for row in con.execute("DESCRIBE findings").fetchall()}
    where = "WHERE suppressed_by IS NULL" if "suppressed_by" in columns else ""
    rows = con.execute(_CASES.replace("/*where*/", where)).fetchall()
    return [_case(row) for row in rows]


def _case(row: tuple) -> Case:  # type: ignore[type-arg]
    (case_id, computer, process, image, user, first, last, dests, ids, score, level, sigs) = row
    signals = sorted(
        (CaseSignal(s["signal"], int(s["weight"]), s["evidence"]) for s in sigs),
        key=lambda s: (-s.weight, s.signal, s.evidence),
    )
    return Case(
        case_id=case_id,
        computer=computer,
        process=process,
        image=image,
        user=user,
        first_seen=int(first),
        last_seen=int(last),
        destinations=tuple(d for d in dests if d),
        finding_ids=tuple(ids),
        risk_score=int(score or 0),
        severity=Severity.parse(level) if level else None,
        signals=tuple(signals),
    )
