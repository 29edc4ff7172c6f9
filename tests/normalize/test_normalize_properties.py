"""Property tests: the normalizers never crash on arbitrary JSON objects or XML, and the reader
never loses a record from the accounting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from c2hunt.errors import RecordError
from c2hunt.normalize import normalize
from c2hunt.normalize.schema import EVENT_SCHEMA
from c2hunt.read import read_events

KNOWN_KEYS = "EventID Channel SourceName Hostname UtcTime TimeCreated ProcessId ProcessID Image"
KNOWN_KEYS += " DestinationIp Initiated EventData Event System winlog _raw result @timestamp"
KNOWN_KEYS += " NewProcessId MandatoryLabel hr"
KEYS = st.sampled_from(KNOWN_KEYS.split()) | st.text(max_size=8)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["-", "", "0x1a", "{", "<Event/>", "::ffff:1.2.3.4", "&amp;"])
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=25,
)
RECORDS = st.dictionaries(KEYS, JSON_VALUES, max_size=10) | JSON_VALUES
COLUMNS = set(EVENT_SCHEMA.names)


@settings(max_examples=300, deadline=None)
@given(RECORDS)
def test_normalize_never_crashes(raw: Any) -> None:
    try:
        row = normalize(raw)
    except RecordError as exc:
        assert exc.reason
        return
    assert set(row) <= COLUMNS
    assert isinstance(row["EventID"], int)


XML_PIECES = ["<Event>", "</Event>", "<System>", "</System>", "<EventID>", "</EventID>"]
XML_PIECES += ['<Data Name="Image">', "</Data>", "<EventData>", "</EventData>", "4", "&amp;", "<"]
XML_TEXT = st.lists(st.sampled_from(XML_PIECES) | st.text(max_size=3), max_size=30).map("".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(XML_TEXT | st.builds(json.dumps, RECORDS), min_size=1, max_size=6))
def test_reader_accounting_always_balances(tmp_path_factory: Any, chunks: list[str]) -> None:
    folder: Path = tmp_path_factory.mktemp("prop")
    (folder / "a.xml").write_text("<Events>" + "".join(chunks))
    (folder / "b.json").write_text("\n".join(chunks))
    stream = read_events([folder])
    rows = sum(batch.num_rows for batch in stream)
    stats = stream.stats

    assert rows == stats.records_used
    assert stats.records_read == stats.records_used + stats.records_rejected
