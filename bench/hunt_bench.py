"""Events per second and peak memory of a whole hunt (read, normalize, correlate, detect, score).

The input is the emulation at scale: `--days N` simulated working days (one seed each, one day
apart, so hosts and times do not collide), written as gzip-compressed JSON lines. The shared
datasets are measured too when present. Each measurement runs `c2hunt` in a fresh process, so
its peak resident memory is its own.

    python bench/hunt_bench.py [--days N] [--datasets DIR]
"""

from __future__ import annotations

import argparse
import gzip
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from c2hunt import emulate
from c2hunt.emulate.writers import write_events

DEFAULT_DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def build_input(out: Path, days: int) -> int:
    """Write `days` simulated days as .jsonl.gz files; returns the number of events."""
    total = 0
    for day in range(days):
        simulation = emulate.simulate(seed=day + 1, start=emulate.DEFAULT_START + timedelta(day))
        plain = out / f"day{day:03d}"
        plain.mkdir()
        write_events(list(simulation.events), plain, "jsonl")
        for path in sorted(plain.iterdir()):
            packed = out / f"day{day:03d}-{path.name}.gz"
            with path.open("rb") as src, gzip.open(packed, "wb") as dst:
                shutil.copyfileobj(src, dst)
        shutil.rmtree(plain)
        total += len(simulation.events)
    return total


def measure(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one `c2hunt` run in its own process."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "c2hunt", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"c2hunt {' '.join(args)} failed with status {status}")
    return seconds, usage.ru_maxrss / 1024


def report(label: str, events: int, paths: list[str]) -> None:
    discard = ["--output", os.devnull]
    runs = {
        "read only (c2hunt events)": ["events", *paths, "--format", "parquet", *discard],
        "hunt --profile precise": ["hunt", *paths, "--format", "jsonl", *discard],
        "hunt --profile spec": ["hunt", *paths, "--profile", "spec", "--format", "jsonl", *discard],
    }
    print(f"\n{label}: {events:,} events")
    print(f"  {'run':<28} {'seconds':>8} {'events/s':>10} {'peak RSS MiB':>13}")
    for name, args in runs.items():
        seconds, rss = measure(args)
        print(f"  {name:<28} {seconds:>8.2f} {events / seconds:>10,.0f} {rss:>13,.0f}")


def count_dataset_events(root: Path) -> int:
    from c2hunt.read import read_events

    logging.disable(logging.WARNING)  # the damaged chunk is expected; its report is not ours
    stream = read_events([root])
    return sum(batch.num_rows for batch in stream)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=40, help="simulated days (default 40)")
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    args = parser.parse_args()

    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="c2hunt-bench-") as tmp:
        started = time.perf_counter()
        events = build_input(Path(tmp), args.days)
        print(f"built {args.days} simulated days in {time.perf_counter() - started:.1f} s")
        report(f"emulation, {args.days} days, .jsonl.gz", events, [tmp])
    if args.datasets.is_dir():
        report(
            "shared datasets (EVTX and JSON lines)",
            count_dataset_events(args.datasets),
            [str(args.datasets)],
        )
    else:
        print(f"\nshared datasets not found at {args.datasets}; skipped")


if __name__ == "__main__":
    main()
