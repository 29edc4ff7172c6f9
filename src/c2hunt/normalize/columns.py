"""Normalized rows gathered into Arrow record batches of the event schema."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from c2hunt.normalize.schema import EVENT_SCHEMA


class BatchBuilder:
    """Collects rows (dicts keyed by column; missing is null) and emits them as one batch."""

    def __init__(self) -> None:
        self._rows: list[dict[str, Any]] = []

    def __len__(self) -> int:
        return len(self._rows)

    def append(self, row: dict[str, Any]) -> None:
        self._rows.append(row)

    def flush(self) -> pa.RecordBatch:
        """The rows so far as one batch, converted by Arrow in one call; then empty."""
        rows, self._rows = self._rows, []
        return pa.RecordBatch.from_pylist(rows, schema=EVENT_SCHEMA)
