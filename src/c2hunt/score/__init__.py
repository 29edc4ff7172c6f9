"""Scoring: signals add up to each finding's risk score; the score gives its severity.

`score(con, knowledge)` empties `signals`, runs every builder of `SIGNAL_BUILDERS`, then sets
`findings.risk_score` (sum of weights), `findings.severity` (the knowledge's thresholds) and
appends one evidence item per signal to `findings.evidence`. The result Python reads back is a
list of `Finding` (see `c2hunt.score.model`).
"""

from __future__ import annotations

import duckdb

from c2hunt.correlate.sql import evidence, sql_literal
from c2hunt.errors import RuleError
from c2hunt.knowledge import Knowledge
from c2hunt.score.model import (
    EVIDENCE_FIELDS,
    Evidence,
    Finding,
    Severity,
    finding_columns,
)
from c2hunt.score.signals import SIGNAL_BUILDERS, SIGNALS_DDL, SignalBuilder

__all__ = [
    "EVIDENCE_FIELDS",
    "SIGNAL_BUILDERS",
    "Evidence",
    "Finding",
    "Severity",
    "SignalBuilder",
    "finding_columns",
    "score",
    "severity_sql",
]


def severity_sql(knowledge: Knowledge, score_sql: str) -> str:
    """The knowledge's severity thresholds as a SQL CASE over `score_sql`."""
    if not knowledge.severity:
        raise RuleError("the knowledge defines no severity levels", ", ".join(knowledge.sources))
    for level in knowledge.severity:
        try:
            Severity.parse(level.level)
        except ValueError as exc:
            raise RuleError(str(exc), ", ".join(knowledge.sources)) from None
    whens = " ".join(
        f"WHEN {score_sql} >= {level.min_score} THEN {sql_literal(level.level.lower())}"
        for level in knowledge.severity
    )
    return f"CASE {whens} ELSE {sql_literal(knowledge.severity[-1].level.lower())} END"


_APPEND_EVIDENCE = f"""
UPDATE findings f SET evidence = f.evidence || s.items
FROM (SELECT finding_id,
             list({
    evidence(
        "'signal'",
        "signal || ' +' || weight || ': ' || coalesce(evidence, '')",
        "NULL",
        "NULL",
        "NULL",
    )
} ORDER BY signal) AS items
      FROM signals GROUP BY finding_id) s
WHERE f.finding_id = s.finding_id
"""


def score(
    con: duckdb.DuckDBPyConnection,
    knowledge: Knowledge,
    builders: dict[str, SignalBuilder] | None = None,
) -> None:
    """Run the signal builders over `findings` and set its risk score, severity and evidence."""
    con.execute(SIGNALS_DDL)
    for build in (SIGNAL_BUILDERS if builders is None else builders).values():
        build(con, knowledge)
    con.execute(
        """
        UPDATE findings f SET risk_score = coalesce(s.total, 0)
        FROM (SELECT f2.finding_id, sum(s2.weight) AS total
              FROM findings f2 LEFT JOIN signals s2 USING (finding_id)
              GROUP BY f2.finding_id) s
        WHERE f.finding_id = s.finding_id
        """
    )
    con.execute(f"UPDATE findings SET severity = {severity_sql(knowledge, 'risk_score')}")
    con.execute(_APPEND_EVIDENCE)
