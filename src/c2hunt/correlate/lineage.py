"""Lineage: the process creation that tells who made each connection, and how it was found.

Sysmon 3 carries no command line or parent. They come from, in this order:

1. `sysmon_1`: the Sysmon 1 of the same Computer and ProcessGuid;
2. `sysmon_1_by_pid`: when the connection's GUID is zero or missing, the latest Sysmon 1 of the
   same Computer and ProcessId up to the connection (with `CLOCK_SKEW_MS` of slack);
3. `security_4688`: the latest Security 4688 of the same Computer and ProcessId up to the
   connection, when no Sysmon 1 supplied it (4688 has no GUID);

and `none` otherwise. For a PID match the latest creation must be the connection's own process
(same image file name, unless Sysmon logged `<unknown process>`): if the PID was handed to
another program since, the older creation is not taken either.
"""

from __future__ import annotations

import duckdb

from c2hunt.correlate.sql import basename, evidence
from c2hunt.correlate.windows import CLOCK_SKEW_MS

# A creation is known by where it was read: file and record (EVTX record or line number).
_KEY = "p._file AS creation_file, p._record AS creation_record"


def _by_pid(source: str, connections: str, rank: int) -> str:
    return f"""
    SELECT c.finding_id, {_KEY}, '{source}' AS lineage_source, {rank} AS rank
    FROM (SELECT *, _messageTime + {CLOCK_SKEW_MS} AS t_limit FROM c2_connections
          WHERE {connections}) c
    ASOF JOIN (SELECT * FROM c2_creations WHERE source = '{source.removesuffix("_by_pid")}') p
      ON p.Computer = c.Computer AND p.ProcessId = c.ProcessId AND c.t_limit >= p._messageTime
    WHERE c.image_unknown OR {basename("p.Image")} = {basename("c.Image")}
    """


# Candidates are ranked on keys alone, then joined back to their creation: carrying command
# lines through the ranking, and copying them onto every connection, was most of the memory.
_LINEAGE_KEYS = f"""
CREATE OR REPLACE TABLE c2_lineage_keys AS
WITH by_guid AS (
    SELECT c.finding_id, {_KEY}, 'sysmon_1' AS lineage_source, 1 AS rank
    FROM c2_connections c
    JOIN c2_creations p
      ON p.source = 'sysmon_1' AND p.Computer = c.Computer AND p.guid_key = c.guid_key
    WHERE NOT c.guid_zero
    QUALIFY row_number() OVER (
        PARTITION BY c.finding_id ORDER BY p._messageTime, p._file, p._record) = 1
),
candidates AS (
    SELECT * FROM by_guid
    UNION ALL {_by_pid("sysmon_1_by_pid", "guid_zero", 2)}
    UNION ALL {_by_pid("security_4688", "true", 3)}
)
SELECT * EXCLUDE (rank) FROM candidates
QUALIFY row_number() OVER (PARTITION BY finding_id ORDER BY rank) = 1
"""

_LINEAGE = f"""
CREATE OR REPLACE VIEW c2_lineage AS
SELECT k.finding_id, p.CommandLine, p.ParentImage, p.ParentCommandLine, p.OriginalFileName,
       p.User, p.IntegrityLevel, p.Image AS lineage_image, p.ProcessGuid AS lineage_guid,
       p._messageTime AS lineage_time, p._file AS lineage_file, p._record AS lineage_record,
       k.lineage_source,
       {
    evidence(
        "'lineage'",
        "CASE k.lineage_source"
        " WHEN 'sysmon_1' THEN 'command line and parent from the Sysmon 1 of the same ProcessGuid'"
        " WHEN 'sysmon_1_by_pid' THEN 'command line and parent from the latest Sysmon 1 of the"
        " same host and ProcessId (the connection has no ProcessGuid)'"
        " ELSE 'command line and parent from the latest Security 4688 of the same host and"
        " ProcessId' END",
        "p._file",
        "p._record",
        "p._messageTime",
    )
} AS lineage_evidence
FROM c2_lineage_keys k
JOIN c2_creations p ON p._file = k.creation_file AND p._record = k.creation_record
"""


def build_lineage(con: duckdb.DuckDBPyConnection) -> None:
    """Create `c2_lineage` (a view): one row per connection whose creating process was found."""
    con.execute(_LINEAGE_KEYS)
    con.execute(_LINEAGE)
