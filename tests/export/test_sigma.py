"""The Sigma rules in pySigma: they load, pass its validators, convert with the Splunk, Kusto
and Elasticsearch backends, and, converted to SQLite, flag exactly the events c2hunt's own
matching flags on the same uncorrelated fields (crafted quirks and the shared datasets)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from sigma.backends.elasticsearch import LuceneBackend
from sigma.backends.kusto import KustoBackend
from sigma.backends.splunk import SplunkBackend
from sigma.backends.sqlite import sqliteBackend
from sigma.collection import SigmaCollection
from sigma.pipelines.microsoft365defender import microsoft_365_defender_pipeline
from sigma.validation import SigmaValidator
from sigma.validators.core import validators

from c2hunt import export, knowledge
from c2hunt.correlate.sql import norm_name
from c2hunt.detect.precise import binary_matches, service_matches
from c2hunt.detect.spec import spec_where
from c2hunt.detect.tables import load_knowledge
from c2hunt.knowledge import Knowledge
from c2hunt.normalize.schema import COLUMNS, EVENT_SCHEMA, SYSMON_CHANNEL, batch_from_rows
from c2hunt.read import read_events

# These two validators download MITRE ATT&CK / D3FEND data; the tag format is still checked
# by `tag_format` and `namespace_tag`.
OFFLINE_SKIPPED = ("attacktag", "d3_fendtag")
CATEGORY_EVENT = {"network_connection": 3, "dns_query": 22}
HOST_FIELD = {3: "DestinationHostname", 22: "QueryName"}


def sigma_text(profile: str, kn: Knowledge | None = None) -> str:
    documents = export.render(kn or knowledge.load(), "sigma", profile)
    return export.join_documents("sigma", documents)


@pytest.mark.parametrize("profile", export.PROFILES)
def test_rules_load_and_pass_the_validators(profile: str) -> None:
    rules = SigmaCollection.from_yaml(sigma_text(profile))
    assert rules.errors == []
    checks = [v for name, v in validators.items() if name not in OFFLINE_SKIPPED]
    assert SigmaValidator(checks).validate_rules(rules) == []
    categories = [r.logsource.category for r in rules.rules]
    expected = ["network_connection"] if profile == "spec" else list(CATEGORY_EVENT)
    assert categories == expected


BACKENDS: dict[str, Callable[[], Any]] = {
    "splunk": SplunkBackend,
    "elasticsearch": LuceneBackend,
    "kusto": KustoBackend,
}


@pytest.mark.parametrize("profile", export.PROFILES)
@pytest.mark.parametrize("backend", list(BACKENDS))
def test_rules_convert(profile: str, backend: str) -> None:
    queries = BACKENDS[backend]().convert(SigmaCollection.from_yaml(sigma_text(profile)))
    assert len(queries) == (1 if profile == "spec" else 2)
    assert all("twitter.com" in q for q in queries)


@pytest.mark.parametrize("profile", export.PROFILES)
def test_network_rule_converts_for_defender(profile: str) -> None:
    text = export.render(knowledge.load(), "sigma", profile)[0].text
    backend = KustoBackend(microsoft_365_defender_pipeline())
    (query,) = backend.convert(SigmaCollection.from_yaml(text))
    assert query.startswith("DeviceNetworkEvents\n| where ")


def sigma_flags(rows: pa.Table, profile: str, kn: Knowledge) -> set[tuple[str, int]]:
    """(_file, _record) of every event a converted Sigma rule selects in SQLite."""
    con = sqlite3.connect(":memory:")
    columns = ", ".join(f'"{c}"' for c in COLUMNS)
    con.execute(f"CREATE TABLE events ({columns})")
    marks = ", ".join("?" for _ in COLUMNS)
    con.executemany(f"INSERT INTO events VALUES ({marks})", _tuples(rows))
    for category, event_id in CATEGORY_EVENT.items():
        con.execute(
            f"CREATE VIEW {category} AS SELECT * FROM events "
            f"WHERE EventID = {event_id} AND Channel = '{SYSMON_CHANNEL}'"
        )
    found: set[tuple[str, int]] = set()
    for rule in SigmaCollection.from_yaml(sigma_text(profile, kn)).rules:
        backend = sqliteBackend(table=rule.logsource.category, collate_nocase=True)
        (query,) = backend.convert(SigmaCollection([rule]))
        cursor = con.execute(query)
        names = [d[0] for d in cursor.description]
        found |= {(r[names.index("_file")], r[names.index("_record")]) for r in cursor}
    return found


def _tuples(rows: pa.Table) -> Iterable[tuple[Any, ...]]:
    for row in rows.to_pylist():
        yield tuple(row[c] for c in COLUMNS)


def reference_flags(rows: pa.Table, profile: str, kn: Knowledge) -> set[tuple[str, int]]:
    """c2hunt's own matching on the events' own fields, in DuckDB.

    precise: the engine's label-boundary service join and its image file name /
    OriginalFileName binary join (the predicates of `c2hunt.detect.precise`, over the
    uncorrelated DestinationHostname or QueryName); spec: the engine's Sumo wildcard
    translation of the specification's patterns.
    """
    con = duckdb.connect()
    load_knowledge(con, kn)
    con.register("events", rows)
    where = _precise_where() if profile == "precise" else spec_where(kn)
    sql = f"SELECT _file, _record FROM events e WHERE e.Channel = '{SYSMON_CHANNEL}' AND {where}"
    return {(f, r) for f, r in con.execute(sql).fetchall()}


def _precise_where() -> str:
    listed = binary_matches("e.Image", "e.OriginalFileName")
    binary = f"EXISTS (SELECT 1 FROM kn_binaries b WHERE {listed})"
    tests = []
    for event_id, field in HOST_FIELD.items():
        named = service_matches(norm_name(f"e.{field}"))
        service = f"EXISTS (SELECT 1 FROM kn_services s WHERE {named})"
        tests.append(f"(e.EventID = {event_id} AND {service} AND {binary})")
    return "(" + " OR ".join(tests) + ")"


PS = r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"


def sysmon(record: int, event_id: int, **fields: Any) -> dict[str, Any]:
    return {
        "EventID": event_id,
        "Channel": SYSMON_CHANNEL,
        "_file": "crafted",
        "_record": record,
        **fields,
    }


CRAFTED: list[dict[str, Any]] = [
    sysmon(1, 3, Image=PS, DestinationHostname="api.x.com"),
    sysmon(2, 3, Image=PS, DestinationHostname="box.com"),
    sysmon(3, 3, Image=PS, DestinationHostname="github.com.evil.net"),
    sysmon(4, 3, Image=PS, DestinationHostname="chat.meetup.com"),
    sysmon(5, 3, Image=PS, DestinationHostname="t.me"),
    sysmon(6, 3, Image=r"C:\tools\notpowershell.exe", DestinationHostname="github.com"),
    sysmon(
        7,
        3,
        Image=r"C:\x\svc.exe",
        OriginalFileName="PowerShell.EXE",
        DestinationHostname="github.com",
    ),
    sysmon(8, 3, Image=PS.upper(), DestinationHostname="RAW.GitHubUserContent.com"),
    sysmon(9, 22, Image=r"C:\Windows\System32\cmd.exe", QueryName="pastebin.com"),
    sysmon(10, 3, Image=PS),
    sysmon(11, 3, Image="curl.exe", DestinationHostname="api.telegram.org"),
    sysmon(12, 3, Image="/usr/bin/curl.exe", DestinationHostname="dropbox.com"),
    sysmon(13, 22, Image=PS, QueryName="notgithub.com"),
    sysmon(14, 3, Image=PS, DestinationHostname="dropbox.com"),
    sysmon(15, 1, Image=PS, CommandLine="powershell -enc AAAA"),
    {**sysmon(16, 3, Image=PS, DestinationHostname="github.com"), "Channel": "Security"},
]
EXPECTED = {
    "spec": {1, 2, 3, 4, 5, 6, 8, 11, 12, 14},
    "precise": {1, 5, 7, 8, 9, 11, 12, 14},
}


@pytest.mark.parametrize("profile", export.PROFILES)
def test_sigma_flags_the_crafted_quirks_like_c2hunt(profile: str) -> None:
    kn = knowledge.load()
    rows = pa.Table.from_batches([batch_from_rows(CRAFTED)])
    flagged = sigma_flags(rows, profile, kn)
    assert flagged == reference_flags(rows, profile, kn)
    assert {record for _, record in flagged} == EXPECTED[profile]


HOSTILE_RULES = """\
services:
  - {domain: my_c2.example, service: Hostile, category: paste}
binaries:
  - {image: "it's_100%$.exe", kind: downloader}
  - {image: "a_b.exe", original_file_name: "we'ird%.dll", kind: downloader}
"""
HOSTILE_EVENTS: list[Mapping[str, Any]] = [
    sysmon(1, 3, Image=r"C:\a\it's_100%$.exe", DestinationHostname="x.my_c2.example"),
    sysmon(2, 3, Image=r"C:\a\it's_100xyz$.exe", DestinationHostname="my_c2.example"),
    sysmon(3, 3, Image=r"C:\a\aXb.exe", DestinationHostname="my_c2.example"),
    sysmon(4, 3, Image=r"C:\a\a_b.exe", DestinationHostname="myXc2.example"),
    sysmon(
        5,
        3,
        Image=r"C:\a\q.exe",
        OriginalFileName="WE'IRD%.DLL",
        DestinationHostname="my_c2.example",
    ),
    sysmon(
        6,
        3,
        Image=r"C:\a\q.exe",
        OriginalFileName="we'irdXX.dll",
        DestinationHostname="my_c2.example",
    ),
]


def test_hostile_rule_values_match_only_themselves(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(HOSTILE_RULES, encoding="utf-8")
    kn = knowledge.load(rules)
    rows = pa.Table.from_batches([batch_from_rows(HOSTILE_EVENTS)])
    flagged = sigma_flags(rows, "precise", kn)
    assert flagged == reference_flags(rows, "precise", kn)
    assert {record for _, record in flagged} == {1, 5}


DATASET_FILES = (
    "evtx/panache_sysmon_vs_EDRTestingScript.evtx",
    "evtx/exec_sysmon_lobin_regsvr32_sct.evtx",
    "jsonl/wmic_remote_xsl_jscript_2020-10-1802171958.json",
    "jsonl/psh_mavinject_dll_notepad_2020-10-2121410529.json",
    "jsonl/cmd_mshta_javascript_getobject_sct_2020-10-2202214475.json",
    "jsonl/cmd_bitsadmin_download_psh_script_2020-10-2302365189.json",
    "jsonl/empire_launcher_sct_regsvr32_2020-07-21232741.json",
    "jsonl/splunk_attack_range_T1027.json.gz",
)


@pytest.fixture(scope="module")
def dataset_events(datasets: Path) -> pa.Table:
    stream = read_events([str(datasets / f) for f in DATASET_FILES])
    return pa.Table.from_batches(list(stream), schema=EVENT_SCHEMA)


ATTACK_RANGE = "splunk_attack_range_T1027.json.gz"
# What the uncorrelated fields alone show: reverse names of GitHub's addresses in Sysmon 3
# DestinationHostname, and the DNS queries (Sysmon 22) of powershell and WMIC.
DATASET_HITS = {
    "spec": {(ATTACK_RANGE, 4023), (ATTACK_RANGE, 4027), (ATTACK_RANGE, 4412)},
    "precise": {
        ("psh_mavinject_dll_notepad_2020-10-2121410529.json", 127),
        ("psh_mavinject_dll_notepad_2020-10-2121410529.json", 128),
        ("wmic_remote_xsl_jscript_2020-10-1802171958.json", 465),
        *((ATTACK_RANGE, r) for r in (4023, 4024, 4025, 4026, 4027, 4412, 4414, 4415)),
    },
}


@pytest.mark.parametrize("profile", export.PROFILES)
def test_sigma_flags_the_datasets_like_c2hunt(profile: str, dataset_events: pa.Table) -> None:
    kn = knowledge.load()
    flagged = sigma_flags(dataset_events, profile, kn)
    assert flagged == reference_flags(dataset_events, profile, kn)
    assert {(Path(f).name, r) for f, r in flagged} == DATASET_HITS[profile]
