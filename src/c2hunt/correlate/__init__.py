"""Correlation: give each Sysmon 3 connection its process lineage and a destination name.

Set-based DuckDB queries over the `events` table, each step a table other stages read:

- `c2_connections`: Sysmon 3 (outbound) with a stable `finding_id`, normalized GUID and address.
- `c2_creations`, `c2_dns`, `c2_dns_answers`: process creations (Sysmon 1, Security 4688) and
  Sysmon 22 queries with their answers (`QueryResults` CNAMEs dropped, `::ffff:` addresses
  unwrapped).
- `c2_lineage`: the creation that supplied CommandLine, ParentImage, ... (`lineage_source`).
- `c2_destinations`: the strongest destination name (`dest_source`) with its evidence.

`correlate(con)` builds them all, in that order.
"""

from __future__ import annotations

import duckdb

from c2hunt.correlate.destination import build_destinations
from c2hunt.correlate.events import build_event_tables
from c2hunt.correlate.lineage import build_lineage

__all__ = ["correlate"]


def correlate(con: duckdb.DuckDBPyConnection) -> None:
    """Build the correlation tables over `events` (the `kn_*` tables must be loaded)."""
    build_event_tables(con)
    build_lineage(con)
    build_destinations(con)
