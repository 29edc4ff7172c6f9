"""Behavioural evidence: what a process did around its connection, as signals on its finding.

Each builder is one set-based DuckDB query over `findings` and `events` that INSERTs into
`signals(finding_id, signal, weight, evidence)`; `c2hunt.score.signals.SIGNAL_BUILDERS` runs
them. Parameters and patterns come from the knowledge's `behaviour:` section.

- `polling`: RITA-style beacon analysis of the intervals between connections to one service,
  per process and per image on one host: Bowley skew of the quartiles, median absolute
  deviation relative to the median, and connection count. Reports period and jitter.
- `script_block_fetch_exec`: a PowerShell 4104 block naming the finding's destination that
  fetches and runs what it fetched, or hides its window.
- `response_file`: a Sysmon 11 file created by the connecting process right after it.
- `scheduled_task`: a Security 4698 task whose action names the destination; and
  `task_host_spawn`: a script engine started by a task host or the Schedule service.
- `bits_transfer`: the finding is a BITS download created by a listed binary.

Two finding sources add rows to `findings` where Sysmon 3 cannot (see `FINDING_SOURCES`): BITS
downloads, made by svchost.exe on behalf of the binary that created the job, and Security 5156
connections of listed binaries that no Sysmon 3 finding covers (missing or anonymous records).
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from c2hunt.correlate.sql import (
    URL_REGEX,
    basename,
    evidence,
    guid_key,
    guid_zero,
    norm_ip,
    norm_name,
    sql_literal,
)
from c2hunt.correlate.windows import CLOCK_SKEW_MS, DNS_AFTER_MS, DNS_HOST_BEFORE_MS
from c2hunt.knowledge import Knowledge
from c2hunt.normalize.schema import (
    BITS_CHANNEL,
    POWERSHELL_CHANNEL,
    SECURITY_CHANNEL,
    SYSMON_CHANNEL,
)

Builder = Callable[[duckdb.DuckDBPyConnection, Knowledge], None]

_URL = sql_literal(URL_REGEX)
_DAY_MS = 86_400_000


def any_regex(patterns: tuple[str, ...]) -> str:
    """One case-insensitive SQL regex literal matching any of `patterns` (never, if none)."""
    body = "|".join(f"(?:{p})" for p in patterns) or "(?!)"
    return sql_literal(f"(?i)({body})")


def same_site(host: str, dest: str) -> str:
    """True when two DNS names are the same or one is below the other."""
    return (
        f"({host} = {dest} OR ends_with({host}, '.' || {dest}) OR ends_with({dest}, '.' || {host}))"
    )


def url_hosts(column: str) -> str:
    """The lower-cased host names of the URLs in a text column, as a list."""
    return f"[{norm_name('x')} FOR x IN regexp_extract_all({column}, {_URL}, 2)]"


# Polling ----------------------------------------------------------------------------------

_SERIES = f"""
CREATE OR REPLACE TEMP TABLE c2_poll_series AS
SELECT 'process' AS scope, Computer || '|' || {guid_key("ProcessGuid")} AS key, service,
       finding_id, _messageTime AS t
FROM findings WHERE NOT {guid_zero("ProcessGuid")} AND service IS NOT NULL
UNION ALL
SELECT 'image on host', Computer || '|' || {basename("Image")}, service, finding_id, _messageTime
FROM findings WHERE service IS NOT NULL
"""


def beacon_table(con: duckdb.DuckDBPyConnection, knowledge: Knowledge, series: str) -> None:
    """`c2_beacons`: beacon statistics of each (scope, key, service) in table `series`.

    `series` has columns scope, key, service, t (ms). Columns: connections, period (median
    interval, s), jitter (MAD / median), skew (Bowley), score, periodic.
    """
    b = knowledge.behaviour
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE c2_beacons AS
        WITH gaps AS (
            SELECT scope, key, service,
                   (t - lag(t) OVER (PARTITION BY scope, key, service ORDER BY t)) / 1000.0 AS gap
            FROM {series}
        ),
        stats AS (
            SELECT scope, key, service, count(gap) + 1 AS connections,
                   quantile_cont(gap, 0.25) AS q1, median(gap) AS period,
                   quantile_cont(gap, 0.75) AS q3, mad(gap) AS mad
            FROM gaps WHERE gap IS NOT NULL GROUP BY ALL
        ),
        scored AS (
            SELECT *,
                   CASE WHEN q3 > q1 THEN (q1 + q3 - 2 * period) / (q3 - q1) ELSE 0 END AS skew,
                   CASE WHEN period > 0 THEN mad / period ELSE 1 END AS jitter
            FROM stats
        )
        SELECT *,
               ((1 - abs(skew)) + greatest(0, 1 - jitter)
                + least(1, connections / {b.polling_full_count})) / 3 AS score,
               connections >= {b.polling_min_connections}
               AND period >= 1
               AND (connections > {b.polling_short_series}
                    OR mad <= {b.polling_short_series_max_mad_seconds})
               AND greatest(0, 1 - jitter) >= {b.polling_min_dispersion_score}
               AND ((1 - abs(skew)) + greatest(0, 1 - jitter)
                    + least(1, connections / {b.polling_full_count})) / 3
                   >= {b.polling_min_score} AS periodic
        FROM scored
        """
    )


def polling(con: duckdb.DuckDBPyConnection, knowledge: Knowledge) -> None:
    """The finding's process, or its image on its host, reaches the service periodically."""
    con.execute(_SERIES)
    beacon_table(con, knowledge, "c2_poll_series")
    con.execute(
        """
        INSERT INTO signals
        SELECT s.finding_id, 'polling', ?,
               printf('reaches %s every %.1f s (jitter %.0f%%, %d connections, beacon score '
                      || '%.2f, per %s)', b.service, b.period, 100 * b.jitter, b.connections,
                      b.score, b.scope)
        FROM c2_poll_series s JOIN c2_beacons b USING (scope, key, service)
        WHERE b.periodic
        QUALIFY row_number() OVER (
            PARTITION BY s.finding_id ORDER BY b.score DESC, b.scope = 'process' DESC) = 1
        """,
        [knowledge.signals["polling"].weight],
    )


# Script blocks, response files, scheduled tasks -------------------------------------------


def script_block_fetch_exec(con: duckdb.DuckDBPyConnection, knowledge: Knowledge) -> None:
    """A 4104 script block names the destination, fetches, and runs or hides its window.

    The block must be logged while the finding's process ran: from its creation (by
    ProcessGuid, else the latest creation of its PID; a day before the connection when neither
    is known) to the connection. Preferred: it was logged by that process (same host and
    ProcessId; readers fill a 4104's ProcessId from System/Execution). When either side has no
    PID (flat exports without it), any block on the host in that window matches, and the
    evidence says so.
    """
    b = knowledge.behaviour
    fetch, run, hide = (
        any_regex(b.script_fetch),
        any_regex(b.script_execute),
        any_regex(b.script_hide),
    )
    con.execute(
        f"""
        INSERT INTO signals
        WITH blocks AS (
            SELECT Computer, ProcessId, _messageTime AS t, ScriptBlockText AS text,
                   unnest({url_hosts("ScriptBlockText")}) AS host
            FROM events
            WHERE Channel = {sql_literal(POWERSHELL_CHANNEL)} AND EventID = 4104
              AND regexp_matches(ScriptBlockText, {fetch})
              AND (regexp_matches(ScriptBlockText, {run})
                   OR regexp_matches(ScriptBlockText, {hide}))
        ),
        started AS (
            SELECT f.finding_id,
                   coalesce(max(p._messageTime) FILTER (WHERE p.guid_key = f_guid),
                            max(p._messageTime) FILTER (WHERE p.ProcessId = f.ProcessId))
                       AS t_start
            FROM (SELECT *, CASE WHEN NOT {guid_zero("ProcessGuid")}
                                 THEN {guid_key("ProcessGuid")} END AS f_guid
                  FROM findings) f
            JOIN c2_creations p
              ON p.Computer = f.Computer AND p._messageTime <= f._messageTime + {CLOCK_SKEW_MS}
             AND (p.guid_key = f.f_guid OR p.ProcessId = f.ProcessId)
            GROUP BY f.finding_id
        ),
        matched AS (
            SELECT f.finding_id, f._messageTime AS f_t, k.*,
                   k.ProcessId IS NOT NULL AND f.ProcessId IS NOT NULL AS by_process
            FROM findings f LEFT JOIN started s USING (finding_id) JOIN blocks k
              ON k.Computer = f.Computer AND {same_site("k.host", "f.dest_name")}
             AND (k.ProcessId IS NULL OR f.ProcessId IS NULL OR k.ProcessId = f.ProcessId)
             AND k.t BETWEEN coalesce(s.t_start - {CLOCK_SKEW_MS}, f._messageTime - {_DAY_MS})
                         AND f._messageTime + {CLOCK_SKEW_MS}
        )
        SELECT finding_id, 'script_block_fetch_exec', ?,
               'script block fetches from ' || host || ' (' || regexp_extract(text, {fetch})
               || ') and ' || CASE WHEN regexp_matches(text, {run})
                                   THEN 'runs it (' || regexp_extract(text, {run}) || ')'
                                   ELSE 'hides its window (' || regexp_extract(text, {hide})
                                        || ')' END
               || CASE WHEN by_process THEN ', logged by the same process (PID '
                                            || ProcessId || ')'
                       ELSE ', logged on the same host (no process id to compare)' END
        FROM matched
        QUALIFY row_number() OVER (PARTITION BY finding_id ORDER BY abs(f_t - t)) = 1
        """,
        [knowledge.signals["script_block_fetch_exec"].weight],
    )


def response_file(con: duckdb.DuckDBPyConnection, knowledge: Knowledge) -> None:
    """The connecting process creates a file (Sysmon 11) right after the connection."""
    window = knowledge.behaviour.response_file_seconds * 1000
    con.execute(
        f"""
        INSERT INTO signals
        SELECT f.finding_id, 'response_file', ?,
               'created ' || e.TargetFilename || printf(' %.1f s after the connection',
                                                        (e._messageTime - f._messageTime) / 1000)
        FROM findings f JOIN events e
          ON e.Channel = {sql_literal(SYSMON_CHANNEL)} AND e.EventID = 11
         AND e.Computer = f.Computer AND NOT {guid_zero("f.ProcessGuid")}
         AND {guid_key("e.ProcessGuid")} = {guid_key("f.ProcessGuid")}
         AND e._messageTime BETWEEN f._messageTime AND f._messageTime + {window}
        QUALIFY row_number() OVER (PARTITION BY f.finding_id ORDER BY e._messageTime) = 1
        """,
        [knowledge.signals["response_file"].weight],
    )


def _task_host_parent(knowledge: Knowledge, alias: str) -> str:
    hosts = ", ".join(sql_literal(h) for h in knowledge.task_hosts) or "NULL"
    service = any_regex((knowledge.behaviour.task_service_command,))
    return (
        f"({basename(f'{alias}.ParentImage')} IN ({hosts}) "
        f"OR coalesce(regexp_matches({alias}.ParentCommandLine, {service}), false))"
    )


_TASK_COMMAND = "regexp_extract(TaskContent, '<Command>\\s*\"?([^<\"]*)', 1)"


def scheduled_task(con: duckdb.DuckDBPyConnection, knowledge: Knowledge) -> None:
    """A task (4698) created on the host before the connection names its destination, and the
    process was started by the task host or is the task's command."""
    con.execute(
        f"""
        INSERT INTO signals
        WITH tasks AS (
            SELECT Computer, TaskName, _messageTime AS t,
                   {basename(_TASK_COMMAND)} AS command,
                   unnest({url_hosts("TaskContent")}) AS host
            FROM events
            WHERE Channel = {sql_literal(SECURITY_CHANNEL)} AND EventID = 4698
        )
        SELECT f.finding_id, 'scheduled_task', ?,
               'task ' || k.TaskName || ' runs ' || k.command || ' against ' || k.host
        FROM findings f JOIN tasks k
          ON k.Computer = f.Computer AND {same_site("k.host", "f.dest_name")}
         AND k.t <= f._messageTime + {CLOCK_SKEW_MS}
         AND ({_task_host_parent(knowledge, "f")} OR k.command = {basename("f.Image")})
        QUALIFY row_number() OVER (PARTITION BY f.finding_id ORDER BY k.t DESC) = 1
        """,
        [knowledge.signals["scheduled_task"].weight],
    )


def task_host_spawn(con: duckdb.DuckDBPyConnection, knowledge: Knowledge) -> None:
    """A script engine whose parent is a task host or svchost.exe running the Schedule service."""
    con.execute(
        f"""
        INSERT INTO signals
        SELECT f.finding_id, 'task_host_spawn', ?,
               'script engine started by ' || f.ParentImage
               || coalesce(' (' || f.ParentCommandLine || ')', '')
        FROM findings f JOIN kn_binaries k ON k.image = {basename("f.Image")}
        WHERE k.kind = 'script_engine' AND {_task_host_parent(knowledge, "f")}
        """,
        [knowledge.signals["task_host_spawn"].weight],
    )


def bits_transfer(con: duckdb.DuckDBPyConnection, knowledge: Knowledge) -> None:
    """The finding is a BITS download (from `bits_findings`): who created it, and the URL."""
    con.execute(
        """
        INSERT INTO signals
        SELECT finding_id, 'bits_transfer', ?, text FROM c2_bits_findings
        WHERE finding_id IN (SELECT finding_id FROM findings)
        """,
        [knowledge.signals["bits_transfer"].weight],
    )


# Signal name -> builder, in the order `score` runs them after the engine's own.
BEHAVIOUR_BUILDERS: dict[str, Builder] = {
    "polling": polling,
    "script_block_fetch_exec": script_block_fetch_exec,
    "response_file": response_file,
    "scheduled_task": scheduled_task,
    "task_host_spawn": task_host_spawn,
    "bits_transfer": bits_transfer,
}


# Finding sources ----------------------------------------------------------------------------

_SERVICE_OF = """
SELECT n.*, s.* FROM {names} n JOIN kn_services s
  ON n.dest_name = s.domain OR ends_with(n.dest_name, '.' || s.domain)
QUALIFY row_number() OVER (PARTITION BY n.finding_id ORDER BY length(s.domain) DESC) = 1
"""

# The creating process's fields a finding source carries (`p`: a row of c2_creations).
_PROCESS = """p.ProcessGuid, p.ProcessId, p.Image, p.OriginalFileName, p.CommandLine, p.ParentImage,
               p.ParentCommandLine, p.User, p.IntegrityLevel, coalesce(p.source, 'none') AS source,
               p._file AS p_file, p._record AS p_record, p._messageTime AS p_time"""

_BITS_JOBS = f"""
CREATE OR REPLACE TEMP TABLE c2_bits_jobs AS
WITH created AS (
    SELECT Computer, upper(trim(JobId, '{{}} ')) AS job, JobTitle, Image AS creator_image,
           ProcessId AS creator_pid, _messageTime AS t_created
    FROM events WHERE Channel = {sql_literal(BITS_CHANNEL)} AND EventID = 3
),
transfers AS (
    SELECT Computer, upper(trim(JobId, '{{}} ')) AS job, Url, _messageTime AS t, _file, _record,
           EventRecordID
    FROM events
    WHERE Channel = {sql_literal(BITS_CHANNEL)} AND EventID IN (59, 60) AND Url IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY Computer, job, Url ORDER BY EventID, _messageTime) = 1
)
SELECT substr(md5(concat_ws('|', 'bits', t._file, t._record, t.Computer, t.job, t.Url)), 1, 16)
           AS finding_id,
       t.*, c.JobTitle, c.creator_image, c.creator_pid, c.t_created,
       {norm_name(f"regexp_extract(t.Url, {_URL}, 2)")} AS dest_name
FROM transfers t JOIN created c
  ON c.Computer = t.Computer AND c.job = t.job AND c.t_created <= t.t + {CLOCK_SKEW_MS}
QUALIFY row_number() OVER (PARTITION BY t.Computer, t.job, t.Url ORDER BY c.t_created DESC) = 1
"""


def _bits_from_jobs(con: duckdb.DuckDBPyConnection, knowledge: Knowledge, window: int) -> None:
    """BITS 59/60 transfers joined to the job's creator (BITS 3: path and PID) and its creation
    (same host, PID and file name; its Sysmon 1 over a 4688 of the same start), and to the BITS
    service's own connection to the URL's host within the window, when Sysmon logged one."""
    con.execute(_BITS_JOBS)
    service = any_regex((knowledge.behaviour.bits_service_command,))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE c2_bits_candidates AS
        WITH service AS (
            SELECT c.Computer, c._messageTime AS t, c.DestinationIp, c.DestinationPort,
                   d.dest_name
            FROM c2_connections c
            JOIN c2_destinations d USING (finding_id)
            JOIN c2_lineage l USING (finding_id)
            WHERE regexp_matches(l.CommandLine, {service})
        ),
        creators AS (
            SELECT j.*, p.ProcessGuid, p.ProcessId, p.Image, p.OriginalFileName, p.CommandLine,
                   p.ParentImage, p.ParentCommandLine, p.User, p.IntegrityLevel, p.source,
                   p._file AS p_file, p._record AS p_record, p._messageTime AS p_time
            FROM c2_bits_jobs j JOIN c2_creations p
              ON p.Computer = j.Computer AND p.ProcessId = j.creator_pid
             AND (j.creator_image IS NULL
                  OR {basename("p.Image")} = {basename("j.creator_image")})
             AND p._messageTime BETWEEN j.t_created - {_DAY_MS}
                                    AND j.t_created + {CLOCK_SKEW_MS}
            QUALIFY p._messageTime >= max(p._messageTime) OVER (PARTITION BY j.finding_id)
                                      - {CLOCK_SKEW_MS}
        )
        SELECT p.finding_id, p.Computer, p.t AS _messageTime, p.dest_name, 'bits_url' AS
               dest_source, s.DestinationIp, s.DestinationPort, p._file, p._record,
               p.ProcessGuid, p.ProcessId, p.Image, p.OriginalFileName, p.CommandLine,
               p.ParentImage, p.ParentCommandLine, p.User, p.IntegrityLevel,
               coalesce(p.source, 'none') AS source, p.p_file, p.p_record, p.p_time,
               'BITS job ' || coalesce('"' || p.JobTitle || '" ', '') || 'to ' || p.Url
               || ' created by ' || p.Image || ' (PID ' || p.creator_pid || ')'
               || coalesce(', downloaded by the BITS service from ' || s.DestinationIp || ':'
                           || s.DestinationPort, '') AS text
        FROM creators p LEFT JOIN service s
          ON s.Computer = p.Computer AND s.dest_name = p.dest_name
         AND s.t BETWEEN p.t - {window} AND p.t + {window}
        QUALIFY row_number() OVER (
            PARTITION BY p.finding_id
            ORDER BY p.source = 'sysmon_1' DESC, p.p_time DESC, abs(s.t - p.t)) = 1
        """
    )


def _bits_from_service(con: duckdb.DuckDBPyConnection, knowledge: Knowledge, window: int) -> None:
    """Without a BITS log: the BITS service's connection to a host that a listed binary's
    command line, on the same host and within the window, names in a URL."""
    service = any_regex((knowledge.behaviour.bits_service_command,))
    # Each creation's URL hosts are extracted once and joined by equality: comparing every
    # service connection with every creation of its host was quadratic in a long log.
    con.execute(
        f"""
        INSERT INTO c2_bits_candidates
        WITH service AS (
            SELECT c.finding_id, c.Computer, c._messageTime, d.dest_name, c.DestinationIp,
                   c.DestinationPort, c._file, c._record, l.CommandLine AS service_command
            FROM c2_connections c
            JOIN c2_destinations d USING (finding_id)
            JOIN c2_lineage l USING (finding_id)
            WHERE regexp_matches(l.CommandLine, {service})
              AND NOT EXISTS (SELECT 1 FROM c2_bits_jobs j WHERE j.Computer = c.Computer
                              AND abs(j.t - c._messageTime) <= {window})
        ),
        named AS (
            SELECT *, unnest(list_distinct({url_hosts("CommandLine")})) AS url_host
            FROM c2_creations
            WHERE Computer IN (SELECT Computer FROM service) AND contains(CommandLine, '://')
        )
        SELECT substr(md5(concat_ws('|', 'bits', c.finding_id, p.ProcessGuid)), 1, 16),
               c.Computer, c._messageTime, c.dest_name, 'bits_service', c.DestinationIp,
               c.DestinationPort, c._file, c._record, {_PROCESS},
               'BITS service (' || c.service_command || ') reached ' || c.dest_name || ' '
               || printf('%.1f', abs(c._messageTime - p._messageTime) / 1000)
               || ' s from ' || p.Image || ' naming it in its command line'
        FROM service c
        JOIN named p
          ON p.Computer = c.Computer AND p.url_host = c.dest_name
         AND abs(p._messageTime - c._messageTime) <= {window}
        QUALIFY row_number() OVER (PARTITION BY p.Computer, p.ProcessGuid, c.dest_name
                                   ORDER BY c._messageTime) = 1
        """
    )


def bits_findings(con: duckdb.DuckDBPyConnection, knowledge: Knowledge) -> None:
    """Findings for BITS downloads to a listed service whose job a listed binary created.

    The download runs in svchost.exe, so the finding carries the creator's process fields; the
    BITS service's own connection, when Sysmon logged one, supplies the address.
    """
    window = knowledge.behaviour.bits_window_seconds * 1000
    _bits_from_jobs(con, knowledge, window)
    _bits_from_service(con, knowledge, window)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE c2_bits_findings AS
        WITH named AS ({_SERVICE_OF.format(names="c2_bits_candidates")})
        SELECT n.*, b.image AS binary_image, b.kind AS binary_kind,
               CASE WHEN {basename("n.Image")} = b.image THEN 'image file name'
                    ELSE 'OriginalFileName ' || n.OriginalFileName END AS binary_matched_by
        FROM named n JOIN kn_binaries b
          ON {basename("n.Image")} = b.image OR lower(n.OriginalFileName) = b.original_file_name
        QUALIFY row_number() OVER (PARTITION BY n.finding_id
                                   ORDER BY ({basename("n.Image")} = b.image) DESC) = 1
        """
    )
    _insert_findings(con, knowledge, "c2_bits_findings", "'bits'")


def _insert_findings(
    con: duckdb.DuckDBPyConnection, knowledge: Knowledge, table: str, kind: str
) -> None:
    """Append `table`'s rows to `findings`, `c2_service_match` and `c2_binary_match`."""
    # Imported here: the precise profile imports this module to run its finding sources.
    from c2hunt.detect.precise import flag_columns, spec_columns

    item = evidence(kind, "text", "_file", "_record", "_messageTime")
    lineage = evidence(
        "'lineage'", "source || ' ' || Image || ': ' || CommandLine", "p_file", "p_record", "p_time"
    )
    con.execute(
        f"""
        INSERT INTO findings BY NAME
        WITH flagged AS (
            SELECT *, CAST(NULL AS VARCHAR) AS DestinationHostname, {flag_columns(knowledge)}
            FROM {table}
        )
        SELECT finding_id, {spec_columns(knowledge)}, ProcessGuid, ProcessId,
               OriginalFileName, IntegrityLevel, dest_name, dest_source, service,
               category AS service_category, source AS lineage_source,
               CAST(0 AS INTEGER) AS risk_score, CAST(NULL AS VARCHAR) AS severity,
               [e FOR e IN [{item}, CASE WHEN p_file IS NOT NULL THEN {lineage} END]
                IF e IS NOT NULL] AS evidence
        FROM flagged
        WHERE finding_id NOT IN (SELECT finding_id FROM findings)
        """
    )
    con.execute(
        f"""INSERT INTO c2_service_match BY NAME
        SELECT finding_id, domain, service, category, category_label, category_weight, spec,
               spec_pattern FROM {table}"""
    )
    con.execute(
        f"""INSERT INTO c2_binary_match BY NAME
        SELECT finding_id, binary_image, binary_kind, binary_matched_by FROM {table}"""
    )


def audited_connection_findings(con: duckdb.DuckDBPyConnection, knowledge: Knowledge) -> None:
    """Findings from Security 5156 where no Sysmon 3 finding covers the same connection.

    The Windows Filtering Platform names the application by device path and gives its PID; the
    destination is named by a DNS answer on the host (the process's own first), the process by
    the latest creation of that PID and file name on the host (its Sysmon 1, which carries the
    ProcessGuid, over a Security 4688 of the same start).
    """
    wfp_id = "concat_ws('|', 'wfp', _file, _record, Computer, ProcessId, DestinationIp)"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE c2_wfp_candidates AS
        WITH wfp AS (
            SELECT substr(md5({wfp_id}), 1, 16) AS finding_id, Computer, ProcessId,
                   Image AS wfp_image, DestinationIp, DestinationPort, _messageTime, _file,
                   _record, {norm_ip("DestinationIp")} AS dest_ip
            FROM events
            WHERE Channel = {sql_literal(SECURITY_CHANNEL)} AND EventID = 5156
              AND DestinationIp IS NOT NULL
              AND {basename("Image")} IN (SELECT image FROM kn_binaries)
        ),
        uncovered AS (
            SELECT * FROM wfp w WHERE NOT EXISTS (
                SELECT 1 FROM findings f
                WHERE f.Computer = w.Computer AND {norm_ip("f.DestinationIp")} = w.dest_ip
                  AND f.DestinationPort = w.DestinationPort
                  AND abs(f._messageTime - w._messageTime) <= {CLOCK_SKEW_MS})
        ),
        named AS (
            SELECT u.*, a.query_name AS dest_name,
                   CASE WHEN a.ProcessId = u.ProcessId THEN 'dns_process' ELSE 'dns_host' END
                       AS dest_source
            FROM uncovered u JOIN c2_dns_answers a
              ON a.Computer = u.Computer AND a.ip = u.dest_ip
             AND a._messageTime BETWEEN u._messageTime - {DNS_HOST_BEFORE_MS}
                                    AND u._messageTime + {DNS_AFTER_MS}
            QUALIFY row_number() OVER (
                PARTITION BY u.finding_id
                ORDER BY (a.ProcessId = u.ProcessId) DESC, abs(u._messageTime - a._messageTime))
                = 1
        ),
        attributed AS (
            SELECT n.finding_id, n.Computer, n._messageTime, n.dest_name, n.dest_source,
                   n.DestinationIp, n.DestinationPort, n._file, n._record, p.ProcessGuid,
                   n.ProcessId, coalesce(p.Image, n.wfp_image) AS Image, p.OriginalFileName,
                   p.CommandLine, p.ParentImage, p.ParentCommandLine, p.User, p.IntegrityLevel,
                   coalesce(p.source, 'none') AS source, p._file AS p_file,
                   p._record AS p_record, p._messageTime AS p_time,
                   'Security 5156 ' || n.wfp_image || ' (PID ' || n.ProcessId || ') to '
                   || n.DestinationIp || ':' || n.DestinationPort || ', no Sysmon 3 names it'
                   AS text,
                   max(p._messageTime) OVER (PARTITION BY n.finding_id) AS p_latest
            FROM named n LEFT JOIN c2_creations p
              ON p.Computer = n.Computer AND p.ProcessId = n.ProcessId
             AND {basename("p.Image")} = {basename("n.wfp_image")}
             AND p._messageTime <= n._messageTime + {CLOCK_SKEW_MS}
        )
        SELECT * EXCLUDE (p_latest) FROM attributed
        QUALIFY row_number() OVER (
            PARTITION BY finding_id
            ORDER BY p_time >= p_latest - {CLOCK_SKEW_MS} DESC, source = 'sysmon_1' DESC,
                     p_time DESC) = 1
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE c2_wfp_findings AS
        WITH named AS ({_SERVICE_OF.format(names="c2_wfp_candidates")})
        SELECT n.*, b.image AS binary_image, b.kind AS binary_kind,
               'image file name' AS binary_matched_by
        FROM named n JOIN kn_binaries b ON {basename("n.Image")} = b.image
        """
    )
    _insert_findings(con, knowledge, "c2_wfp_findings", "'connection'")


# Finding sources run after the engine's Sysmon 3 findings, in this order.
FINDING_SOURCES: dict[str, Builder] = {
    "bits": bits_findings,
    "security_5156": audited_connection_findings,
}
