"""The detection's knowledge as small DuckDB tables, so detection joins against data, not code.

Every row comes from `Knowledge`; nothing here names a service, binary or flag.
"""

from __future__ import annotations

import ipaddress

import duckdb
import pyarrow as pa

from c2hunt.knowledge import Knowledge


def _services(kn: Knowledge) -> pa.Table:
    rows = [
        {
            "domain": s.domain,
            "service": s.service,
            "category": s.category,
            "category_label": kn.categories[s.category].label,
            "category_weight": kn.categories[s.category].weight,
            "spec": s.spec,
            "spec_pattern": s.spec_pattern,
        }
        for s in kn.services
    ]
    return pa.Table.from_pylist(rows, schema=_SERVICES)


def _binaries(kn: Knowledge) -> pa.Table:
    rows = [
        {
            "image": b.image.lower(),
            "original_file_name": (b.original_file_name or "").lower() or None,
            "kind": b.kind,
            "spec": b.spec,
            "spec_pattern": b.spec_pattern,
        }
        for b in kn.binaries
    ]
    return pa.Table.from_pylist(rows, schema=_BINARIES)


def _address_ranges(kn: Knowledge) -> pa.Table:
    """Ranges as (family, network as decimal text, prefix); SQL casts network to UHUGEINT."""
    rows = []
    for entry in kn.address_ranges:
        for cidr in entry.cidrs:
            network = ipaddress.ip_network(cidr, strict=False)
            rows.append(
                {
                    "service_domain": entry.service_domain,
                    "cidr": cidr,
                    "family": network.version,
                    "network": str(int(network.network_address)),
                    "host_bits": network.max_prefixlen - network.prefixlen,
                    "source": entry.source,
                    "taken": entry.taken,
                }
            )
    return pa.Table.from_pylist(rows, schema=_RANGES)


def _reverse_names(kn: Knowledge) -> pa.Table:
    return pa.Table.from_pylist([{"pattern": p} for p in kn.reverse_names], schema=_REVERSE)


_SERVICES = pa.schema(
    [
        ("domain", pa.string()),
        ("service", pa.string()),
        ("category", pa.string()),
        ("category_label", pa.string()),
        ("category_weight", pa.int32()),
        ("spec", pa.bool_()),
        ("spec_pattern", pa.string()),
    ]
)
_BINARIES = pa.schema(
    [
        ("image", pa.string()),
        ("original_file_name", pa.string()),
        ("kind", pa.string()),
        ("spec", pa.bool_()),
        ("spec_pattern", pa.string()),
    ]
)
_RANGES = pa.schema(
    [
        ("service_domain", pa.string()),
        ("cidr", pa.string()),
        ("family", pa.int32()),
        ("network", pa.string()),
        ("host_bits", pa.int32()),
        ("source", pa.string()),
        ("taken", pa.string()),
    ]
)
_REVERSE = pa.schema([("pattern", pa.string())])

# Table name -> builder. Each table is replaced whenever knowledge is loaded.
KNOWLEDGE_TABLES = {
    "kn_services": _services,
    "kn_binaries": _binaries,
    "kn_address_ranges": _address_ranges,
    "kn_reverse_names": _reverse_names,
}


def load_knowledge(con: duckdb.DuckDBPyConnection, kn: Knowledge) -> None:
    """Create or replace the `kn_*` tables from `kn`."""
    for name, build in KNOWLEDGE_TABLES.items():
        table = build(kn)
        con.register("_kn_rows", table)
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _kn_rows")
        con.unregister("_kn_rows")
