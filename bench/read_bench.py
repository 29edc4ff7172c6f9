"""Records per second of c2hunt's readers next to a baseline, measured in one run.

EVTX: c2hunt (parse + normalize + Arrow batches) against iterating the `evtx` parser alone over
the same files. JSON lines: c2hunt against a DuckDB `read_json` count over the same file.

    python bench/read_bench.py [DATASETS_DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
from evtx import PyEvtxParser

from c2hunt.read import read_events

DEFAULT_DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
JSON_FILE = "jsonl/metasploit_outflank-dumpert_lsass_memory_dump.json.gz"


def c2hunt_count(paths: list[Path]) -> int:
    stream = read_events(paths)
    return sum(batch.num_rows for batch in stream)


def evtx_alone_count(paths: list[Path]) -> int:
    count = 0
    for path in paths:
        records = PyEvtxParser(str(path)).records_json()
        while True:
            try:
                next(records)
            except StopIteration:
                break
            except RuntimeError:
                continue
            count += 1
    return count


def duckdb_count(paths: list[Path]) -> int:
    with duckdb.connect() as con:
        query = (
            "SELECT count(*) FROM read_json(?, format = 'newline_delimited', union_by_name = true)"
        )
        row = con.execute(query, [str(paths[0])]).fetchone()
    return int(row[0]) if row else 0


def rate(count_records: Callable[[list[Path]], int], paths: list[Path], repeat: int) -> str:
    best = float("inf")
    count = 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = count_records(paths)
        best = min(best, time.perf_counter() - start)
    return f"{count:>7} records  {best:7.3f} s  {count / best:>10,.0f} records/s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="?", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the damaged sample chunks are expected
    evtx_files = sorted((args.datasets / "evtx").glob("*.evtx"))
    json_files = [args.datasets / JSON_FILE]

    print(f"EVTX ({len(evtx_files)} files in {args.datasets / 'evtx'})")
    print(f"  evtx parser alone   {rate(evtx_alone_count, evtx_files, args.repeat)}")
    print(f"  c2hunt read_events  {rate(c2hunt_count, evtx_files, args.repeat)}")
    print(f"JSON lines ({json_files[0].name})")
    print(f"  duckdb read_json    {rate(duckdb_count, json_files, args.repeat)}")
    print(f"  c2hunt read_events  {rate(c2hunt_count, json_files, args.repeat)}")


if __name__ == "__main__":
    main()
