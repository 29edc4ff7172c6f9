"""The `spec` profile: exactly what the specification's Sumo Logic query returns on raw events.

No correlation: every Sysmon 3 record (`EventID = "3"`) is tested on its own fields. The host
and image clauses are the knowledge's `spec_pattern` wildcards over the lower-cased
DestinationHostname and Image (`*x.com*` matches `dropbox.com`, `*powershell.exe` matches
`notpowershell.exe`); the flags are the knowledge's `spec_expression` strings, which Sumo reads
as literal wildcard patterns, over the event's own (absent) CommandLine and ParentImage. The
query's `_sourceCategory` clause selects Sumo sources and has no meaning for files.
"""

from __future__ import annotations

import duckdb

from c2hunt.correlate.events import FINDING_ID
from c2hunt.correlate.sql import evidence, sql_literal
from c2hunt.detect.precise import spec_columns
from c2hunt.detect.sumo import sql_matches, unescape
from c2hunt.knowledge import Knowledge


def _clause(column: str, patterns: list[str]) -> tuple[str, str]:
    """(any pattern matches, the first pattern that matched) for lower(column)."""
    tests = [(sql_matches(f"lower({column})", p), p) for p in patterns]
    where = " OR ".join(test for test, _ in tests) or "false"
    first = " ".join(f"WHEN {test} THEN {sql_literal(p)}" for test, p in tests)
    return f"({where})", f"CASE {first} END" if tests else "NULL"


def _spec_flags(knowledge: Knowledge) -> str:
    columns = []
    for flag in knowledge.flags:
        pattern = unescape(flag.spec_expression) if flag.spec_expression else None
        test = sql_matches(f'"{flag.field}"', pattern) if pattern is not None else "false"
        columns.append(f'CASE WHEN {test} THEN 1 ELSE 0 END AS "{flag.name}"')
    return ", ".join(columns)


def _host_and_image(knowledge: Knowledge) -> tuple[tuple[str, str], tuple[str, str]]:
    hosts = [s.spec_pattern for s in knowledge.spec_services if s.spec_pattern]
    images = [b.spec_pattern for b in knowledge.spec_binaries if b.spec_pattern]
    return _clause("DestinationHostname", hosts), _clause("Image", images)


def spec_where(knowledge: Knowledge) -> str:
    """The specification query's `where` clauses over a record's own fields, as SQL."""
    (host_where, _), (image_where, _) = _host_and_image(knowledge)
    return f"EventID = 3 AND {host_where} AND {image_where}"


def _spec_sql(knowledge: Knowledge) -> str:
    (_, host_first), (_, image_first) = _host_and_image(knowledge)
    why = evidence(
        "'spec'",
        f"'dest_host matches \"' || {host_first} || '\" and proc_image matches \"' "
        f"|| {image_first} || '\"'",
        "_file",
        "_record",
        "_messageTime",
    )
    return f"""
    CREATE OR REPLACE TABLE findings AS
    WITH matched AS (
        SELECT *, {FINDING_ID} AS finding_id, {_spec_flags(knowledge)}, [{why}] AS evidence
        FROM events
        WHERE {spec_where(knowledge)}
    )
    SELECT finding_id, {spec_columns(knowledge)},
           ProcessGuid, ProcessId, OriginalFileName, IntegrityLevel,
           CAST(NULL AS VARCHAR) AS dest_name, CAST(NULL AS VARCHAR) AS dest_source,
           CAST(NULL AS VARCHAR) AS service, CAST(NULL AS VARCHAR) AS service_category,
           CAST(NULL AS VARCHAR) AS lineage_source, CAST(NULL AS INTEGER) AS risk_score,
           CAST(NULL AS VARCHAR) AS severity, evidence
    FROM matched
    """


def build_spec(con: duckdb.DuckDBPyConnection, knowledge: Knowledge) -> None:
    """Create `findings` with the specification query's rows (no score, no severity)."""
    con.execute(_spec_sql(knowledge))
