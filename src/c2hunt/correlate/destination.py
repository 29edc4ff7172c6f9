"""Destination naming: which name a process asked for when it opened a connection.

Sysmon's DestinationHostname is a reverse lookup (empty, `-`, or a CDN or load-balancer name),
so the name comes from the strongest source available, recorded as `dest_source`:

1. `dns_process`: a Sysmon 22 by the same process whose answer holds DestinationIp;
2. `dns_host`: a Sysmon 22 by any process of the same host whose answer holds DestinationIp;
3. `hostname`: the event's DestinationHostname, when it is a real name (not an address, nor a
   reverse or CDN name listed in the knowledge's `reverse_names`);
4. `command_line_url`: the host of a URL in the process's own command line, when the
   connection fits it (port from the URL or its scheme, made after the process started) and no
   DNS query for that host near the connection says otherwise;
5. `address_range`: a range the service publishes as its own (the knowledge's
   `address_ranges`, IPv4 and IPv6).

Among several DNS answers, the one nearest in time wins; among URLs, the first that fits.
"""

from __future__ import annotations

import duckdb

from c2hunt.correlate.sql import URL_REGEX, evidence, is_ip_literal, norm_name, sql_literal
from c2hunt.correlate.windows import (
    CLOCK_SKEW_MS,
    DNS_AFTER_MS,
    DNS_HOST_BEFORE_MS,
    DNS_PROCESS_BEFORE_MS,
)

_SAME_PROCESS = """CASE WHEN NOT c.guid_zero AND NOT a.guid_zero THEN a.guid_key = c.guid_key
     ELSE a.ProcessId IS NOT DISTINCT FROM c.ProcessId END"""

_FROM_DNS = f"""
SELECT finding_id, query_name AS dest_name,
       CASE WHEN same_process THEN 'dns_process' ELSE 'dns_host' END AS dest_source,
       CASE WHEN same_process THEN 1 ELSE 2 END AS strength,
       abs(dns_time - conn_time) AS distance,
       {
    evidence(
        "'destination'",
        "'Sysmon 22 by ' || CASE WHEN same_process THEN 'the same process' "
        "ELSE 'another process on the host (' || coalesce(dns_image, '?') || ')' END "
        "|| ' resolved ' || QueryName || ' to ' || coalesce(QueryResults, '') "
        "|| ' (' || (dns_time - conn_time) || ' ms from the connection)'",
        "dns_file",
        "dns_record",
        "dns_time",
    )
} AS evidence
FROM (
    SELECT c.finding_id, c._messageTime AS conn_time, a._messageTime AS dns_time,
           a.query_name, a.QueryName, a.QueryResults, a.Image AS dns_image,
           a._file AS dns_file, a._record AS dns_record, {_SAME_PROCESS} AS same_process
    FROM c2_connections c
    JOIN c2_dns_answers a ON a.Computer = c.Computer AND a.ip = c.dest_ip
    WHERE a._messageTime <= c._messageTime + {DNS_AFTER_MS}
      AND a._messageTime >= c._messageTime - {DNS_PROCESS_BEFORE_MS}
)
WHERE same_process OR dns_time >= conn_time - {DNS_HOST_BEFORE_MS}
"""

_HOSTNAME = norm_name("c.DestinationHostname")

_FROM_HOSTNAME = f"""
SELECT c.finding_id, {_HOSTNAME} AS dest_name, 'hostname' AS dest_source, 3 AS strength,
       0 AS distance,
       {
    evidence(
        "'destination'",
        "'Sysmon 3 DestinationHostname ' || c.DestinationHostname",
        "c._file",
        "c._record",
        "c._messageTime",
    )
} AS evidence
FROM c2_connections c
WHERE coalesce({_HOSTNAME}, '') NOT IN ('', '-')
  AND NOT {is_ip_literal(_HOSTNAME)}
  AND NOT EXISTS (SELECT 1 FROM kn_reverse_names r
                  WHERE regexp_matches({_HOSTNAME}, '(?i)' || r.pattern))
"""

_URL = sql_literal(URL_REGEX)

_FROM_COMMAND_LINE = f"""
WITH urls AS (
    SELECT finding_id, lineage_file, lineage_record, lineage_time,
           unnest(regexp_extract_all(CommandLine, {_URL})) AS url,
           unnest(generate_series(1, len(regexp_extract_all(CommandLine, {_URL})))) AS position
    FROM c2_lineage
),
parsed AS (
    SELECT *, regexp_extract(url, {_URL}, ['scheme', 'host', 'port']) AS part FROM urls
)
SELECT u.finding_id, {norm_name("u.part.host")} AS dest_name,
       'command_line_url' AS dest_source, 4 AS strength, u.position AS distance,
       {
    evidence(
        "'destination'",
        "'URL ' || u.url || ' in the process command line fits port ' || c.DestinationPort",
        "u.lineage_file",
        "u.lineage_record",
        "u.lineage_time",
    )
} AS evidence
FROM parsed u
JOIN c2_connections c USING (finding_id)
WHERE c.DestinationPort = coalesce(TRY_CAST(u.part.port AS INTEGER),
                                   CASE lower(u.part.scheme) WHEN 'https' THEN 443 ELSE 80 END)
  AND c._messageTime >= u.lineage_time - {CLOCK_SKEW_MS}
  AND NOT {is_ip_literal(norm_name("u.part.host"))}
  AND NOT EXISTS (
      SELECT 1 FROM c2_dns q
      WHERE q.Computer = c.Computer AND q.query_name = {norm_name("u.part.host")}
        AND len(q.answers) > 0
        AND q._messageTime BETWEEN c._messageTime - {DNS_HOST_BEFORE_MS}
                               AND c._messageTime + {DNS_AFTER_MS})
"""

_FROM_ADDRESS_RANGE = f"""
SELECT c.finding_id, r.service_domain AS dest_name, 'address_range' AS dest_source,
       5 AS strength, r.host_bits AS distance,
       {
    evidence(
        "'destination'",
        "'DestinationIp ' || c.DestinationIp || ' is in ' || r.cidr || ', published for '"
        " || r.service_domain || ' (' || r.source || ', taken ' || r.taken || ')'",
        "c._file",
        "c._record",
        "c._messageTime",
    )
} AS evidence
FROM c2_connections c
JOIN kn_address_ranges r
  ON c.dest_ip_family = r.family
 AND (c.dest_ip_number >> CAST(r.host_bits AS UHUGEINT))
   = (CAST(r.network AS UHUGEINT) >> CAST(r.host_bits AS UHUGEINT))
"""

_DESTINATIONS = f"""
CREATE OR REPLACE TABLE c2_destinations AS
SELECT finding_id, dest_name, dest_source, evidence AS dest_evidence
FROM (
    SELECT * FROM ({_FROM_DNS})
    UNION ALL SELECT * FROM ({_FROM_HOSTNAME})
    UNION ALL SELECT * FROM ({_FROM_COMMAND_LINE})
    UNION ALL SELECT * FROM ({_FROM_ADDRESS_RANGE})
)
QUALIFY row_number() OVER (
    PARTITION BY finding_id ORDER BY strength, distance, dest_name) = 1
"""


def build_destinations(con: duckdb.DuckDBPyConnection) -> None:
    """Create `c2_destinations`: one named destination per connection that could be named.

    Reads the knowledge through the `kn_reverse_names` and `kn_address_ranges` tables.
    """
    con.execute(_DESTINATIONS)
