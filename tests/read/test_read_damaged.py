"""Damaged inputs: each a counted rejection or a clear error naming file and record, never a
traceback, and the accounting always balances."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from c2hunt.read import MAX_RECORD_BYTES, ReadStats, read_events

SYSMON = "Microsoft-Windows-Sysmon/Operational"
GOOD = json.dumps({"EventID": 1, "Channel": SYSMON, "Image": "C:\\a.exe"})

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Events><Event><System><EventID>&lol9;</EventID></System></Event></Events>
"""


def read(*paths: str | Path, **options: int) -> ReadStats:
    stream = read_events(list(paths), **options)  # type: ignore[arg-type]
    rows = sum(batch.num_rows for batch in stream)
    stats = stream.stats
    assert rows == stats.records_used
    assert stats.records_read == stats.records_used + stats.records_rejected
    return stats


def test_invalid_json_line_in_the_middle(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(f"{GOOD}\n{{not json\n{GOOD}\n")
    stats = read(path)

    assert (stats.records_read, stats.records_used) == (3, 2)
    assert dict(stats.rejected) == {"invalid-json": 1}
    assert (stats.examples[0].file, stats.examples[0].record) == (str(path), 2)


def test_invalid_utf8_line(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(GOOD.encode() + b'\n{"EventID": 1, "Image": "\xff\xfe"}\n' + GOOD.encode())
    stats = read(path)

    assert dict(stats.rejected) == {"invalid-utf8": 1}
    assert stats.examples[0].record == 2
    assert stats.records_used == 2


def test_invalid_utf8_in_csv(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"EventID,Image\n1,a.exe\n1,\xff.exe\n3,b.exe\n")
    stats = read(path)

    assert dict(stats.rejected) == {"invalid-utf8": 1}
    assert stats.examples[0].record == 3
    assert stats.records_used == 2


def test_ten_megabyte_field_is_rejected_not_loaded(tmp_path: Path) -> None:
    huge = "A" * (10 << 20)
    line = json.dumps({"EventID": 1, "Channel": SYSMON, "CommandLine": huge})
    (tmp_path / "big.json").write_text(f"{GOOD}\n{line}\n{GOOD}\n")
    xml = f"<Event><System><EventID>1</EventID></System><EventData><Data Name='x'>{huge}</Data>"
    (tmp_path / "big.xml").write_text(xml + "</EventData></Event>")
    stats = read(tmp_path / "big.json", tmp_path / "big.xml")

    assert dict(stats.rejected) == {"record-too-large": 2}
    assert [example.record for example in stats.examples] == [2, 1]
    assert stats.records_used == 2
    assert len(huge) > MAX_RECORD_BYTES


def test_xml_entity_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    path.write_text(BILLION_LAUGHS)
    stats = read(path)

    assert dict(stats.rejected) == {"xml-forbidden": 1}
    assert "nothing was expanded" in stats.examples[0].detail


def test_dtd_inside_siem_raw_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "raw.json"
    path.write_text(json.dumps({"_raw": BILLION_LAUGHS.split("?>", 1)[1]}))
    stats = read(path)

    assert dict(stats.rejected) == {"invalid-xml": 1}
    assert "DTDForbidden" in stats.examples[0].detail


def test_xml_syntax_error_keeps_events_before_it(tmp_path: Path) -> None:
    event = "<Event><System><EventID>1</EventID></System></Event>"
    path = tmp_path / "cut.xml"
    path.write_text(f"<Events>\n{event}\n{event}\n<Event><System><EventID>1</Even")
    stats = read(path)

    assert stats.records_used == 2
    assert dict(stats.rejected) == {"invalid-xml": 1}
    assert "line 4" in stats.examples[0].detail


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path) -> None:
    packed = gzip.compress((GOOD + "\n").encode() * 5000)
    path = tmp_path / "cut.json.gz"
    path.write_bytes(packed[: len(packed) // 2])
    stats = read(path)

    assert 0 < stats.records_used < 5000
    assert len(stats.files_failed) == 1
    assert stats.files_failed[0].file == str(path)
    assert "EOFError" in stats.files_failed[0].reason


def test_decompression_bound(tmp_path: Path) -> None:
    path = tmp_path / "bomb.gz"
    path.write_bytes(gzip.compress((GOOD + "\n").encode() * 10_000))
    stats = read(path, max_decompressed_bytes=100_000)

    assert stats.files_failed[0].file == str(path)
    assert "exceed the limit of 100000 bytes" in stats.files_failed[0].reason
    assert 0 < stats.records_used < 10_000


def test_truncated_evtx_names_the_lost_chunk(datasets: Path, tmp_path: Path) -> None:
    source = datasets / "evtx" / "panache_sysmon_vs_EDRTestingScript.evtx"
    path = tmp_path / "cut.evtx"
    path.write_bytes(source.read_bytes()[:200_000])
    stats = read(path)

    assert stats.records_used == 80
    assert [(chunk.file, chunk.chunk) for chunk in stats.damaged_chunks] == [(str(path), 2)]
    assert "truncated" in stats.damaged_chunks[0].detail


def test_evtx_header_only_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "head.evtx"
    path.write_bytes(b"ElfFile\x00" + b"\x00" * 50)
    stats = read(path)

    assert stats.files_failed[0].file == str(path)
    assert stats.files_failed[0].reason.startswith("not a readable EVTX file")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file: no records"),
        (b"  \n\n", "empty file: no records"),
        (b"hello world\n", "unrecognized format"),
        (b"0\r<EventID>,x\n", "invalid CSV header"),
    ],
)
def test_unusable_files(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(content)
    stats = read(path)

    assert stats.records_read == 0
    assert stats.files_failed[0].file == str(path)
    assert stats.files_failed[0].reason.startswith(reason)


def test_missing_path_does_not_stop_the_others(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(GOOD)
    stats = read(tmp_path / "missing.json", good, str(tmp_path / "*.nothing"))

    assert stats.records_used == 1
    assert [str(failure) for failure in stats.files_failed] == [
        f"{tmp_path / 'missing.json'}: no such file or directory",
        f"{tmp_path / '*.nothing'}: no file matches this pattern",
    ]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("[1, 2]", "not-an-object"),
        ("{}", "no-event-id"),
        ('{"EventID": "four"}', "no-event-id"),
        ('{"_raw": "plain text"}', "invalid-raw"),
        ('{"_raw": "<Event><System><EventID>1</Even"}', "invalid-xml"),
        ('{"EventID": 1, "EventData": "{broken"}', "invalid-json"),
    ],
)
def test_unusable_records_are_counted_with_reason(tmp_path: Path, line: str, reason: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(f"{GOOD}\n{line}\n")
    stats = read(path)

    assert dict(stats.rejected) == {reason: 1}
    assert stats.examples[0].record == 2
