"""Normalize: every input shape to one event model (see `schema.EVENT_SCHEMA`).

`normalize(raw)` turns one raw event (a dict from JSON, CSV, XML or EVTX) into a row keyed by
the schema's columns, or raises `RecordError` with a reason; `BatchBuilder` gathers rows into
Arrow record batches.
"""

from __future__ import annotations

from c2hunt.normalize.columns import BatchBuilder
from c2hunt.normalize.record import normalize, normalize_nested

__all__ = ["BatchBuilder", "normalize", "normalize_nested"]
