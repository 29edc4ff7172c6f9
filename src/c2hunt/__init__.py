"""c2hunt: hunt command-and-control over legitimate web services (ATT&CK T1102.003).

The package is laid out as the pipeline a record goes through:

    read/        files, directories, archives and stdin into raw records (EVTX, XML, JSON, CSV)
    normalize/   raw records into one typed event model, as Arrow record batches
    correlate/   DuckDB joins: process lineage, destination naming, behaviour
    detect/      the detection profiles (`spec` and `precise`) as set-based queries
    score/       flags, signals, risk score, severity, cases
    tune/        reviewed suppressions of known benign automation
    report/      what the analyst sees (table, CSV, JSON)
    export/      the same detection for Sumo Logic, Splunk, Sentinel, Elastic and Sigma
    emulate/     the specification's four adversary tests and a benign baseline
    knowledge/   the detection's knowledge as data: services, binaries, flags, weights
"""

from __future__ import annotations

__version__ = "0.1.0"
