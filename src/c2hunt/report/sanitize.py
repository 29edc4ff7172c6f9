"""Attacker-controlled text made safe to show: no terminal controls, markup or formulas.

Command lines, image paths and host names come from the monitored machine. Shown raw they could
move the cursor or rewrite the screen (ESC and other C0/C1 controls), reorder what is read
(bidirectional overrides), style or hide text in Rich (`[...]` markup; the table uses Text
objects, which never parse markup) or run as a formula when a CSV is opened in a spreadsheet.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

# C0 controls, DEL, C1 controls, and the Unicode bidirectional embedding/override/isolate marks.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_IN_CSV = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def for_terminal(text: str) -> str:
    """Every control or bidi character written as a visible escape (`\\x1b`, `\\n`, `\\u202e`)."""
    return _UNSAFE.sub(_escape, text)


def for_csv(text: str) -> str:
    """Controls escaped (line breaks and tabs kept) and a leading formula character quoted."""
    text = _UNSAFE_IN_CSV.sub(_escape, text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_safe_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """`for_csv` over every string column of a batch (a whole `c2hunt events` export)."""
    columns = [
        _csv_safe_array(column) if pa.types.is_string(column.type) else column
        for column in batch.columns
    ]
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema)


def _csv_safe_array(values: pa.Array) -> pa.Array:
    # Arrow finds the values that need it; only those few go through Python.
    needs = pc.or_kleene(
        pc.match_substring_regex(values, _UNSAFE_IN_CSV.pattern),
        pc.match_substring_regex(values, "^[=+\\-@\t\r]"),
    )
    if not pc.any(needs).as_py():
        return values
    flags = needs.to_pylist()
    return pa.array(
        [for_csv(v) if flag else v for v, flag in zip(values.to_pylist(), flags, strict=True)],
        type=values.type,
    )


def for_json(encoded: str) -> str:
    """JSON text with C1 and bidi characters written as `\\uXXXX` (JSON escapes C0 already)."""
    return re.sub("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]", _json_escape, encoded)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"
