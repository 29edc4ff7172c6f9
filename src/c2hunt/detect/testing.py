"""Small helpers to hunt over events written inline (tests, examples, other engines' checks).

    rows = [sysmon(1, ProcessGuid="{A}", Image=r"C:\\x\\curl.exe", CommandLine="curl https://..."),
            sysmon(3, ProcessGuid="{A}", Image=r"C:\\x\\curl.exe", DestinationIp="1.2.3.4")]
    findings = hunt_rows(rows)

Every event gets a host, a time and a record number unless given, so that rows stay short.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from c2hunt.detect.engine import DEFAULT_PROFILE, Engine
from c2hunt.knowledge import Knowledge, load
from c2hunt.normalize.schema import SECURITY_CHANNEL, SYSMON_CHANNEL, batch_from_rows
from c2hunt.score import Finding

_records = itertools.count(1)


def event(channel: str, event_id: int, **fields: Any) -> dict[str, Any]:
    """One normalized event; `_messageTime` defaults to 1,000,000 ms, `Computer` to `HOST`."""
    record = next(_records)
    row: dict[str, Any] = {
        "EventID": event_id,
        "Channel": channel,
        "Computer": "HOST",
        "_messageTime": 1_000_000,
        "_file": "inline",
        "_record": record,
        "EventRecordID": record,
    }
    row.update(fields)
    return row


def sysmon(event_id: int, **fields: Any) -> dict[str, Any]:
    return event(SYSMON_CHANNEL, event_id, **fields)


def security(event_id: int, **fields: Any) -> dict[str, Any]:
    return event(SECURITY_CHANNEL, event_id, **fields)


def connection(
    guid: str, pid: int | None, name: str, second: int, image: str = r"C:\x\curl.exe"
) -> dict[str, Any]:
    """A Sysmon 3 of `image` to `name` (10.1.1.1:443), `second` s after the default time."""
    return sysmon(
        3,
        ProcessGuid=guid,
        ProcessId=pid,
        Image=image,
        DestinationIp="10.1.1.1",
        DestinationPort=443,
        DestinationHostname=name,
        _messageTime=1_000_000 + second * 1000,
    )


def hunt_rows(
    rows: Iterable[Mapping[str, Any]],
    profile: str = DEFAULT_PROFILE,
    knowledge: Knowledge | None = None,
) -> list[Finding]:
    """Run `profile` over `rows` in an in-memory engine; findings newest first."""
    with Engine(knowledge or load()) as engine:
        engine.load([batch_from_rows(rows)])
        return engine.detect(profile)


def query_rows(
    rows: Iterable[Mapping[str, Any]], sql: str, profile: str = DEFAULT_PROFILE
) -> list[tuple[Any, ...]]:
    """Run `profile` over `rows`, then `sql` against the engine's tables (to inspect them)."""
    with Engine(load()) as engine:
        engine.load([batch_from_rows(rows)])
        engine.detect(profile)
        return engine.con.execute(sql).fetchall()
