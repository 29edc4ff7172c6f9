"""The event tables correlation reads: connections, process creations and DNS answers."""

from __future__ import annotations

import duckdb

from c2hunt.correlate.sql import (
    guid_key,
    guid_zero,
    image_unknown,
    ip_family,
    ip_number,
    norm_ip,
    norm_name,
    sql_literal,
)
from c2hunt.normalize.schema import SECURITY_CHANNEL, SYSMON_CHANNEL

SYSMON = sql_literal(SYSMON_CHANNEL)
SECURITY = sql_literal(SECURITY_CHANNEL)

FINDING_ID = (
    "substr(md5(concat_ws('|', _file, _record, EventRecordID, _messageTime, Computer, "
    "ProcessGuid, ProcessId, DestinationIp, DestinationPort)), 1, 16)"
)


def build_event_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create `c2_connections`, `c2_creations`, `c2_dns` and `c2_dns_answers` from `events`."""
    con.execute(_CONNECTIONS)
    con.execute(_CREATIONS)
    con.execute(_DNS)
    con.execute(_DNS_ANSWERS)


_CONNECTIONS = f"""
CREATE OR REPLACE TABLE c2_connections AS
SELECT {FINDING_ID} AS finding_id, *,
       {guid_zero("ProcessGuid")} AS guid_zero,
       {guid_key("ProcessGuid")} AS guid_key,
       {image_unknown("Image")} AS image_unknown,
       {norm_ip("DestinationIp")} AS dest_ip,
       {ip_number(norm_ip("DestinationIp"))} AS dest_ip_number,
       {ip_family(norm_ip("DestinationIp"))} AS dest_ip_family
FROM events
WHERE Channel = {SYSMON} AND EventID = 3 AND coalesce(Initiated, true)
"""

_CREATIONS = f"""
CREATE OR REPLACE TABLE c2_creations AS
SELECT Computer, ProcessGuid, ProcessId, Image, OriginalFileName, CommandLine, ParentImage,
       ParentCommandLine, User, IntegrityLevel, _messageTime, _file, _record,
       {guid_key("ProcessGuid")} AS guid_key,
       CASE WHEN EventID = 1 THEN 'sysmon_1' ELSE 'security_4688' END AS source
FROM events
WHERE (Channel = {SYSMON} AND EventID = 1) OR (Channel = {SECURITY} AND EventID = 4688)
"""

_DNS = f"""
CREATE OR REPLACE TABLE c2_dns AS
SELECT Computer, ProcessGuid, ProcessId, Image, QueryName, QueryResults, _messageTime, _file,
       _record,
       {guid_zero("ProcessGuid")} AS guid_zero,
       {guid_key("ProcessGuid")} AS guid_key,
       {norm_name("QueryName")} AS query_name,
       [{norm_ip("x")} FOR x IN string_split(coalesce(QueryResults, ''), ';')
        IF trim(x) <> '' AND NOT starts_with(trim(x), 'type:')] AS answers
FROM events
WHERE Channel = {SYSMON} AND EventID = 22 AND coalesce(trim(QueryName), '') <> ''
"""

_DNS_ANSWERS = """
CREATE OR REPLACE TABLE c2_dns_answers AS
SELECT * EXCLUDE (answers), unnest(answers) AS ip FROM c2_dns
"""
