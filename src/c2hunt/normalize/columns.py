"""Normalized rows gathered into Arrow record batches of the event schema."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from c2hunt.normalize.schema import EVENT_SCHEMA


class BatchBuilder:
    """Collects rows (dicts keyed by column; missing is null) and emits them as one batch."""

    def __init__(self) -> None:
        self._rows: list[dict[str, Any]] = []
        self._present: set[str] = set()

    def __len__(self) -> int:
        return len(self._rows)

    def append(self, row: dict[str, Any]) -> None:
        self._rows.append(row)
        self._present.update(row)

    def flush(self) -> pa.RecordBatch:
        """The rows so far as one batch (column by column, not row by row); then empty.

        Rows are sparse (a Sysmon 22 fills a dozen of the columns), so a column no row set is
        built as nulls in one call."""
        rows, self._rows = self._rows, []
        present, self._present = self._present, set()
        arrays = [
            pa.array([row.get(field.name) for row in rows], type=field.type)
            if field.name in present
            else pa.nulls(len(rows), type=field.type)
            for field in EVENT_SCHEMA
        ]
        return pa.RecordBatch.from_arrays(arrays, schema=EVENT_SCHEMA)
