"""The hunting engine: normalized events in embedded DuckDB, detection as SQL over them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType

import duckdb
import pyarrow as pa

from c2hunt.correlate.sql import sql_literal
from c2hunt.detect.precise import build_precise
from c2hunt.detect.spec import build_spec
from c2hunt.detect.tables import load_knowledge
from c2hunt.errors import C2HuntError, InputError
from c2hunt.knowledge import Knowledge
from c2hunt.normalize.schema import EVENT_SCHEMA, TYPED_EVENTS
from c2hunt.score import Finding, finding_columns, score

log = logging.getLogger(__name__)

ProfileBuilder = Callable[[duckdb.DuckDBPyConnection, Knowledge], None]

# The events any profile reads: the typed kinds, and every EventID 3 for the spec profile,
# whose query tests `EventID = "3"` on any channel. Other events are counted by the reader but
# not kept, which keeps the database to a fraction of the input (Sysmon 7, 10 and 12 are most
# of a real log).
_KEPT = " OR ".join(
    [f"(Channel = {sql_literal(channel)} AND EventID = {event_id})"
     for channel, event_id in sorted(TYPED_EVENTS)]
    + ["EventID = 3"]
)  # fmt: skip

# Profile name -> builder of the `findings` table. `precise` findings are then scored.
PROFILES: dict[str, ProfileBuilder] = {"precise": build_precise, "spec": build_spec}
SCORED_PROFILES = frozenset({"precise"})
DEFAULT_PROFILE = "precise"


class Engine:
    """Loads Arrow batches into table `events` and builds `findings` and `signals` from them.

    In memory by default; with `db_path` the tables stay in that DuckDB file (a case database
    to query again; the tables are replaced on each run).
    """

    def __init__(self, knowledge: Knowledge, db_path: Path | str | None = None) -> None:
        self.knowledge = knowledge
        self.db_path = Path(db_path) if db_path is not None else None
        try:
            self.con = duckdb.connect(str(self.db_path) if self.db_path else ":memory:")
        except duckdb.Error as exc:
            raise InputError(f"cannot open the case database: {exc}", str(db_path)) from None
        empty = EVENT_SCHEMA.empty_table()
        self.con.register("_empty_events", empty)
        self.con.execute("CREATE OR REPLACE TABLE events AS SELECT * FROM _empty_events")
        self.con.unregister("_empty_events")
        load_knowledge(self.con, knowledge)

    def load(self, batches: Iterable[pa.RecordBatch]) -> int:
        """Append the events the detection reads (see `_KEPT`) to `events`; returns how many."""
        added = 0
        for batch in batches:
            if batch.schema != EVENT_SCHEMA:
                raise C2HuntError("an event batch does not have c2hunt's event schema")
            self.con.register("_batch", pa.Table.from_batches([batch]))
            cursor = self.con.execute(f"INSERT INTO events SELECT * FROM _batch WHERE {_KEPT}")
            self.con.unregister("_batch")
            added += _inserted(cursor)
        log.debug("loaded %d events", added)
        return added

    def detect(self, profile: str = DEFAULT_PROFILE) -> list[Finding]:
        """Build `findings` (and `signals`, for scored profiles); return them newest first."""
        try:
            build = PROFILES[profile]
        except KeyError:
            raise C2HuntError(
                f"unknown profile {profile!r}; known: {', '.join(PROFILES)}"
            ) from None
        try:
            build(self.con, self.knowledge)
            if profile in SCORED_PROFILES:
                score(self.con, self.knowledge)
        except duckdb.InvalidInputException as exc:
            # A knowledge regex Python accepts but RE2 (DuckDB's engine) does not, e.g. a
            # look-behind, fails here rather than at load time.
            where = ", ".join(self.knowledge.sources)
            raise C2HuntError(
                f"a knowledge regex is not supported by DuckDB: {exc}", where
            ) from None
        return self.findings()

    def findings(self) -> list[Finding]:
        """The `findings` table as `Finding`s, sorted by `_messageTime` descending."""
        names = finding_columns(self.knowledge)
        columns = ", ".join(f'"{c}"' for c in names)
        rows = self.con.execute(
            f"SELECT {columns} FROM findings ORDER BY _messageTime DESC NULLS LAST, finding_id"
        ).fetchall()
        return [Finding.from_row(names, row) for row in rows]

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _inserted(cursor: duckdb.DuckDBPyConnection) -> int:
    row = cursor.fetchone()
    return int(row[0]) if row else 0


def hunt(
    batches: Iterable[pa.RecordBatch],
    knowledge: Knowledge,
    profile: str = DEFAULT_PROFILE,
    db_path: Path | str | None = None,
) -> list[Finding]:
    """Load `batches`, run `profile`, and return its findings newest first."""
    with Engine(knowledge, db_path) as engine:
        engine.load(batches)
        return engine.detect(profile)
