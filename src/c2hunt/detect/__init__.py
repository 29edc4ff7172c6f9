"""Detection: the hunt as SQL over normalized events in embedded DuckDB.

Contract (other stages build on these names):

- `Engine(knowledge, db_path=None)`: a DuckDB connection (`engine.con`; in memory, or the case
  database file `db_path`) holding table `events` (`c2hunt.normalize.schema.EVENT_SCHEMA`) and
  the knowledge as tables `kn_services`, `kn_binaries`, `kn_address_ranges`,
  `kn_reverse_names`. `engine.load(batches)` appends Arrow RecordBatches;
  `engine.detect(profile)` builds the tables below and returns `list[Finding]`, newest first.
  `hunt(batches, knowledge, profile, db_path)` does all three.
- Table `findings`, one row per finding: `finding_id` (stable: a hash of the connection event's
  file, record and fields), the specification's 14 fields in its order (`_messageTime,
  Computer, User, Image, CommandLine, ParentImage, ParentCommandLine, DestinationHostname,
  DestinationIp, DestinationPort, is_encoded, is_office_parent, is_service_spawn,
  suspicion_score`), then `ProcessGuid, ProcessId, OriginalFileName, IntegrityLevel, dest_name,
  dest_source` (dns_process | dns_host | hostname | command_line_url | address_range),
  `service, service_category, lineage_source` (sysmon_1 | security_4688 | sysmon_1_by_pid |
  none), `risk_score, severity` and `evidence`, a list of STRUCT(kind, text, file, record,
  time). Column names are `c2hunt.score.finding_columns(knowledge)`.
- Table `signals(finding_id, signal, weight, evidence)`: every contribution to `risk_score`.
  Builders are listed in `c2hunt.score.signals.SIGNAL_BUILDERS` (name -> function taking the
  connection and the knowledge, INSERTing into `signals`); `c2hunt.score.score` runs them, sums
  the weights and maps the sum to a severity with the knowledge's thresholds.
- Correlation tables (`c2_connections`, `c2_lineage`, `c2_destinations`, `c2_dns`, ...) are
  described in `c2hunt.correlate`; `c2_service_match` and `c2_binary_match` hold which service
  and binary each finding matched.
- Profiles (`PROFILES`): `precise` (default; correlated, scored) and `spec` (the specification's
  Sumo Logic query over raw Sysmon 3 records, exactly; not scored, `severity` is NULL). The Sumo
  wildcard semantics live in `c2hunt.detect.sumo`.
"""

from __future__ import annotations

from c2hunt.detect.engine import DEFAULT_PROFILE, PROFILES, SCORED_PROFILES, Engine, hunt

__all__ = ["DEFAULT_PROFILE", "PROFILES", "SCORED_PROFILES", "Engine", "hunt"]
