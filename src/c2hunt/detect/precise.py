"""The `precise` profile: the specification's intent over correlated connections.

A finding is a Sysmon 3 connection whose destination name (from correlation) is a listed web
service on label boundaries (`t.me` matches `api.t.me`, never `chat.meetup.com`; the longest
listed domain wins) and whose process is a listed binary by image file name or by PE
OriginalFileName (a renamed powershell is powershell). The flags are the knowledge's regular
expressions, case-insensitive, over the correlated CommandLine and ParentImage.
"""

from __future__ import annotations

import duckdb

from c2hunt.correlate import correlate
from c2hunt.correlate.behaviour import FINDING_SOURCES
from c2hunt.correlate.sql import basename, evidence, sql_literal
from c2hunt.knowledge import Knowledge


def service_matches(name: str, service: str = "s") -> str:
    """`name` is the listed domain of `service` (a `kn_services` row) or a name below it."""
    return f"({name} = {service}.domain OR ends_with({name}, '.' || {service}.domain))"


def binary_matches(image: str, original_file_name: str, binary: str = "b") -> str:
    """The image's file name, or its OriginalFileName, is that of `binary` (`kn_binaries`)."""
    return (
        f"({basename(image)} = {binary}.image "
        f"OR lower({original_file_name}) = {binary}.original_file_name)"
    )


_SERVICE_MATCH = f"""
CREATE OR REPLACE TABLE c2_service_match AS
SELECT d.finding_id, s.*
FROM c2_destinations d
JOIN kn_services s ON {service_matches("d.dest_name")}
QUALIFY row_number() OVER (PARTITION BY d.finding_id ORDER BY length(s.domain) DESC) = 1
"""

# The connection's own Image, or the creation's when Sysmon logged `<unknown process>`.
_IMAGE = (
    "CASE WHEN c.image_unknown AND l.lineage_image IS NOT NULL "
    "THEN l.lineage_image ELSE c.Image END"
)

_BINARY_MATCH = f"""
CREATE OR REPLACE TABLE c2_binary_match AS
SELECT c.finding_id, b.image AS binary_image, b.kind AS binary_kind,
       CASE WHEN {basename(_IMAGE)} = b.image THEN 'image file name'
            ELSE 'OriginalFileName ' || l.OriginalFileName END AS binary_matched_by
FROM c2_connections c
LEFT JOIN c2_lineage l USING (finding_id)
JOIN kn_binaries b ON {binary_matches(_IMAGE, "l.OriginalFileName")}
QUALIFY row_number() OVER (
    PARTITION BY c.finding_id ORDER BY ({basename(_IMAGE)} = b.image) DESC, b.image) = 1
"""


def flag_columns(knowledge: Knowledge, prefix: str = "") -> str:
    """One 0/1 column per flag: its regex, case-insensitive, searched in its field."""
    return ", ".join(
        f'CASE WHEN regexp_matches({prefix}"{flag.field}", {sql_literal("(?i)" + flag.regex)})'
        f' THEN 1 ELSE 0 END AS "{flag.name}"'
        for flag in knowledge.flags
    )


def suspicion_score(knowledge: Knowledge) -> str:
    """The specification's score: the sum of its 0/1 flags, unweighted."""
    return " + ".join(f'"{flag.name}"' for flag in knowledge.flags) or "0"


def spec_columns(knowledge: Knowledge) -> str:
    """The specification's output fields as a SELECT list, over columns of the same names."""
    fields = [f'"{name}"' for name in knowledge.spec_event_fields]
    fields += [f'"{flag.name}"' for flag in knowledge.flags]
    return ", ".join([*fields, f'{suspicion_score(knowledge)} AS "{knowledge.score_field}"'])


def _findings_sql(knowledge: Knowledge) -> str:
    connection = evidence(
        "'connection'",
        "'Sysmon 3 ' || coalesce(c.Image, '?') || ' to ' || c.DestinationIp || ':' "
        "|| c.DestinationPort",
        "c._file",
        "c._record",
        "c._messageTime",
    )
    return f"""
    CREATE OR REPLACE TABLE findings AS
    WITH base AS (
        SELECT c.finding_id, c._messageTime, c.Computer, coalesce(c.User, l.User) AS User,
               {_IMAGE} AS Image, l.CommandLine, l.ParentImage, l.ParentCommandLine,
               c.DestinationHostname, c.DestinationIp, c.DestinationPort,
               CASE WHEN c.guid_zero THEN coalesce(l.lineage_guid, c.ProcessGuid)
                    ELSE c.ProcessGuid END AS ProcessGuid,
               c.ProcessId, l.OriginalFileName, l.IntegrityLevel,
               d.dest_name, d.dest_source, s.service, s.category AS service_category,
               coalesce(l.lineage_source, 'none') AS lineage_source,
               [e FOR e IN [{connection}, d.dest_evidence, l.lineage_evidence]
                IF e IS NOT NULL] AS evidence
        FROM c2_connections c
        JOIN c2_destinations d USING (finding_id)
        JOIN c2_service_match s USING (finding_id)
        JOIN c2_binary_match b USING (finding_id)
        LEFT JOIN c2_lineage l USING (finding_id)
    ),
    flagged AS (SELECT *, {flag_columns(knowledge)} FROM base)
    SELECT finding_id, {spec_columns(knowledge)},
           ProcessGuid, ProcessId, OriginalFileName, IntegrityLevel, dest_name, dest_source,
           service, service_category, lineage_source,
           CAST(0 AS INTEGER) AS risk_score, CAST(NULL AS VARCHAR) AS severity, evidence
    FROM flagged
    """


def build_precise(con: duckdb.DuckDBPyConnection, knowledge: Knowledge) -> None:
    """Correlate, then create `findings` (risk score and severity are set by scoring)."""
    correlate(con)
    con.execute(_SERVICE_MATCH)
    con.execute(_BINARY_MATCH)
    con.execute(_findings_sql(knowledge))
    for add_findings in FINDING_SOURCES.values():  # BITS jobs, Security 5156 (behaviour.py)
        add_findings(con, knowledge)
